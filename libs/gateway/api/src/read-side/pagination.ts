import { applyDecorators, BadRequestException } from '@nestjs/common';
import { ApiQuery, type ApiQueryOptions } from '@nestjs/swagger';

/**
 * One way every list route pages (issue #18): `?limit=&cursor=` in, `{items, total, limit, nextCursor}` out.
 * A list has a total order (its last sort field is unique), and the cursor is the sort key of the last item of
 * the page before, so a page follows on from it even when items were added or removed in between.
 */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export type SortValue = string | number | null;
export type SortKey = readonly SortValue[];

export interface PageRequest {
  limit: number;
  /** the sort key of the last item of the page before */
  after?: SortKey;
}

export interface Page<T> {
  items: T[];
  /** how many items the list has in all, over every page */
  total: number;
  limit: number;
  /** pass as `cursor` for the next page; null on the last */
  nextCursor: string | null;
}

export function parseLimit(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PAGE_SIZE;
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > MAX_PAGE_SIZE) {
    throw new BadRequestException({
      message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`,
      details: [{ field: 'limit', reason: `1-${MAX_PAGE_SIZE}; ${DEFAULT_PAGE_SIZE} when absent` }],
    });
  }
  return Number(value);
}

const badCursor = () =>
  new BadRequestException({ message: 'cursor is not one this list gave', details: [{ field: 'cursor', reason: 'use nextCursor of the previous page, with the same filters' }] });

export const encodeCursor = (key: SortKey): string => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/** the sort key a cursor carries; `arity` is the number of sort fields of the list */
export function parseCursor(value: string | undefined, arity: number): SortKey | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[A-Za-z0-9_-]{1,2000}$/.test(value)) throw badCursor();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  const valid = Array.isArray(key) && key.length === arity && key.every((v) => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)));
  if (!valid) throw badCursor();
  return key as SortKey;
}

export const pageRequest = (limit: string | undefined, cursor: string | undefined, arity: number): PageRequest => ({
  limit: parseLimit(limit),
  after: parseCursor(cursor, arity),
});

export interface SortField<T> {
  of(item: T): SortValue;
  descending?: boolean;
  /** natural order of text (第2号 before 第10号) instead of code-point order */
  natural?: boolean;
}

/** A total order of a list's items; the last field must tell any two items apart. */
export interface ListOrder<T> {
  readonly arity: number;
  key(item: T): SortKey;
  compare(a: SortKey, b: SortKey): number;
}

const naturalText = new Intl.Collator('zh-CN', { numeric: true });
const compareValues = (a: SortValue, b: SortValue, natural: boolean): number => {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [String(a), String(b)];
  if (natural) return naturalText.compare(x, y) || (x < y ? -1 : x > y ? 1 : 0);
  return x < y ? -1 : x > y ? 1 : 0;
};

export function orderBy<T>(...fields: SortField<T>[]): ListOrder<T> {
  return {
    arity: fields.length,
    key: (item) => fields.map((f) => f.of(item)),
    compare(a, b) {
      for (let i = 0; i < fields.length; i++) {
        const c = compareValues(a[i], b[i], fields[i].natural ?? false);
        if (c !== 0) return fields[i].descending ? -c : c;
      }
      return 0;
    },
  };
}

/** One page of a list held in memory (already filtered), in the list's order. */
export function paginate<T>(items: readonly T[], order: ListOrder<T>, request: PageRequest): Page<T> {
  const keyed = items.map((item) => ({ item, key: order.key(item) })).sort((a, b) => order.compare(a.key, b.key));
  const after = request.after;
  const start = after ? keyed.findIndex((k) => order.compare(k.key, after) > 0) : 0;
  const rest = start < 0 ? [] : keyed.slice(start);
  const page = rest.slice(0, request.limit);
  return {
    items: page.map((k) => k.item),
    total: keyed.length,
    limit: request.limit,
    nextCursor: rest.length > request.limit ? encodeCursor(page[page.length - 1].key) : null,
  };
}

/** The OpenAPI of the two query parameters, for `@ApiQuery(...)` on every list route. */
export const LIMIT_QUERY: ApiQueryOptions = {
  name: 'limit',
  required: false,
  schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
  description: `items per page, 1-${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}); anything else is refused with 400 naming limit`,
};
export const CURSOR_QUERY: ApiQueryOptions = {
  name: 'cursor',
  required: false,
  schema: { type: 'string' },
  description: 'nextCursor of the previous page (opaque); a cursor this list did not give is refused with 400 naming cursor',
};

/** `limit` and `cursor` in the OpenAPI of a list route (the handler still reads each with `@Query(name)`). */
export const ApiPaginated = () => applyDecorators(ApiQuery(LIMIT_QUERY), ApiQuery(CURSOR_QUERY));

/** the whole list in its order (an export writes every page) */
export const sortedBy = <T>(items: readonly T[], order: ListOrder<T>): T[] =>
  items
    .map((item) => ({ item, key: order.key(item) }))
    .sort((a, b) => order.compare(a.key, b.key))
    .map((k) => k.item);
