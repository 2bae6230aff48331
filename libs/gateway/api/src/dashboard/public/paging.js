// @ts-check
// Every list in a panel pages. A route that pages itself answers {items, nextCursor, total}
// and is asked for one page at a time; a route that still answers a whole list (an array, or
// {items} without nextCursor) is shown a page at a time from what it sent.
import { api } from './api.js';

export const PAGE_SIZE = 20;

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
      const answer = await api(pathOf(null, pageSize));
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
        const answer = await api(pathOf(nextCursor, pageSize));
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
