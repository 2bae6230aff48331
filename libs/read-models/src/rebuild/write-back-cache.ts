import type { ProjectionContext } from '../projection';
import type { DocumentBody, DocumentChange, StoredDocument } from '../store/port';
import { KeyFilter } from './key-filter';

type Entry = {
  collection: string;
  id: string;
  /** the document as the projection last saw or saved it; undefined when absent or deleted */
  document: StoredDocument | undefined;
  /** position of a deletion not yet written (a tombstone keeps older events from resurrecting it) */
  deletedAt: number;
  dirty: boolean;
  /** flush epoch of the last use, for least-recently-used eviction */
  used: number;
};

export interface WriteBackCacheOptions {
  /** documents kept in memory once written (clean ones are evicted past this, least recently used first) */
  capacity: number;
  /** roughly how many distinct documents the store will end up holding, to size the absence filter */
  expectedDocuments: number;
}

/**
 * The documents a rebuild is working on, held in memory across many batches and written back once per
 * flush however many events changed them. Only for a writer that owns its collections (a rebuild
 * generation nobody else writes): then a document this cache never flushed cannot be in the store, and a
 * key filter of the flushed ones spares a store read for every document seen for the first time.
 *
 * Dirty documents are never evicted (they are written only by a flush, together with the checkpoint);
 * the caller flushes when `dirtyCount` grows past its bound, and the flush evicts clean documents.
 */
export class WriteBackCache {
  /** by collection, then id: no key strings are built per lookup */
  private readonly entries = new Map<string, Map<string, Entry>>();
  private entryCount = 0;
  private readonly flushed: KeyFilter;
  private readonly dirtyByCollection = new Map<string, Entry[]>();
  private dirtyEntries = 0;
  private epoch = 0;

  constructor(
    private readonly options: WriteBackCacheOptions,
    private readonly readThrough: (collection: string, id: string) => Promise<StoredDocument | undefined>,
  ) {
    this.flushed = new KeyFilter(options.expectedDocuments);
  }

  get dirtyCount(): number {
    return this.dirtyEntries;
  }

  get size(): number {
    return this.entryCount;
  }

  /** the context a projection applies events through */
  readonly context: ProjectionContext = {
    load: <T extends object = DocumentBody>(collection: string, id: string) => this.load(collection, id) as Promise<StoredDocument<T> | undefined>,
    save: (collection: string, id: string, body: object | null, position: number) => this.save(collection, id, body, position),
  };

  async load(collection: string, id: string): Promise<StoredDocument | undefined> {
    const inCollection = this.collection(collection);
    let entry = inCollection.get(id);
    if (entry === undefined) {
      const document = this.flushed.mayContain(collection, id) ? await this.readThrough(collection, id) : undefined;
      entry = { collection, id, document, deletedAt: 0, dirty: false, used: this.epoch };
      inCollection.set(id, entry);
      this.entryCount += 1;
    } else entry.used = this.epoch;
    return entry.document;
  }

  save(collection: string, id: string, body: object | null, position: number): void {
    const inCollection = this.collection(collection);
    let entry = inCollection.get(id);
    if (entry === undefined) {
      entry = { collection, id, document: undefined, deletedAt: 0, dirty: false, used: this.epoch };
      inCollection.set(id, entry);
      this.entryCount += 1;
    }
    entry.used = this.epoch;
    if (body === null) {
      entry.document = undefined;
      entry.deletedAt = position;
    } else entry.document = { id, position, body: body as DocumentBody };
    if (!entry.dirty) {
      entry.dirty = true;
      this.dirtyEntries += 1;
      let list = this.dirtyByCollection.get(collection);
      if (!list) this.dirtyByCollection.set(collection, (list = []));
      list.push(entry);
    }
  }

  private collection(name: string): Map<string, Entry> {
    let inCollection = this.entries.get(name);
    if (!inCollection) this.entries.set(name, (inCollection = new Map()));
    return inCollection;
  }

  /**
   * The dirty documents of these collections, in collection order then by id (neighbours in the store's
   * B-tree are written together), marked clean: the caller must write them in this flush.
   */
  takeChanges(collections: readonly string[]): DocumentChange[] {
    const changes: DocumentChange[] = [];
    for (const collection of collections) {
      const list = this.dirtyByCollection.get(collection);
      if (!list) continue;
      this.dirtyByCollection.delete(collection);
      list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const entry of list) {
        entry.dirty = false;
        this.flushed.add(collection, entry.id);
        const document = entry.document;
        changes.push(
          document ? { collection, id: entry.id, body: document.body, position: document.position } : { collection, id: entry.id, body: null, position: entry.deletedAt },
        );
      }
      this.dirtyEntries -= list.length;
    }
    return changes;
  }

  /**
   * Starts a new epoch and, past capacity, drops the clean documents least recently used until a quarter
   * of the capacity is free again (so eviction runs once in a while, not on every flush).
   */
  evict(): void {
    this.epoch += 1;
    if (this.entryCount <= this.options.capacity) return;
    const target = Math.floor(this.options.capacity * 0.75);
    const byEpoch = new Map<number, number>();
    for (const inCollection of this.entries.values()) {
      for (const entry of inCollection.values()) if (!entry.dirty) byEpoch.set(entry.used, (byEpoch.get(entry.used) ?? 0) + 1);
    }
    let toDrop = this.entryCount - target;
    let cutoff = -1;
    for (const epoch of [...byEpoch.keys()].sort((a, b) => a - b)) {
      if (toDrop <= 0) break;
      cutoff = epoch;
      toDrop -= byEpoch.get(epoch) ?? 0;
    }
    for (const inCollection of this.entries.values()) {
      for (const [id, entry] of inCollection) {
        if (entry.dirty || entry.used > cutoff) continue;
        inCollection.delete(id);
        this.entryCount -= 1;
      }
    }
  }
}
