import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import {
  type DocumentBody,
  type DocumentChange,
  type DocumentPage,
  type IdRangeQuery,
  prefixEnd,
  type FieldFilter,
  type Generation,
  type ProjectionCommit,
  type QueriedFields,
  queriedFieldNames,
  type ReadModelStore,
  type SnapshotMark,
  StaleStagingError,
  type StoredDocument,
} from './port';

type Row = { id: string; position: string; body: DocumentBody | null };
type GenerationRow = { checkpoint: string; last_snapshot: string; live: boolean };

const SCHEMA_LOCK_KEY = 7_301_518_840_201;
/** the session advisory lock a runner holds while it projects (see acquireProjectionLock) */
const PROJECTION_LOCK_KEY = 7_301_518_840_202;

const physicalName = (collection: string, generationId: string) => `${collection}@${generationId}`;

// The same tables as SqliteReadModelStore, documents as jsonb. Deleted documents stay as tombstones (body NULL)
// so a redelivered older event cannot resurrect them; snapshot rows are kept per window (see commitAll).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS rm_documents (
  collection text NOT NULL, id text COLLATE "C" NOT NULL, position bigint NOT NULL, body jsonb,
  PRIMARY KEY (collection, id));
CREATE TABLE IF NOT EXISTS rm_generations (
  projection text NOT NULL, generation text NOT NULL, collections jsonb NOT NULL, live boolean NOT NULL,
  checkpoint bigint NOT NULL DEFAULT 0, last_snapshot bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (projection, generation));
CREATE TABLE IF NOT EXISTS rm_live_collections (
  collection text PRIMARY KEY, projection text NOT NULL, generation text NOT NULL);
CREATE TABLE IF NOT EXISTS rm_snapshot_rows (
  collection text NOT NULL, snapshot_position bigint NOT NULL, id text NOT NULL, position bigint NOT NULL, body jsonb,
  PRIMARY KEY (collection, snapshot_position, id));
CREATE INDEX IF NOT EXISTS rm_snapshot_rows_by_document ON rm_snapshot_rows (collection, id, snapshot_position);
CREATE TABLE IF NOT EXISTS rm_snapshot_marks (
  projection text NOT NULL, generation text NOT NULL, position bigint NOT NULL, recorded_at text NOT NULL,
  snapshot_window bigint NOT NULL,
  PRIMARY KEY (projection, generation, position));
