import type { StoredDocument } from '../store/port';
import { WriteBackCache } from './write-back-cache';

/** a store behind the cache: what was flushed, and which reads reached it */
function backing() {
  const documents = new Map<string, StoredDocument | undefined>();
  const reads: string[] = [];
  const readThrough = async (collection: string, id: string) => {
    reads.push(`${collection}/${id}`);
    return documents.get(`${collection}/${id}`);
  };
  return { documents, reads, readThrough };
}

describe('WriteBackCache', () => {
  it('shows a projection its own latest writes and hands each changed document over once, sorted, deletions as tombstones', async () => {
    const { readThrough } = backing();
    const cache = new WriteBackCache({ capacity: 100, expectedDocuments: 100 }, readThrough);
    cache.save('totals', 't', { n: 1 }, 1);
    cache.save('items', 'b', { v: 1 }, 2);
    cache.save('items', 'a', { v: 1 }, 3);
    cache.save('items', 'b', { v: 2 }, 4);
    cache.save('items', 'c', { v: 1 }, 5);
    cache.save('items', 'c', null, 6);
    expect(await cache.load('items', 'b')).toEqual({ id: 'b', position: 4, body: { v: 2 } });
    expect(await cache.load('items', 'c')).toBeUndefined();
    expect(cache.dirtyCount).toBe(4);
    expect(cache.takeChanges(['items', 'totals'])).toEqual([
      { collection: 'items', id: 'a', body: { v: 1 }, position: 3 },
      { collection: 'items', id: 'b', body: { v: 2 }, position: 4 },
      { collection: 'items', id: 'c', body: null, position: 6 },
      { collection: 'totals', id: 't', body: { n: 1 }, position: 1 },
    ]);
    expect(cache.dirtyCount).toBe(0);
    expect(cache.takeChanges(['items', 'totals'])).toEqual([]);
  });

  it('reads from the store only documents it has flushed before (the generation is its own)', async () => {
    const { documents, reads, readThrough } = backing();
    const cache = new WriteBackCache({ capacity: 2, expectedDocuments: 1_000 }, readThrough);
    for (let i = 0; i < 10; i++) expect(await cache.load('items', `new-${i}`)).toBeUndefined();
    expect(reads).toEqual([]);

    cache.save('items', 'kept', { v: 1 }, 1);
    for (const change of cache.takeChanges(['items'])) documents.set(`items/${change.id}`, { id: change.id, position: change.position, body: change.body ?? {} });
    cache.evict();
    cache.evict(); // a new epoch: everything loaded before is now least recently used
    expect(cache.size).toBeLessThanOrEqual(2);
    expect(await cache.load('items', 'kept')).toEqual({ id: 'kept', position: 1, body: { v: 1 } });
    expect(reads).toEqual(['items/kept']);
  });

  it('stays within its capacity of clean documents and never evicts a changed one before it is taken', async () => {
    const { readThrough } = backing();
    const cache = new WriteBackCache({ capacity: 100, expectedDocuments: 1_000 }, readThrough);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 80; i++) cache.save('items', `${round}-${i}`, { round }, round * 100 + i + 1);
      cache.evict(); // past capacity: only the clean documents of earlier rounds may go
      expect(cache.takeChanges(['items'])).toHaveLength(80);
      cache.evict();
      expect(cache.size).toBeLessThanOrEqual(100);
    }
    cache.save('items', 'recent', { v: 1 }, 1_000);
    cache.takeChanges(['items']);
    cache.evict();
    expect(await cache.load('items', 'recent')).toMatchObject({ body: { v: 1 } });
  });
});
