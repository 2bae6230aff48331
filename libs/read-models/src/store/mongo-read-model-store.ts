import mongoose from 'mongoose';
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

const DUPLICATE_KEY = 11000;
const physicalName = (collection: string, generationId: string) => `rm.${collection}.${generationId}`;
const generationKey = (projection: string, generationId: string) => `${projection}/${generationId}`;

/**
 * Read models in MongoDB (distributed mode). MongoDB has no multi-document transaction without a replica
 * set, so every document write is conditional on its position (`{_id, _position: {$lt: p}}`): a redelivered
 * event matches nothing, the upsert then hits the unique _id and is ignored. The checkpoint moves with
 * `$max` after the documents, so a crash between the two only causes a harmless redelivery.
 */
export class MongoReadModelStore implements ReadModelStore {
  private generationCounter = 0;

  private constructor(private readonly connection: mongoose.Connection) {}

  static async connect(url = process.env['MONGODB_URL']): Promise<MongoReadModelStore> {
    if (!url) throw new Error('MONGODB_URL is not set');
    const connection = await mongoose.createConnection(url).asPromise();
    const store = new MongoReadModelStore(connection);
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
    const candidate = await this.generations.findOne({ _id: generationKey(generation.projection, generation.id) });
    if (!candidate) throw new Error(`Unknown generation ${generation.id} of ${generation.projection}`);
    const live = await this.generations.findOne({ projection: generation.projection, live: true });
    if (live && live.checkpoint > candidate.checkpoint) return false;
    await this.generations.updateOne({ _id: candidate._id }, { $set: { live: true } });
    for (const c of generation.collections) {
      await this.liveCollections.updateOne({ _id: c }, { $set: { projection: generation.projection, generation: generation.id } }, { upsert: true });
    }
    if (live) {
      await this.generations.updateOne({ _id: live._id }, { $set: { live: false } });
      await this.dropGeneration({ projection: live.projection, id: live.generation, collections: live.collections });
    }
    return true;
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

  private async resolve(collection: string, generation?: Generation) {
    if (generation) return { physical: physicalName(collection, generation.id), projection: generation.projection, generationId: generation.id };
    const live = await this.liveCollections.findOne({ _id: collection });
    if (!live) throw new Error(`Collection ${collection} belongs to no registered projection`);
    return { physical: physicalName(collection, live.generation), projection: live.projection, generationId: live.generation };
  }

  private async generationOf(projection: string, generation?: Generation): Promise<GenerationRow> {
    const row = generation
      ? await this.generations.findOne({ _id: generationKey(projection, generation.id) })
      : await this.generations.findOne({ projection, live: true });
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
    const target = await this.generationOf(projection, generation);
    const byPhysical = new Map<string, mongoose.mongo.AnyBulkWriteOperation<StoredRow>[]>();
    const resolved = new Map<string, Awaited<ReturnType<MongoReadModelStore['resolve']>>>();
    for (const change of changes) {
      let target = resolved.get(change.collection);
      if (!target) {
        target = await this.resolve(change.collection, generation);
        resolved.set(change.collection, target);
      }
      const { physical, projection: owner } = target;
      if (owner !== projection) throw new Error(`Projection ${projection} may not write ${change.collection}`);
      const operations = byPhysical.get(physical) ?? [];
      operations.push({
        updateOne: {
          filter: { _id: change.id, _position: { $lt: change.position } },
          update: { $set: { _position: change.position, body: change.body } },
          upsert: true,
        },
      });
      byPhysical.set(physical, operations);
    }
    for (const [physical, operations] of byPhysical) {
      try {
        await this.documents(physical).bulkWrite(operations, { ordered: false });
      } catch (error) {
        // A newer version already stored: the conditional upsert collides with the existing _id. Anything else is real.
        const writeErrors = (error as { writeErrors?: { code: number }[] }).writeErrors;
        if (!writeErrors || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) throw error;
      }
    }
    await this.generations.updateOne({ _id: target._id }, { $max: { checkpoint } });
  }

  /** MongoDB has no transaction here: each commit stays conditional on position, so a crash between them is repaired by redelivery. */
  async stagingMark(projection: string, generation?: Generation): Promise<string> {
    const row = await this.generationOf(projection, generation);
    return `${row.generation}@${row.checkpoint}`;
  }

  /**
   * Without a transaction across collections, the staging mark is checked just before each projection's
   * writes: a swap in between is still possible, in a much narrower window than the whole batch.
   */
  async commitAll(commits: readonly ProjectionCommit[]): Promise<void> {
    for (const c of commits) {
      if (c.stagedOn !== undefined && c.stagedOn !== (await this.stagingMark(c.projection, c.generation))) throw new StaleStagingError(c.projection);
      await this.commit(c.projection, c.changes, c.checkpoint, c.generation);
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

  async close(): Promise<void> {
    await this.connection.close();
  }
}
