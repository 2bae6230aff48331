import { createHash } from 'node:crypto';
import type { Projection } from './projection';
import type { ReadModelStore } from './store/port';

/** Stable JSON: object keys sorted, so equal documents hash equally whatever order they were built in. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
};

/**
 * SHA-256 over every document of a projection's live collections (ids and bodies, not positions),
 * to compare a live projection with a rebuild.
 */
export async function projectionContentHash(store: ReadModelStore, projection: Projection): Promise<string> {
  const hash = createHash('sha256');
  for (const collection of projection.collections) {
    hash.update(`#${collection}\n`);
    for (const document of await store.find(collection)) hash.update(`${document.id}=${canonical(document.body)}\n`);
  }
  return hash.digest('hex');
}
