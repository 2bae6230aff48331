import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { holdLease, type LeaseStore } from './lease';
import { type DocumentBody, type DocumentChange, type DocumentPage, type FieldFilter, type Generation, type IdRangeQuery, prefixEnd, type ProjectionCommit, type QueriedFields, queriedFieldNames, type ReadModelStore, type SnapshotMark, StaleStagingError, type StoredDocument } from './port';

type StoredRow = { _id: string; _position: number; body: DocumentBody | null };
type GenerationRow = {
  _id: string;
  projection: string;
  generation: string;
  collections: string[];
  live: boolean;
  checkpoint: number;
  lastSnapshot: number;
};
type SnapshotRow = { _id: string; collection: string; docId: string; snapshotPosition: number; position: number; body: DocumentBody | null };
type MarkRow = { _id: string; projection: string; generation: string; position: number; recordedAt: string };
type LiveCollectionRow = { _id: string; projection: string; generation: string };
type LeaseRow = { _id: string; owner: string; expiresAt: Date };
const PROJECTION_LEASE = 'projection-runner';

const DUPLICATE_KEY = 11000;
type Session = mongoose.mongo.ClientSession | undefined;

/**
 * Whether a failed bulk write failed only because newer versions were already stored (the conditional upsert then
 * collides with the existing _id). Anything else is real, a write-concern error above all: the writes may roll back,
 * so the checkpoint must not move over them. The driver reports a write-concern error as a MongoBulkWriteError
 * with no write errors (`err` set), or beside write errors in its result.
 */
export const onlyNewerVersionsCollided = (error: unknown): boolean => {
  if (!(error instanceof mongoose.mongo.MongoBulkWriteError)) return false;
  const writeErrors = ([] as Array<{ code: number }>).concat(error.writeErrors as { code: number } | Array<{ code: number }>);
  if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) return false;
  const withConcern = error as { err?: unknown; writeConcernError?: unknown; result?: { getWriteConcernError?: () => unknown } };
  return !withConcern.err && !withConcern.writeConcernError && !withConcern.result?.getWriteConcernError?.();
};

export interface MongoReadModelStoreOptions {
  /**
   * Commit each batch of all projections, and a generation swap, in one multi-document transaction (needs a
   * replica set or mongos). Default: whenever the server is one.
   */
  transactions?: boolean;
}
const physicalName = (collection: string, generationId: string) => `rm.${collection}.${generationId}`;
const generationKey = (projection: string, generationId: string) => `${projection}/${generationId}`;

/**
 * Read models in MongoDB (distributed mode). On a replica set (compose runs one) a commitAll — every projection's
 * documents and checkpoints of a batch — and a generation swap are each one transaction, read and written at
 * majority. On a standalone server there is none, so every document write is conditional on its position: a
 * redelivered event changes nothing, and the checkpoint moves with `$max` after the documents, so a crash between
 * the two only causes a harmless redelivery. Write-concern errors are raised, never taken for a stale duplicate.
 */
export class MongoReadModelStore implements ReadModelStore {
  private generationCounter = 0;

  private constructor(
    private readonly connection: mongoose.Connection,
    /** whether commits and swaps run in multi-document transactions */
    readonly transactional: boolean,
  ) {}

  static async connect(url = process.env['MONGODB_URL'], options: MongoReadModelStoreOptions = {}): Promise<MongoReadModelStore> {
    if (!url) throw new Error('MONGODB_URL is not set');
    // majority reads and journaled majority writes: nothing read or acknowledged can be rolled back by a failover
    const connection = await mongoose.createConnection(url, { readConcernLevel: 'majority', w: 'majority', journal: true }).asPromise();
    const transactional = options.transactions ?? (await supportsTransactions(connection));
    const store = new MongoReadModelStore(connection, transactional);
    await store.raw<SnapshotRow>('rm_snapshots').createIndex({ collection: 1, docId: 1, snapshotPosition: -1 });
    await store.raw<MarkRow>('rm_snapshot_marks').createIndex({ projection: 1, generation: 1, position: -1 });
    return store;
  }