`;

/**
 * Read models on PostgreSQL for distributed mode: the same model as SqliteReadModelStore (documents with the
 * position that wrote them, generations swapped after a rebuild, snapshot windows for time travel), with
 * documents as jsonb.
 *
 * A commitAll is one transaction: the generation rows of its projections are locked first (FOR UPDATE), then
 * the documents are upserted only where the change's position is newer than the stored one, the history rows
 * written, the checkpoints moved (never back) and the snapshots marked. Nothing of the generation metadata is
 * cached: several gateway instances may share the database and a rebuild may swap a generation at any time.
 */
export class PostgresReadModelStore implements ReadModelStore {
  private closed = false;

  private constructor(
    /** the pg module, loaded by connect(): an app on SQLite alone never loads it */
    private readonly pg: typeof import('pg'),
    private readonly pool: Pool,
    private readonly connectionString: string,
  ) {}

  static async connect(connectionString: string, options: { connections?: number } = {}): Promise<PostgresReadModelStore> {
    const pg = await import('pg');
    const pool = new pg.Pool({ connectionString, max: options.connections ?? 4, application_name: 'liangxin-read-models' });
    pool.on('error', () => undefined); // a broken idle connection is dropped by the pool
    const store = new PostgresReadModelStore(pg, pool, connectionString);
    try {
      await store.transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
        await client.query(SCHEMA);
      });
    } catch (error) {
      await pool.end();
      throw error;
    }
    return store;
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async register(projection: string, collections: readonly string[], queriedBy?: QueriedFields): Promise<Generation> {
    await this.createFieldIndexes(queriedBy);
    return this.transaction(async (client) => {
      // two instances registering the same projection at once: the second waits and finds the first's generation
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rm:${projection}`]);
      const { rows } = await client.query<{ generation: string; collections: string[] }>(
        'SELECT generation, collections FROM rm_generations WHERE projection = $1 AND live',
        [projection],
      );
      if (rows[0]) return { projection, id: rows[0].generation, collections: rows[0].collections };
      const generation = { projection, id: 'g0', collections: [...collections] };
      await client.query('INSERT INTO rm_generations (projection, generation, collections, live) VALUES ($1, $2, $3, true)', [
        projection, generation.id, JSON.stringify(collections),
      ]);
      await this.setLiveCollections(client, generation);
      return generation;
    });
  }

  /**
   * One expression index per queried field over (collection, the field's jsonb value), as in SQLite; `find` names the
   * field as a literal so the planner can match it. Several gateways start at once: one lock, so no two create an
   * index of the same name together (CREATE INDEX IF NOT EXISTS is not safe against that).
   */
  private async createFieldIndexes(queriedBy: QueriedFields | undefined): Promise<void> {
    const fields = queriedFieldNames(queriedBy);
    if (fields.length === 0) return;
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['rm:field-indexes']);
      for (const field of fields) {
        await client.query(`CREATE INDEX IF NOT EXISTS rm_documents_by_${field} ON rm_documents (collection, (body -> '${field}')) WHERE body -> '${field}' IS NOT NULL`);
      }
    });
  }

  private async setLiveCollections(client: PoolClient, generation: Generation): Promise<void> {
    await client.query(
      `INSERT INTO rm_live_collections (collection, projection, generation) SELECT c, $2, $3 FROM unnest($1::text[]) AS c
       ON CONFLICT (collection) DO UPDATE SET projection = excluded.projection, generation = excluded.generation`,
      [generation.collections, generation.projection, generation.id],
    );
  }

  async createGeneration(projection: string, collections: readonly string[], queriedBy?: QueriedFields): Promise<Generation> {
    await this.createFieldIndexes(queriedBy);
    const id = `g${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    await this.pool.query('INSERT INTO rm_generations (projection, generation, collections, live) VALUES ($1, $2, $3, false)', [
      projection, id, JSON.stringify(collections),
    ]);
    return { projection, id, collections: [...collections] };
  }

  async promoteGeneration(generation: Generation): Promise<boolean> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ generation: string; collections: string[]; checkpoint: string; live: boolean }>(
        'SELECT generation, collections, checkpoint, live FROM rm_generations WHERE projection = $1 ORDER BY generation FOR UPDATE',
        [generation.projection],
      );
      const candidate = rows.find((row) => row.generation === generation.id);
      if (!candidate) throw new Error(`Unknown generation ${generation.id} of ${generation.projection}`);
      const live = rows.find((row) => row.live);
      if (live && Number(live.checkpoint) > Number(candidate.checkpoint)) return false;
      await client.query('UPDATE rm_generations SET live = (generation = $1) WHERE projection = $2', [generation.id, generation.projection]);
      await this.setLiveCollections(client, generation);
      if (live && live.generation !== generation.id) await this.drop(client, generation.projection, live.generation, live.collections);
      return true;
    });
  }

  async dropGeneration(generation: Generation): Promise<void> {
    await this.transaction((client) => this.drop(client, generation.projection, generation.id, generation.collections));
  }

  private async drop(client: PoolClient, projection: string, generationId: string, collections: readonly string[]): Promise<void> {
    const physical = collections.map((c) => physicalName(c, generationId));
    await client.query('DELETE FROM rm_documents WHERE collection = ANY($1::text[])', [physical]);
    await client.query('DELETE FROM rm_snapshot_rows WHERE collection = ANY($1::text[])', [physical]);
    await client.query('DELETE FROM rm_snapshot_marks WHERE projection = $1 AND generation = $2', [projection, generationId]);
    await client.query('DELETE FROM rm_generations WHERE projection = $1 AND generation = $2 AND NOT live', [projection, generationId]);
  }

  /** physical collection name and owning generation, resolved now (live unless a generation is given) */
  private async resolve(
    collection: string,
    generation: Generation | undefined,
    client: Pool | PoolClient = this.pool,
  ): Promise<{ physical: string; projection: string; generationId: string }> {
    if (generation) return { physical: physicalName(collection, generation.id), projection: generation.projection, generationId: generation.id };
    const { rows } = await client.query<{ projection: string; generation: string }>(
      'SELECT projection, generation FROM rm_live_collections WHERE collection = $1',
      [collection],
    );
    if (!rows[0]) throw new Error(`Collection ${collection} belongs to no registered projection`);
    return { physical: physicalName(collection, rows[0].generation), projection: rows[0].projection, generationId: rows[0].generation };
  }

  private async generationOf(projection: string, generation: Generation | undefined, client: Pool | PoolClient = this.pool): Promise<string> {
    if (generation) return generation.id;
    const { rows } = await client.query<{ generation: string }>('SELECT generation FROM rm_generations WHERE projection = $1 AND live', [projection]);
    if (!rows[0]) throw new Error(`Projection ${projection} is not registered`);
    return rows[0].generation;
  }

  async get<T extends object = DocumentBody>(collection: string, id: string, generation?: Generation): Promise<StoredDocument<T> | undefined> {
    const { physical } = await this.resolve(collection, generation);
    const { rows } = await this.pool.query<Row>('SELECT id, position, body FROM rm_documents WHERE collection = $1 AND id = $2 AND body IS NOT NULL', [physical, id]);
    return rows[0] && toDocument<T>(rows[0]);
  }

  async find<T extends object = DocumentBody>(collection: string, where: FieldFilter = {}, generation?: Generation): Promise<StoredDocument<T>[]> {
    const { sql, params } = await this.findQuery(collection, where, generation);
    const { rows } = await this.pool.query<Row>(sql, params);
    return rows.map((row) => toDocument<T>(row));
  }

  /** how PostgreSQL runs `find(collection, where)`: the EXPLAIN lines (for tests and diagnosis) */
  async explainFind(collection: string, where: FieldFilter = {}, generation?: Generation): Promise<string[]> {
    const { sql, params } = await this.findQuery(collection, where, generation);
    const { rows } = await this.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
    return rows.map((row) => row['QUERY PLAN']);
  }

  private async findQuery(collection: string, where: FieldFilter, generation?: Generation): Promise<{ sql: string; params: unknown[] }> {
    const { physical } = await this.resolve(collection, generation);
    const params: unknown[] = [physical];
    const conditions: string[] = [];
    for (const [field, value] of Object.entries(where)) {
      if (!/^[A-Za-z0-9_]+$/.test(field)) throw new Error(`Unsupported field name ${field}`);
      // the field as a literal (checked above), so the expression matches the field's index;
      // as SQLite's json_extract: a missing field and a JSON null both match null
      if (value === null) conditions.push(`coalesce(body -> '${field}', 'null'::jsonb) = 'null'::jsonb`);
      else conditions.push(`body -> '${field}' = $${params.push(JSON.stringify(value))}::jsonb`);
    }
    return { sql: `SELECT id, position, body FROM rm_documents WHERE collection = $1 AND body IS NOT NULL${conditions.map((c) => ` AND ${c}`).join('')} ORDER BY id`, params };
  }

  /** Ids compare byte by byte (COLLATE "C"), as in SQLite and MongoDB, so a prefix is a range of the primary key. */
  async findPage<T extends object = DocumentBody>(collection: string, query: IdRangeQuery, generation?: Generation): Promise<DocumentPage<T>> {
    const { physical } = await this.resolve(collection, generation);
    const end = prefixEnd(query.idPrefix);
    const params: unknown[] = [physical, query.idPrefix];
    const range = `collection = $1 AND id >= $2${end === undefined ? '' : ` AND id < $${params.push(end)}`} AND body IS NOT NULL`;
    const { rows: counted } = await this.pool.query<{ total: string }>(`SELECT count(*) AS total FROM rm_documents WHERE ${range}`, params);
    const after = query.after !== undefined && query.after >= query.idPrefix ? query.after : undefined;
    const pageParams = [...params];
    const afterCondition = after === undefined ? '' : ` AND id > $${pageParams.push(after)}`;
    const { rows } = await this.pool.query<Row>(
      `SELECT id, position, body FROM rm_documents WHERE ${range}${afterCondition} ORDER BY id LIMIT $${pageParams.push(query.limit)}`,
      pageParams,
    );
    return { items: rows.map((row) => toDocument<T>(row)), total: Number(counted[0].total) };
  }

  async commit(projection: string, changes: readonly DocumentChange[], checkpoint: number, generation?: Generation): Promise<void> {
    await this.commitAll([{ projection, changes, checkpoint, generation }]);
  }

  async commitAll(commits: readonly ProjectionCommit[]): Promise<void> {
    await this.transaction(async (client) => {
      for (const commit of commits) await this.write(client, commit);
    });
  }

  /** one projection's documents, checkpoint and optional snapshot, inside the caller's transaction */
  private async write(client: PoolClient, { projection, changes, checkpoint, generation, snapshot, stagedOn }: ProjectionCommit): Promise<void> {
    const generationId = await this.generationOf(projection, generation, client);
    // locked until the commit: a promotion, a snapshot or another instance's batch of this projection waits
    const { rows } = await client.query<GenerationRow>(
      'SELECT checkpoint, last_snapshot, live FROM rm_generations WHERE projection = $1 AND generation = $2 FOR UPDATE',
      [projection, generationId],
    );
    const state = rows[0];
    if (stagedOn !== undefined && stagedOn !== markOf(generationId, state)) throw new StaleStagingError(projection);
    if (!generation && !state?.live) throw new StaleStagingError(projection); // swapped out while we waited for the lock
    const lastSnapshot = Number(state?.last_snapshot ?? 0);

    // one change per document: the newest position, the first of equals (as applying them in order would keep)
    const newest = new Map<string, DocumentChange & { physical: string }>();
    const physicalOf = new Map<string, string>();
    for (const change of changes) {
      let physical = physicalOf.get(change.collection);
      if (physical === undefined) {
        const resolved = await this.resolve(change.collection, generation, client);
        if (resolved.projection !== projection) throw new Error(`Projection ${projection} may not write ${change.collection}`);
        physical = resolved.physical;
        physicalOf.set(change.collection, physical);
      }
      const key = `${physical}\u0000${change.id}`;
      const kept = newest.get(key);
      if (!kept || change.position > kept.position) newest.set(key, { ...change, physical });
    }
    if (newest.size > 0) {
      const batch = [...newest.values()];
      // Once the generation has a snapshot, every written document also goes into the open window, so taking the
      // next snapshot only closes the window (see SqliteReadModelStore).
      await client.query(
        `WITH written AS (
           INSERT INTO rm_documents (collection, id, position, body)
           SELECT c, i, p, b FROM unnest($1::text[], $2::text[], $3::bigint[], $4::jsonb[]) AS x(c, i, p, b)
           ON CONFLICT (collection, id) DO UPDATE SET position = excluded.position, body = excluded.body
             WHERE excluded.position > rm_documents.position
           RETURNING collection, id, position, body)
         INSERT INTO rm_snapshot_rows (collection, snapshot_position, id, position, body)
         SELECT collection, $5, id, position, body FROM written WHERE $6
         ON CONFLICT (collection, snapshot_position, id) DO UPDATE SET position = excluded.position, body = excluded.body`,
        [
          batch.map((c) => c.physical), batch.map((c) => c.id), batch.map((c) => c.position),
          batch.map((c) => (c.body === null ? null : JSON.stringify(c.body))), lastSnapshot + 1, lastSnapshot > 0,
        ],
      );
    }
    await client.query('UPDATE rm_generations SET checkpoint = GREATEST(checkpoint, $1) WHERE projection = $2 AND generation = $3', [
      checkpoint, projection, generationId,
    ]);
    if (snapshot) {
      const collections = await this.collectionsOf(client, projection, generationId);
      await this.closeSnapshotWindow(client, projection, generationId, collections, checkpoint, snapshot.recordedAt, lastSnapshot);
    }
  }

  /** the generation's first snapshot copies every document; any later one only closes the open window with a mark */
  private async closeSnapshotWindow(
    client: PoolClient,
    projection: string,
    generationId: string,
    collections: readonly string[],
    position: number,
    recordedAt: string,
    lastSnapshot: number,
  ): Promise<void> {
    const window = lastSnapshot > 0 ? lastSnapshot + 1 : position;
    if (lastSnapshot === 0) {
      await client.query(
        `INSERT INTO rm_snapshot_rows (collection, snapshot_position, id, position, body)
         SELECT collection, $1, id, position, body FROM rm_documents WHERE collection = ANY($2::text[])
         ON CONFLICT (collection, snapshot_position, id) DO UPDATE SET position = excluded.position, body = excluded.body`,
        [window, collections.map((c) => physicalName(c, generationId))],
      );
    }
    await client.query(
      `INSERT INTO rm_snapshot_marks (projection, generation, position, recorded_at, snapshot_window) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (projection, generation, position) DO UPDATE SET recorded_at = excluded.recorded_at, snapshot_window = excluded.snapshot_window`,
      [projection, generationId, position, recordedAt, window],
    );
    await client.query('UPDATE rm_generations SET last_snapshot = $1 WHERE projection = $2 AND generation = $3', [position, projection, generationId]);
  }

  private async collectionsOf(client: PoolClient, projection: string, generationId: string): Promise<string[]> {
    const { rows } = await client.query<{ collections: string[] }>('SELECT collections FROM rm_generations WHERE projection = $1 AND generation = $2', [
      projection, generationId,
    ]);
    return rows[0]?.collections ?? [];
  }

  async stagingMark(projection: string, generation?: Generation): Promise<string> {
    const generationId = await this.generationOf(projection, generation);
    const { rows } = await this.pool.query<GenerationRow>('SELECT checkpoint, last_snapshot, live FROM rm_generations WHERE projection = $1 AND generation = $2', [
      projection, generationId,
    ]);
    return markOf(generationId, rows[0]);
  }

  async checkpoint(projection: string, generation?: Generation): Promise<number> {
    const generationId = await this.generationOf(projection, generation);
    const { rows } = await this.pool.query<{ checkpoint: string }>('SELECT checkpoint FROM rm_generations WHERE projection = $1 AND generation = $2', [
      projection, generationId,
    ]);
    return Number(rows[0]?.checkpoint ?? 0);
  }

  async snapshot(projection: string, position: number, recordedAt: string, generation?: Generation): Promise<void> {
    await this.transaction(async (client) => {
      const generationId = await this.generationOf(projection, generation, client);
      const { rows } = await client.query<GenerationRow>(
        'SELECT checkpoint, last_snapshot, live FROM rm_generations WHERE projection = $1 AND generation = $2 FOR UPDATE',
        [projection, generationId],
      );
      if (!rows[0]) throw new Error(`Unknown generation ${generationId} of ${projection}`);
      const collections = await this.collectionsOf(client, projection, generationId);
      await this.closeSnapshotWindow(client, projection, generationId, collections, position, recordedAt, Number(rows[0].last_snapshot));
    });
  }

  async nearestSnapshot(projection: string, at: { position?: number; recordedAt?: string }, generation?: Generation): Promise<SnapshotMark | undefined> {
    let generationId = generation?.id;
    if (generationId === undefined) {
      const { rows } = await this.pool.query<{ generation: string }>('SELECT generation FROM rm_generations WHERE projection = $1 AND live', [projection]);
      generationId = rows[0]?.generation;
    }
    if (generationId === undefined) return undefined;
    const { rows } =
      at.position !== undefined
        ? await this.pool.query<{ position: string; recorded_at: string }>(
            'SELECT position, recorded_at FROM rm_snapshot_marks WHERE projection = $1 AND generation = $2 AND position <= $3 ORDER BY position DESC LIMIT 1',
            [projection, generationId, at.position],
          )
        : await this.pool.query<{ position: string; recorded_at: string }>(
            'SELECT position, recorded_at FROM rm_snapshot_marks WHERE projection = $1 AND generation = $2 AND recorded_at <= $3 ORDER BY position DESC LIMIT 1',
            [projection, generationId, at.recordedAt ?? ''],
          );
    return rows[0] && { position: Number(rows[0].position), recordedAt: rows[0].recorded_at };
  }

  async getAtSnapshot<T extends object = DocumentBody>(
    collection: string,
    id: string,
    snapshotPosition: number,
    generation?: Generation,
  ): Promise<StoredDocument<T> | undefined> {
    const { physical, projection, generationId } = await this.resolve(collection, generation);
    const { rows } = await this.pool.query<Row>(
      `SELECT id, position, body FROM rm_snapshot_rows
        WHERE collection = $1 AND id = $2
          AND snapshot_position <= coalesce(
            (SELECT snapshot_window FROM rm_snapshot_marks WHERE projection = $3 AND generation = $4 AND position = $5), $5)
        ORDER BY snapshot_position DESC LIMIT 1`,
      [physical, id, projection, generationId, snapshotPosition],
    );
    return rows[0] && rows[0].body !== null ? toDocument<T>(rows[0]) : undefined;
  }

  /**
   * Waits until this process holds the projection lock (a session advisory lock on a connection of its own),
   * so only one runner of all the gateway instances projects at a time; the next one takes over when the
   * holder releases it or dies (its connection closes and PostgreSQL frees the lock). `lost` is called if the
   * lock's connection breaks while held: the caller must stop projecting.
   */
  async acquireProjectionLock(options: { lost?: (error: unknown) => void; pollMs?: number } = {}): Promise<{ release(): Promise<void> }> {
    const client = new this.pg.Client({ connectionString: this.connectionString, application_name: 'liangxin-projection-lock' });
    await client.connect();
    let released = false;
    client.on('error', (error) => {
      if (!released) options.lost?.(error);
    });
    try {
      // try-lock in a loop rather than a blocking pg_advisory_lock, so close() never waits behind another holder
      while (!(await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [PROJECTION_LOCK_KEY])).rows[0].locked) {
        if (this.closed) throw new Error('PostgresReadModelStore is closed');
        await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return {
      release: async () => {
        if (released) return;
        released = true;
        await client.end().catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

const markOf = (generationId: string, state: GenerationRow | undefined) => `${generationId}@${Number(state?.checkpoint ?? 0)}`;

const toDocument = <T extends object>(row: Row): StoredDocument<T> => ({ id: row.id, position: Number(row.position), body: row.body as T });
