/**
 * The read-model store port: documents keyed by (collection, id), simple equality queries,
 * one checkpoint per projection, and versioned snapshots for time travel.
 *
 * Every document remembers the global position of the last event applied to it (`position`),
 * so applying an event a second time is a no-op: at-least-once delivery is safe.
 *
 * Collections are logical names; the store maps them to physical generations so that a
 * projection can be rebuilt into fresh collections while the live ones answer, then swapped.
 */
export type DocumentBody = Record<string, unknown>;

export interface StoredDocument<T extends object = DocumentBody> {
  id: string;
  /** global position of the last event applied to this document */
  position: number;
  body: T;
}

export interface DocumentChange {
  collection: string;
  id: string;
  /** the new body, or null to delete the document */
  body: DocumentBody | null;
  /** global position of the event that produced this change; older or equal positions are ignored */
  position: number;
}

/** One projection's part of a `commitAll`. */
export interface ProjectionCommit {
  projection: string;
  changes: readonly DocumentChange[];
  checkpoint: number;
  generation?: Generation;
  /** take a snapshot at `checkpoint` once the changes are applied (`recordedAt` of the event there) */
  snapshot?: { recordedAt: string };
  /**
   * The store's `stagingMark` when the batch was staged (which generation the documents were read from, at
   * which checkpoint). The store refuses the commit with StaleStagingError when the mark has changed, i.e.
   * a rebuilt generation was swapped in meanwhile, so the caller stages the batch again on the new one.
   */
  stagedOn?: string;
}

/** The projection moved (a rebuilt generation was swapped in) between staging a batch and committing it. */
export class StaleStagingError extends Error {
  constructor(readonly projection: string) {
    super(`Projection ${projection} changed generation while a batch was staged; stage it again`);
    this.name = 'StaleStagingError';
  }
}

export type FieldFilter = Record<string, string | number | boolean | null>;

/**
 * The body fields a projection's collections are queried by (`find` filters), collection → fields. Each store
 * indexes them: SQLite and PostgreSQL with an expression index per field over (collection, field), MongoDB with
 * an index per field on each generation's collections. A `find` whose filter names one of them is an index search.
 */
export type QueriedFields = Readonly<Record<string, readonly string[]>>;

/** a body field a store may index and query by: letters, digits and _ (it becomes part of an index name) */
export const INDEXABLE_FIELD = /^[A-Za-z0-9_]{1,64}$/;

/** every field named in `queriedBy`, once, checked */
export function queriedFieldNames(queriedBy: QueriedFields | undefined): string[] {
  const fields = new Set(Object.values(queriedBy ?? {}).flat());
  for (const field of fields) if (!INDEXABLE_FIELD.test(field)) throw new Error(`Cannot index body field ${field}: letters, digits and _ only`);
  return [...fields];
}

/** A page of the documents whose id starts with `idPrefix`, in id order (the primary index: no scan). */
export interface IdRangeQuery {
  idPrefix: string;
  /** the last id of the previous page: the page starts after it */
  after?: string;
  limit: number;
}

export interface DocumentPage<T extends object = DocumentBody> {
  items: StoredDocument<T>[];
  /** how many documents have the prefix in all */
  total: number;
}

/** the smallest string greater than every string starting with `prefix` (undefined: no bound) */
export const prefixEnd = (prefix: string): string | undefined =>
  prefix === '' ? undefined : prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

/**
 * A generation of a projection's collections, used while rebuilding next to the live one.
 * Calls without a generation always resolve the live generation at the moment of the call,
 * so a runner keeps writing to whatever is live, before and after a swap.
 */
export interface Generation {
  readonly projection: string;
  readonly id: string;
  readonly collections: readonly string[];
}

export interface ReadModelStore {
  get<T extends object = DocumentBody>(collection: string, id: string, generation?: Generation): Promise<StoredDocument<T> | undefined>;
  find<T extends object = DocumentBody>(collection: string, where?: FieldFilter, generation?: Generation): Promise<StoredDocument<T>[]>;
  /** one page of the documents whose id starts with a prefix, with their total: lists keyed by what they are filtered on */
  findPage<T extends object = DocumentBody>(collection: string, query: IdRangeQuery, generation?: Generation): Promise<DocumentPage<T>>;
  /**
   * Applies a batch of document changes and moves the projection's checkpoint, atomically where the
   * backend allows (SQLite: one transaction; MongoDB: each write conditional on position, checkpoint last).
   * A change whose position is not newer than the stored document's is skipped. Checkpoints only move forward.
   */
  commit(projection: string, changes: readonly DocumentChange[], checkpoint: number, generation?: Generation): Promise<void>;
  /**
   * Several projections' commits as one unit where the backend allows (SQLite: one transaction), each
   * optionally followed by a snapshot at its checkpoint. Lets a runner pay one commit per batch, not one
   * per projection, and a rebuild write each flushed document once.
   */
  commitAll(commits: readonly ProjectionCommit[]): Promise<void>;
  checkpoint(projection: string, generation?: Generation): Promise<number>;
  /** which generation a batch is staged on and at which checkpoint, for ProjectionCommit.stagedOn */
  stagingMark(projection: string, generation?: Generation): Promise<string>;

  /** declares a projection's logical collections and the fields they are queried by (indexed); creates its first live generation on first use */
  register(projection: string, collections: readonly string[], queriedBy?: QueriedFields): Promise<Generation>;
  /** fresh, empty collections for a rebuild, indexed as `queriedBy` says; the live ones keep answering */
  createGeneration(projection: string, collections: readonly string[], queriedBy?: QueriedFields): Promise<Generation>;
  /**
   * Makes `generation` the live one if its checkpoint has reached the live checkpoint; drops the old one.
   * Returns false (and changes nothing) when the rebuild is still behind.
   */
  promoteGeneration(generation: Generation): Promise<boolean>;
  dropGeneration(generation: Generation): Promise<void>;

  /**
   * Records the state of every document changed since the previous snapshot, as of `position`
   * (which must be the projection's current checkpoint). `recordedAt` is the recording time of
   * the event at `position`, so a timestamp can be turned into a snapshot without reading the log.
   */
  snapshot(projection: string, position: number, recordedAt: string, generation?: Generation): Promise<void>;
  /** the newest snapshot at or before `position` (or at or before `recordedAt`), if any */
  nearestSnapshot(projection: string, at: { position?: number; recordedAt?: string }, generation?: Generation): Promise<SnapshotMark | undefined>;
  /** a document as it was at the snapshot taken at `snapshotPosition` (undefined if it did not exist) */
  getAtSnapshot<T extends object = DocumentBody>(
    collection: string,
    id: string,
    snapshotPosition: number,
    generation?: Generation,
  ): Promise<StoredDocument<T> | undefined>;

  close(): Promise<void>;
}

export interface SnapshotMark {
  position: number;
  recordedAt: string;
}