  private raw<T extends mongoose.mongo.Document>(name: string): mongoose.mongo.Collection<T> {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB connection is not open');
    return db.collection<T>(name);
  }

  private documents(physical: string) {
    return this.raw<StoredRow>(physical);
  }

  private get generations() {
    return this.raw<GenerationRow>('rm_generations');
  }

  private get liveCollections() {
    return this.raw<LiveCollectionRow>('rm_live_collections');
  }

  async register(projection: string, collections: readonly string[], queriedBy?: QueriedFields): Promise<Generation> {
    const live = await this.generations.findOne({ projection, live: true });
    if (live) {
      await this.createIndexes(live.generation, live.collections, queriedBy);
      return { projection, id: live.generation, collections: live.collections };
    }
    await this.createIndexes('g0', collections, queriedBy);
    const generation: Generation = { projection, id: 'g0', collections: [...collections] };
    await this.generations.updateOne(
      { _id: generationKey(projection, 'g0') },
      { $setOnInsert: { projection, generation: 'g0', collections: [...collections], live: true, checkpoint: 0, lastSnapshot: 0 } },
      { upsert: true },
    );
    for (const c of collections) {
      await this.liveCollections.updateOne({ _id: c }, { $setOnInsert: { projection, generation: 'g0' } }, { upsert: true });
    }
    return generation;
  }

  async createGeneration(projection: string, collections: readonly string[], queriedBy?: QueriedFields): Promise<Generation> {
    const id = `g${Date.now().toString(36)}${(this.generationCounter++).toString(36)}`;
    await this.createIndexes(id, collections, queriedBy);
    await this.generations.insertOne({
      _id: generationKey(projection, id),
      projection,
      generation: id,
      collections: [...collections],
      live: false,
      checkpoint: 0,
      lastSnapshot: 0,
    });
    return { projection, id, collections: [...collections] };
  }

  /**
   * Each generation's collections are their own MongoDB collections: an index per queried body field, and one on
   * `_position` (snapshots read the documents changed since the last one). createIndex is a no-op when it exists.
   */
  private async createIndexes(generationId: string, collections: readonly string[], queriedBy: QueriedFields | undefined): Promise<void> {
    queriedFieldNames(queriedBy);
    for (const c of collections) {
      const documents = this.documents(physicalName(c, generationId));
      await documents.createIndex({ _position: 1 });
      for (const field of queriedBy?.[c] ?? []) await documents.createIndex({ [`body.${field}`]: 1 });
    }
  }

  async promoteGeneration(generation: Generation): Promise<boolean> {
    // the flags flip together; the old generation's collections are dropped after (no DDL drop inside a transaction)
    const replaced = await this.inTransaction(async (session) => {
      const candidate = await this.generations.findOne({ _id: generationKey(generation.projection, generation.id) }, { session });
      if (!candidate) throw new Error(`Unknown generation ${generation.id} of ${generation.projection}`);
      const live = await this.generations.findOne({ projection: generation.projection, live: true }, { session });
      if (live && live.checkpoint > candidate.checkpoint) return false;
      await this.generations.updateOne({ _id: candidate._id }, { $set: { live: true } }, { session });
      for (const c of generation.collections) {
        await this.liveCollections.updateOne({ _id: c }, { $set: { projection: generation.projection, generation: generation.id } }, { upsert: true, session });
      }
      if (live) await this.generations.updateOne({ _id: live._id }, { $set: { live: false } }, { session });
      return live ?? true;
    });
    if (replaced === false) return false;
    if (replaced !== true) await this.dropGeneration({ projection: replaced.projection, id: replaced.generation, collections: replaced.collections });
    return true;
  }

  /** Runs `work` in one transaction when the server has them (retried by the driver on transient errors), else as is. */
  private async inTransaction<T>(work: (session: Session) => Promise<T>): Promise<T> {
    if (!this.transactional) return work(undefined);
    const session = this.connection.getClient().startSession();
    try {
      let result: T | undefined;
      await session.withTransaction(
        async () => {
          result = await work(session);
        },
        { readConcern: { level: 'majority' }, writeConcern: { w: 'majority', j: true } },
      );
      return result as T;
    } finally {
      await session.endSession();
    }
  }

