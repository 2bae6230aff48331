// @ts-check
// Every list in a panel pages. A route that pages itself answers {items, nextCursor, total}
// and is asked for one page at a time; a route that still answers a whole list (an array, or
// {items} without nextCursor) is shown a page at a time from what it sent.
import { api, ApiError } from './api.js';

export const PAGE_SIZE = 20;

/** routes (by path) that refused `limit`: they answer whole lists, asked without it from then on */
const wholeListRoutes = new Set();

/** @param {string} path */
const routeOf = (path) => new URL(path, location.origin).pathname;

/** @param {string} path */
function withoutPaging(path) {
  const url = new URL(path, location.origin);
  url.searchParams.delete('limit');
  url.searchParams.delete('cursor');
  return url.pathname + url.search;
}

/** @param {unknown} error */
const refusedPaging = (error) =>
  error instanceof ApiError && error.status === 400 && Array.isArray(error.body?.details) && error.body.details.some((/** @type {any} */ d) => d?.field === 'limit' || d?.field === 'cursor');

/**
 * GETs a list route with its paging parameters, or without them when the route does not page (yet):
 * a route refusing `limit` is asked again without it, and remembered.
 * @param {string} path
 * @returns {Promise<any>}
 */
export async function readList(path) {
  if (wholeListRoutes.has(routeOf(path))) return api(withoutPaging(path));
  try {
    return await api(path);
  } catch (error) {
    if (!refusedPaging(error)) throw error;
    wholeListRoutes.add(routeOf(path));
    return api(withoutPaging(path));
  }
}

/**
 * @template T
 * @typedef {object} PagedList
 * @property {T[]} items what is shown
 * @property {number} total
 * @property {boolean} hasMore
 */

/**
 * @template T
 * @param {(cursor: string | null, limit: number) => string} pathOf the route with `limit` and `cursor`
 * @param {number} [pageSize]
 */
export function createPagedList(pathOf, pageSize = PAGE_SIZE) {
  /** @type {T[]} */
  let loaded = [];
  let shown = 0;
  /** @type {string | null} */
  let nextCursor = null;
  let serverPaged = false;
  let total = 0;
  let generation = 0;

  /** @param {any} answer */
  const itemsOf = (answer) => (Array.isArray(answer) ? answer : Array.isArray(answer?.items) ? answer.items : []);

  return {
    /** the first page again (after a change of filter or figures); undefined when a newer load overtook it */
    async first() {
      const mine = ++generation;
      const answer = await readList(pathOf(null, pageSize));
      if (mine !== generation) return;
      loaded = itemsOf(answer);
      serverPaged = answer !== null && typeof answer === 'object' && !Array.isArray(answer) && 'nextCursor' in answer;
      nextCursor = serverPaged ? answer.nextCursor ?? null : null;
      total = typeof answer?.total === 'number' ? answer.total : loaded.length;
      shown = serverPaged ? loaded.length : Math.min(pageSize, loaded.length);
    },
    async more() {
      if (serverPaged) {
        if (!nextCursor) return;
        const mine = generation;
        const answer = await readList(pathOf(nextCursor, pageSize));
        if (mine !== generation) return;
        loaded = [...loaded, ...itemsOf(answer)];
        nextCursor = answer.nextCursor ?? null;
        if (typeof answer.total === 'number') total = answer.total;
        shown = loaded.length;
      } else {
        shown = Math.min(shown + pageSize, loaded.length);
      }
    },
    /** @returns {PagedList<T>} */
    view() {
      return { items: loaded.slice(0, shown), total, hasMore: serverPaged ? nextCursor !== null : shown < loaded.length };
    },
    /** how many are shown, so a refresh can keep an officer's place */
    get shownCount() {
      return shown;
    },
    clear() {
      generation++;
      loaded = [];
      shown = 0;
      total = 0;
      nextCursor = null;
    },
  };
}
