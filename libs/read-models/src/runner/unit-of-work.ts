import type { RecordedEvent } from '@liangxin/contracts';
import { handles, type Projection, type ProjectionContext } from '../projection';
import type { DocumentBody, DocumentChange, Generation, ProjectionCommit, ReadModelStore, StoredDocument } from '../store/port';

type Entry = { document: StoredDocument | undefined; staged?: DocumentChange; order: number };

/**
 * The documents one batch reads and writes, kept in memory until commit. `readThrough` decides where a
 * document not yet seen in the batch comes from (the store, or a snapshot for time travel).
 */
export class UnitOfWork implements ProjectionContext {
  private readonly entries = new Map<string, Entry>();
  private stagedCount = 0;

  constructor(private readonly readThrough: (collection: string, id: string) => Promise<StoredDocument | undefined>) {}

  async load<T extends object = DocumentBody>(collection: string, id: string): Promise<StoredDocument<T> | undefined> {
    const key = `${collection}\u0000${id}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { document: await this.readThrough(collection, id), order: 0 };
      this.entries.set(key, entry);
    }
    return entry.document as StoredDocument<T> | undefined;
  }

  save(collection: string, id: string, body: object | null, position: number): void {
    const key = `${collection}\u0000${id}`;
    const entry = this.entries.get(key) ?? { document: undefined, order: 0 };
    entry.document = body === null ? undefined : { id, position, body: body as DocumentBody };
    entry.staged = { collection, id, body: body as DocumentBody | null, position };
    entry.order = ++this.stagedCount;
    this.entries.set(key, entry);
  }

  /**
   * Staged changes, collection by collection in `collectionOrder` (a store without transactions writes
   * them in this order, so derived documents land before the state they were derived from), each
   * collection in staging order.
   */
  changes(collectionOrder: readonly string[] = []): DocumentChange[] {
    const rank = (c: string) => {
      const i = collectionOrder.indexOf(c);
      return i === -1 ? collectionOrder.length : i;
    };
    const staged = [...this.entries.values()].filter((e) => e.staged);
    staged.sort((a, b) => rank((a.staged as DocumentChange).collection) - rank((b.staged as DocumentChange).collection) || a.order - b.order);
    return staged.map((e) => e.staged as DocumentChange);
  }
}

/**
 * Applies a batch of events (in log order) to one projection and returns what to commit: the staged
 * documents and the checkpoint `upTo` (the last position the batch covered, even when no event
 * concerned it). Events at or before the projection's checkpoint are skipped; undefined when the
 * projection is already at `upTo`.
 */
export async function stageBatch(
  store: ReadModelStore,
  projection: Projection,
  events: readonly RecordedEvent[],
  upTo: number,
  generation?: Generation,
): Promise<ProjectionCommit | undefined> {
  const checkpoint = await store.checkpoint(projection.name, generation);
  const stagedOn = await store.stagingMark(projection.name, generation);
  if (upTo <= checkpoint) return undefined;
  const unit = new UnitOfWork((collection, id) => store.get(collection, id, generation));
  for (const event of events) {
    if (event.globalPosition <= checkpoint || !handles(projection, event)) continue;
    await projection.apply(event, unit);
  }
  return { projection: projection.name, changes: unit.changes(projection.collections), checkpoint: upTo, generation, stagedOn };
}

/** `stageBatch` and its commit, for one projection on its own. */
export async function applyBatch(
  store: ReadModelStore,
  projection: Projection,
  events: readonly RecordedEvent[],
  upTo: number,
  generation?: Generation,
): Promise<void> {
  const staged = await stageBatch(store, projection, events, upTo, generation);
  if (staged) await store.commit(staged.projection, staged.changes, staged.checkpoint, generation);
}