  async dropGeneration(generation: Generation): Promise<void> {
    for (const c of generation.collections) {
      const physical = physicalName(c, generation.id);
      await this.documents(physical)
        .drop()
        .catch(() => undefined);
      await this.raw<SnapshotRow>('rm_snapshots').deleteMany({ collection: physical });
    }
    await this.raw<MarkRow>('rm_snapshot_marks').deleteMany({ projection: generation.projection, generation: generation.id });
    await this.generations.deleteOne({ _id: generationKey(generation.projection, generation.id), live: false });
  }

  private async resolve(collection: string, generation?: Generation, session?: Session) {
    if (generation) return { physical: physicalName(collection, generation.id), projection: generation.projection, generationId: generation.id };
    const live = await this.liveCollections.findOne({ _id: collection }, { session });
    if (!live) throw new Error(`Collection ${collection} belongs to no registered projection`);
    return { physical: physicalName(collection, live.generation), projection: live.projection, generationId: live.generation };
  }

  private async generationOf(projection: string, generation?: Generation, session?: Session): Promise<GenerationRow> {
    const row = generation
      ? await this.generations.findOne({ _id: generationKey(projection, generation.id) }, { session })
      : await this.generations.findOne({ projection, live: true }, { session });
    if (!row) throw new Error(`Projection ${projection} has no ${generation ? `generation ${generation.id}` : 'live generation'}`);
    return row;
  }

  async get<T extends object = DocumentBody>(collection: string, id: string, generation?: Generation): Promise<StoredDocument<T> | undefined> {
    const { physical } = await this.resolve(collection, generation);
    const row = await this.documents(physical).findOne({ _id: id, body: { $ne: null } });
    return row ? { id: row._id, position: row._position, body: row.body as T } : undefined;
  }

  async find<T extends object = DocumentBody>(collection: string, where: FieldFilter = {}, generation?: Generation): Promise<StoredDocument<T>[]> {
    const { physical } = await this.resolve(collection, generation);
    const filter: Record<string, unknown> = { body: { $ne: null } };
    for (const [field, value] of Object.entries(where)) filter[`body.${field}`] = value;
    const rows = await this.documents(physical).find(filter).sort({ _id: 1 }).toArray();
    return rows.map((row) => ({ id: row._id, position: row._position, body: row.body as T }));
  }

  async findPage<T extends object = DocumentBody>(collection: string, query: IdRangeQuery, generation?: Generation): Promise<DocumentPage<T>> {
    const { physical } = await this.resolve(collection, generation);
    const end = prefixEnd(query.idPrefix);
    const range = { $gte: query.idPrefix, ...(end !== undefined && { $lt: end }) };
    const filter = { _id: range, body: { $ne: null } };
    const total = await this.documents(physical).countDocuments(filter);
    const afterFilter = query.after !== undefined ? { _id: { ...range, $gt: query.after } } : {};
    const rows = await this.documents(physical)
      .find({ ...filter, ...afterFilter })
      .sort({ _id: 1 })
      .limit(query.limit)
      .toArray();
    return { items: rows.map((row) => ({ id: row._id, position: row._position, body: row.body as T })), total };
  }

  async commit(projection: string, changes: readonly DocumentChange[], checkpoint: number, generation?: Generation): Promise<void> {
    await this.inTransaction((session) => this.commitIn(session, projection, changes, checkpoint, generation));
  }

  private async commitIn(session: Session, projection: string, changes: readonly DocumentChange[], checkpoint: number, generation?: Generation): Promise<void> {
    const target = await this.generationOf(projection, generation, session);
    const byPhysical = new Map<string, mongoose.mongo.AnyBulkWriteOperation<StoredRow>[]>();
    const resolved = new Map<string, Awaited<ReturnType<MongoReadModelStore['resolve']>>>();
    for (const change of changes) {
      let target = resolved.get(change.collection);
      if (!target) {
        target = await this.resolve(change.collection, generation, session);
        resolved.set(change.collection, target);
      }
      const { physical, projection: owner } = target;
      if (owner !== projection) throw new Error(`Projection ${projection} may not write ${change.collection}`);
      const operations = byPhysical.get(physical) ?? [];
      operations.push(session ? newerOnlyByPipeline(change) : newerOnlyByFilter(change));
      byPhysical.set(physical, operations);
    }
    for (const [physical, operations] of byPhysical) {
      try {
        await this.documents(physical).bulkWrite(operations, { ordered: false, session });
      } catch (error) {
        if (session || !onlyNewerVersionsCollided(error)) throw error;
      }
    }
    await this.generations.updateOne({ _id: target._id }, { $max: { checkpoint } }, { session });
  }

  async stagingMark(projection: string, generation?: Generation): Promise<string> {
    return this.stagingMarkIn(undefined, projection, generation);
  }

  private async stagingMarkIn(session: Session, projection: string, generation?: Generation): Promise<string> {
    const row = await this.generationOf(projection, generation, session);
    return `${row.generation}@${row.checkpoint}`;
  }

  /**
   * In a transaction on a replica set: the staging marks are checked and every projection's documents and
   * checkpoint written together, so a crash leaves all of the batch or none. Snapshots are taken after it
   * (they copy whole collections, too much for one transaction; a lost one only lengthens a time-travel replay).
   * Without transactions the staging mark is checked just before each projection's writes.
   */
  async commitAll(commits: readonly ProjectionCommit[]): Promise<void> {
    if (this.transactional) {
      await this.inTransaction(async (session) => {
        for (const c of commits) {
          if (c.stagedOn !== undefined && c.stagedOn !== (await this.stagingMarkIn(session, c.projection, c.generation))) throw new StaleStagingError(c.projection);
          await this.commitIn(session, c.projection, c.changes, c.checkpoint, c.generation);
        }
      });
      for (const c of commits) if (c.snapshot) await this.snapshot(c.projection, c.checkpoint, c.snapshot.recordedAt, c.generation);
      return;
    }
    for (const c of commits) {
      if (c.stagedOn !== undefined && c.stagedOn !== (await this.stagingMark(c.projection, c.generation))) throw new StaleStagingError(c.projection);
      await this.commitIn(undefined, c.projection, c.changes, c.checkpoint, c.generation);
      if (c.snapshot) await this.snapshot(c.projection, c.checkpoint, c.snapshot.recordedAt, c.generation);
    }
  }

  async checkpoint(projection: string, generation?: Generation): Promise<number> {
    return (await this.generationOf(projection, generation)).checkpoint;
  }

  async snapshot(projection: string, position: number, recordedAt: string, generation?: Generation): Promise<void> {
    const state = await this.generationOf(projection, generation);
    const snapshots = this.raw<SnapshotRow>('rm_snapshots');
    for (const c of state.collections) {
      const physical = physicalName(c, state.generation);
      const cursor = this.documents(physical).find({ _position: { $gt: state.lastSnapshot, $lte: position } });
      let batch: mongoose.mongo.AnyBulkWriteOperation<SnapshotRow>[] = [];
      const flush = async () => {
        if (batch.length) await snapshots.bulkWrite(batch, { ordered: false });
        batch = [];
      };
      for await (const row of cursor) {
        const _id = `${physical}|${row._id}|${position}`;
        batch.push({
          replaceOne: {
            filter: { _id },
            replacement: { collection: physical, docId: row._id, snapshotPosition: position, position: row._position, body: row.body },
            upsert: true,
          },
        });
        if (batch.length >= 1000) await flush();
      }
      await flush();
    }
    const markId = `${generationKey(projection, state.generation)}|${position}`;
    await this.raw<MarkRow>('rm_snapshot_marks').replaceOne(
      { _id: markId },
      { projection, generation: state.generation, position, recordedAt },
      { upsert: true },
    );
    await this.generations.updateOne({ _id: state._id }, { $max: { lastSnapshot: position } });
  }

  async nearestSnapshot(projection: string, at: { position?: number; recordedAt?: string }, generation?: Generation): Promise<SnapshotMark | undefined> {
    const generationId = generation?.id ?? (await this.generations.findOne({ projection, live: true }))?.generation;
    if (generationId === undefined) return undefined;
    const filter: Record<string, unknown> = { projection, generation: generationId };
    if (at.position !== undefined) filter['position'] = { $lte: at.position };
    else filter['recordedAt'] = { $lte: at.recordedAt ?? '' };
    const row = await this.raw<MarkRow>('rm_snapshot_marks').find(filter).sort({ position: -1 }).limit(1).next();
    return row ? { position: row.position, recordedAt: row.recordedAt } : undefined;
  }

  async getAtSnapshot<T extends object = DocumentBody>(
    collection: string,
    id: string,
    snapshotPosition: number,
    generation?: Generation,
  ): Promise<StoredDocument<T> | undefined> {
    const { physical } = await this.resolve(collection, generation);
    const row = await this.raw<SnapshotRow>('rm_snapshots')
      .find({ collection: physical, docId: id, snapshotPosition: { $lte: snapshotPosition } })
      .sort({ snapshotPosition: -1 })
      .limit(1)
      .next();
    return row && row.body !== null ? { id, position: row.position, body: row.body as T } : undefined;
  }

  /**
   * Waits until this process holds the projection lease, so only one runner of all the gateway instances projects
   * at a time (MongoDB has no session lock like PostgreSQL's advisory lock: a lease document, renewed by its holder,
   * expiring on the server's clock when the holder dies). `lost` is called when it could not be renewed in time.
   */
  acquireProjectionLock(options: { lost?: (error: unknown) => void; pollMs?: number; ttlMs?: number } = {}): Promise<{ release(): Promise<void> }> {
    const leases = this.raw<LeaseRow>('rm_leases');
    const lease: LeaseStore = {
      take: async (owner, ttlMs) => {
        try {
          await leases.updateOne(
            { _id: PROJECTION_LEASE, $expr: { $or: [{ $eq: ['$owner', owner] }, { $lt: ['$expiresAt', '$$NOW'] }] } },
            [{ $set: { owner: { $literal: owner }, expiresAt: { $add: ['$$NOW', ttlMs] } } }],
            { upsert: true },
          );
          return true;
        } catch (error) {
          // held by another: the filter matched nothing and the upsert collided with the lease's _id
          if ((error as { code?: number }).code === DUPLICATE_KEY) return false;
          throw error;
        }
      },
      give: async (owner) => {
        await leases.deleteOne({ _id: PROJECTION_LEASE, owner });
      },
    };
    return holdLease(lease, { owner: randomUUID(), ...options, isClosed: () => this.closed });
  }

  private closed = false;

  async close(): Promise<void> {
    this.closed = true;
    await this.connection.close();
  }
}

/** A write that only lands when the change is newer than the stored document; the upsert collides with a newer _id. */
const newerOnlyByFilter = (change: DocumentChange): mongoose.mongo.AnyBulkWriteOperation<StoredRow> => ({
  updateOne: {
    filter: { _id: change.id, _position: { $lt: change.position } },
    update: { $set: { _position: change.position, body: change.body } },
    upsert: true,
  },
});

/**
 * The same without a collision, which would abort a transaction: the update matches by _id alone and keeps the
 * stored values when they are newer (an update pipeline, MongoDB 4.2+; `$literal` so a body is never read as an expression).
 */
const newerOnlyByPipeline = (change: DocumentChange): mongoose.mongo.AnyBulkWriteOperation<StoredRow> => {
  const newer = { $lt: [{ $ifNull: ['$_position', -1] }, change.position] };
  return {
    updateOne: {
      filter: { _id: change.id },
      update: [
        {
          $set: {
            _position: { $cond: [newer, change.position, '$_position'] },
            body: { $cond: [newer, { $literal: change.body }, '$body'] },
          },
        },
      ],
      upsert: true,
    },
  };
};

/** Multi-document transactions need a replica set member or a mongos. */
const supportsTransactions = async (connection: mongoose.Connection): Promise<boolean> => {
  const db = connection.db;
  if (!db) return false;
  const hello = await db.admin().command({ hello: 1 });
  return typeof hello['setName'] === 'string' || hello['msg'] === 'isdbgrid';
};
