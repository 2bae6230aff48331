import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type DocumentBody,
  type DocumentChange,
  type DocumentPage,
  type FieldFilter,
  type IdRangeQuery,
  prefixEnd,
  type Generation,
  type ProjectionCommit,
  type QueriedFields,
  queriedFieldNames,
  type ReadModelStore,
  type SnapshotMark,
  StaleStagingError,
  type StoredDocument,
} from './port';

type Row = { id: string; position: number; body: string };
type LiveCollection = { projection: string; generation: string };
type LiveGeneration = { generation: string; collections: string[] };
type GenerationState = { checkpoint: number; last_snapshot: number; live: number };

/** the file the read models live in, inside DATA_DIR */
export const READ_MODELS_FILE = 'read-models.sqlite';

const physicalName = (collection: string, generationId: string) => `${collection}@${generationId}`;

/**
 * The expression index of one body field of one physical collection: partial on the collection, so a write to any
 * other collection costs it one string comparison (an index over every collection would parse each body per field).
 */
const FIELD_INDEX_PREFIX = 'rm_idx_';
const indexStem = (physical: string) => `${FIELD_INDEX_PREFIX}${createHash('sha1').update(physical).digest('hex').slice(0, 12)}_`;
export const fieldIndexName = (physical: string, field: string) => `${indexStem(physical)}${field}`;
/** a physical collection name as an SQL literal: the planner proves a partial index applies only from a literal */
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Embedded read models in one SQLite file (WAL). A batch of document changes and the projection's
 * checkpoint commit in one transaction, so a crash never leaves a checkpoint ahead of its documents.
 * Deleted documents stay as tombstones (body NULL) so that a later redelivery of an older event
 * cannot resurrect them and snapshots see the deletion.
 */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly db: Database.Database;
  private readonly statements;
  private generationCounter = 0;
  /**
   * Generation metadata (which generation is live, checkpoints), kept in memory instead of read with every
   * document: it changes only through this connection, which updates it, or through another process (an
   * admin rebuild), which SQLite's data_version reveals. That is checked inside every write transaction
   * and at most once per event-loop turn for reads, so a promotion elsewhere is seen within one turn.
   */
  private readonly liveByCollection = new Map<string, LiveCollection | undefined>();
  private readonly liveByProjection = new Map<string, LiveGeneration | undefined>();
  private readonly generationStates = new Map<string, GenerationState | undefined>();
  private dataVersion = -1;
  private checkedThisTurn = false;
  /** the field indexes that exist, as of `indexedAtSchemaVersion` (another connection may add or drop some) */
  private fieldIndexNames = new Set<string>();
  private indexedAtSchemaVersion = -1;

  /** `pageCacheMb`: SQLite's page cache for this connection (default 128 MB; it fills only as pages are used) */
  static open(dataDir = process.env['DATA_DIR'] ?? './data', fileName = READ_MODELS_FILE, options: { pageCacheMb?: number } = {}): SqliteReadModelStore {
    const path = fileName === ':memory:' ? ':memory:' : join(dataDir, fileName);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    return new SqliteReadModelStore(new Database(path), options);
  }

  constructor(db: Database.Database, options: { pageCacheMb?: number } = {}) {
    this.db = db;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Projections update documents all over a large B-tree: SQLite's default 2 MB page cache would
    // re-read pages from the OS on nearly every write.
    db.pragma(`cache_size = -${Math.round((options.pageCacheMb ?? 128) * 1024)}`);
    db.pragma('temp_store = MEMORY');
    // Several connections write this file: the live projections (a worker thread) and rebuilds (worker
    // threads, or an admin CLI). A rebuild's flush holds the write lock for a second or two; wait it out.
    db.pragma('busy_timeout = 60000');
    db.exec(`
      CREATE TABLE IF NOT EXISTS rm_documents (
        collection TEXT NOT NULL, id TEXT NOT NULL, position INTEGER NOT NULL, body TEXT,
        PRIMARY KEY (collection, id)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS rm_generations (
        projection TEXT NOT NULL, generation TEXT NOT NULL, collections TEXT NOT NULL, live INTEGER NOT NULL,
        checkpoint INTEGER NOT NULL DEFAULT 0, last_snapshot INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (projection, generation));
      -- (files written before snapshot windows listed here the documents changed since the last snapshot)
      CREATE TABLE IF NOT EXISTS rm_changed (collection TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS rm_live_collections (
        collection TEXT PRIMARY KEY, projection TEXT NOT NULL, generation TEXT NOT NULL);
      -- Time-travel history. Once a generation has taken its first snapshot, every commit also writes each
      -- changed document here, in the open window (snapshot_position = the last snapshot's position + 1; a
      -- document changed again in the same window replaces its row). Taking a snapshot then only closes the
      -- window with a mark (rm_snapshot_marks.snapshot_window): nothing is copied, so a live commit never stalls on
      -- one. A document as of a snapshot is its newest row in a window up to the snapshot's. Rows are
      -- clustered by window, so each window appends at the end of its collection's range; the narrow index
      -- finds a document's versions.
      CREATE TABLE IF NOT EXISTS rm_snapshot_rows (
        collection TEXT NOT NULL, snapshot_position INTEGER NOT NULL, id TEXT NOT NULL, position INTEGER NOT NULL, body TEXT,
        PRIMARY KEY (collection, snapshot_position, id)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS rm_snapshot_rows_by_document ON rm_snapshot_rows (collection, id, snapshot_position);
      CREATE TABLE IF NOT EXISTS rm_snapshot_marks (
        projection TEXT NOT NULL, generation TEXT NOT NULL, position INTEGER NOT NULL, recorded_at TEXT NOT NULL,
        PRIMARY KEY (projection, generation, position));
    `);
    this.migrateToSnapshotWindows();
    // files written before the snapshot rows were clustered by snapshot keep their history
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rm_snapshots'").get()) {
      db.transaction(() => {
        db.exec(`INSERT OR REPLACE INTO rm_snapshot_rows (collection, snapshot_position, id, position, body)
                 SELECT collection, snapshot_position, id, position, body FROM rm_snapshots; DROP TABLE rm_snapshots;`);
      })();
    }
    this.statements = {
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      schemaVersion: db.prepare<[], number>('PRAGMA schema_version').pluck(),
      fieldIndexes: db.prepare<[string], string>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'rm_documents' AND name LIKE ?").pluck(),
      get: db.prepare<[string, string], Row>('SELECT id, position, body FROM rm_documents WHERE collection = ? AND id = ? AND body IS NOT NULL'),
      getPosition: db.prepare<[string, string], { position: number }>('SELECT position FROM rm_documents WHERE collection = ? AND id = ?'),
      upsert: db.prepare<[string, string, number, string | null]>(
        `INSERT INTO rm_documents (collection, id, position, body) VALUES (?, ?, ?, ?)
         ON CONFLICT (collection, id) DO UPDATE SET position = excluded.position, body = excluded.body
         WHERE excluded.position > rm_documents.position`,
      ),
      liveGeneration: db.prepare<[string], { projection: string; generation: string }>(
        'SELECT projection, generation FROM rm_live_collections WHERE collection = ?',
      ),
      liveOfProjection: db.prepare<[string], { generation: string; collections: string; checkpoint: number }>(
        'SELECT generation, collections, checkpoint FROM rm_generations WHERE projection = ? AND live = 1',
      ),
      generation: db.prepare<[string, string], { checkpoint: number; last_snapshot: number; live: number }>(
        'SELECT checkpoint, last_snapshot, live FROM rm_generations WHERE projection = ? AND generation = ?',
      ),
      insertGeneration: db.prepare('INSERT INTO rm_generations (projection, generation, collections, live) VALUES (?, ?, ?, ?)'),
      moveCheckpoint: db.prepare('UPDATE rm_generations SET checkpoint = MAX(checkpoint, ?) WHERE projection = ? AND generation = ?'),
      insertLiveCollection: db.prepare('INSERT OR REPLACE INTO rm_live_collections (collection, projection, generation) VALUES (?, ?, ?)'),
      snapshotAll: db.prepare(
        `INSERT OR REPLACE INTO rm_snapshot_rows (collection, id, snapshot_position, position, body)
         SELECT collection, id, @snapshot, position, body FROM rm_documents WHERE collection = @collection`,
      ),
      insertSnapshotRow: db.prepare<[string, string, number, number, string | null]>(
        'INSERT OR REPLACE INTO rm_snapshot_rows (collection, id, snapshot_position, position, body) VALUES (?, ?, ?, ?, ?)',
      ),
      markSnapshot: db.prepare(
        'INSERT OR REPLACE INTO rm_snapshot_marks (projection, generation, position, recorded_at, snapshot_window) VALUES (?, ?, ?, ?, ?)',
      ),
      windowOfSnapshot: db.prepare<[string, string, number], number>(
        'SELECT snapshot_window FROM rm_snapshot_marks WHERE projection = ? AND generation = ? AND position = ?',
      ).pluck(),
      setLastSnapshot: db.prepare('UPDATE rm_generations SET last_snapshot = ? WHERE projection = ? AND generation = ?'),
      snapshotByPosition: db.prepare<[string, string, number], { position: number; recorded_at: string }>(
        'SELECT position, recorded_at FROM rm_snapshot_marks WHERE projection = ? AND generation = ? AND position <= ? ORDER BY position DESC LIMIT 1',
      ),
      snapshotByTime: db.prepare<[string, string, string], { position: number; recorded_at: string }>(
        'SELECT position, recorded_at FROM rm_snapshot_marks WHERE projection = ? AND generation = ? AND recorded_at <= ? ORDER BY position DESC LIMIT 1',
      ),
      // the primary key also orders by snapshot_position, and the planner would walk a whole collection backwards with it
      atSnapshot: db.prepare<[string, string, number], Row>(
        `SELECT id, position, body FROM rm_snapshot_rows INDEXED BY rm_snapshot_rows_by_document WHERE collection = ? AND id = ? AND snapshot_position <= ?
         ORDER BY snapshot_position DESC LIMIT 1`,
      ),
    };
  }

  async register(projection: string, collections: readonly string[], queriedBy?: QueriedFields): Promise<Generation> {
    queriedFieldNames(queriedBy);
    return this.changingGenerations(() => {
      const live = this.statements.liveOfProjection.get(projection);
      const generation = live
        ? { projection, id: live.generation, collections: JSON.parse(live.collections) as string[] }
        : { projection, id: 'g0', collections: [...collections] };
      if (!live) {
        this.statements.insertGeneration.run(projection, generation.id, JSON.stringify(collections), 1);
        for (const c of collections) this.statements.insertLiveCollection.run(c, projection, generation.id);
      }
      this.createFieldIndexes(generation.id, queriedBy);
      return generation;
    });
  }

  async createGeneration(projection: string, collections: readonly string[], queriedBy?: QueriedFields): Promise<Generation> {
    queriedFieldNames(queriedBy);
    const id = `g${Date.now().toString(36)}${(this.generationCounter++).toString(36)}`;
    this.changingGenerations(() => {
      this.statements.insertGeneration.run(projection, id, JSON.stringify(collections), 0);
      this.createFieldIndexes(id, queriedBy);
    });
    return { projection, id, collections: [...collections] };
  }

  async promoteGeneration(generation: Generation): Promise<boolean> {
    return this.changingGenerations(() => {
      const candidate = this.statements.generation.get(generation.projection, generation.id);
      if (!candidate) throw new Error(`Unknown generation ${generation.id} of ${generation.projection}`);
      const live = this.statements.liveOfProjection.get(generation.projection);
      if (live && live.checkpoint > candidate.checkpoint) return false;
      this.db.prepare('UPDATE rm_generations SET live = (generation = ?) WHERE projection = ?').run(generation.id, generation.projection);
      for (const c of generation.collections) this.statements.insertLiveCollection.run(c, generation.projection, generation.id);
      if (live) this.drop(generation.projection, live.generation, JSON.parse(live.collections) as string[]);
      return true;
    });
  }

  async dropGeneration(generation: Generation): Promise<void> {
    this.changingGenerations(() => this.drop(generation.projection, generation.id, generation.collections));
  }

  /** One index per queried field of each of the generation's collections: (the field's value, id), partial on the collection. */
  private createFieldIndexes(generationId: string, queriedBy: QueriedFields | undefined): void {
    for (const [collection, fields] of Object.entries(queriedBy ?? {})) {
      const physical = physicalName(collection, generationId);
      for (const field of fields) {
        this.db.exec(`CREATE INDEX IF NOT EXISTS ${fieldIndexName(physical, field)} ON rm_documents (json_extract(body, '$.${field}'), id) WHERE collection = ${literal(physical)}`);
      }
    }
  }

  /** the index a filter searches by: that of the first field of the filter that has one */
  private indexFor(physical: string, where: FieldFilter): string | undefined {
    const schemaVersion = this.statements.schemaVersion.get() as number;
    if (schemaVersion !== this.indexedAtSchemaVersion) {
      this.fieldIndexNames = new Set(this.statements.fieldIndexes.all(`${FIELD_INDEX_PREFIX}%`) as string[]);
      this.indexedAtSchemaVersion = schemaVersion;
    }
    return Object.keys(where)
      .map((field) => fieldIndexName(physical, field))
      .find((name) => this.fieldIndexNames.has(name));
  }

  /** a transaction that changes which generations exist or are live: the cached metadata is read again after it */
  private changingGenerations<T>(work: () => T): T {
    try {
      // IMMEDIATE: take the write lock first, so a transaction that reads before it writes never fails on
      // another connection's commit in between (SQLITE_BUSY_SNAPSHOT is not retried by the busy timeout)
      return this.db.transaction(work).immediate();
    } finally {
      this.forgetMetadata();
    }
  }

  private forgetMetadata(): void {
    this.liveByCollection.clear();
    this.liveByProjection.clear();
    this.generationStates.clear();
  }

  /** drops the cached metadata if another connection has committed since it was read */
  private checkDataVersion(): void {
    const version = this.statements.dataVersion.get() as number;
    if (version !== this.dataVersion) {
      this.dataVersion = version;
      this.forgetMetadata();
    }
  }

  /** for reads: data_version is checked once per event-loop turn */
  private freshMetadata(): void {
    if (this.checkedThisTurn) return;
    this.checkedThisTurn = true;
    setImmediate(() => (this.checkedThisTurn = false));
    this.checkDataVersion();
  }

  private liveCollection(collection: string): LiveCollection | undefined {
    if (!this.liveByCollection.has(collection)) this.liveByCollection.set(collection, this.statements.liveGeneration.get(collection));
    return this.liveByCollection.get(collection);
  }

  private liveGenerationOf(projection: string): LiveGeneration | undefined {
    if (!this.liveByProjection.has(projection)) {
      const row = this.statements.liveOfProjection.get(projection);
      this.liveByProjection.set(projection, row && { generation: row.generation, collections: JSON.parse(row.collections) as string[] });
    }
    return this.liveByProjection.get(projection);
  }

  private generationState(projection: string, generationId: string): GenerationState | undefined {
    const key = `${projection}\u0000${generationId}`;
    if (!this.generationStates.has(key)) {
      const row = this.statements.generation.get(projection, generationId);
      this.generationStates.set(key, row && { ...row });
    }
    return this.generationStates.get(key);
  }

  private drop(projection: string, generationId: string, collections: readonly string[]) {
    for (const c of collections) {
      const physical = physicalName(c, generationId);
      this.db.prepare('DELETE FROM rm_documents WHERE collection = ?').run(physical);
      this.db.prepare('DELETE FROM rm_snapshot_rows WHERE collection = ?').run(physical);
      const indexes = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'rm_documents' AND name LIKE ?").pluck().all(`${indexStem(physical)}%`) as string[];
      for (const index of indexes) this.db.exec(`DROP INDEX IF EXISTS ${index}`);
    }
    this.db.prepare('DELETE FROM rm_snapshot_marks WHERE projection = ? AND generation = ?').run(projection, generationId);
    this.db.prepare('DELETE FROM rm_generations WHERE projection = ? AND generation = ? AND live = 0').run(projection, generationId);
  }

  /** physical collection name and owning generation, resolved now (live unless a generation is given) */
  private resolve(collection: string, generation?: Generation): { physical: string; projection: string; generationId: string } {
    if (generation) return { physical: physicalName(collection, generation.id), projection: generation.projection, generationId: generation.id };
    const live = this.liveCollection(collection);
    if (!live) throw new Error(`Collection ${collection} belongs to no registered projection`);
    return { physical: physicalName(collection, live.generation), projection: live.projection, generationId: live.generation };
  }

  private generationOf(projection: string, generation?: Generation): string {
    if (generation) return generation.id;
    const live = this.liveGenerationOf(projection);
    if (!live) throw new Error(`Projection ${projection} is not registered`);
    return live.generation;
  }

  async get<T extends object = DocumentBody>(collection: string, id: string, generation?: Generation): Promise<StoredDocument<T> | undefined> {
    this.freshMetadata();
    const row = this.statements.get.get(this.resolve(collection, generation).physical, id);
    return row && toDocument<T>(row);
  }

  async find<T extends object = DocumentBody>(collection: string, where: FieldFilter = {}, generation?: Generation): Promise<StoredDocument<T>[]> {
    const { sql, params } = this.findQuery(collection, where, generation);
    return (this.db.prepare(sql).all(...params) as Row[]).map((row) => toDocument<T>(row));
  }

  /** how SQLite runs `find(collection, where)`: the EXPLAIN QUERY PLAN lines (for tests and diagnosis) */
  explainFind(collection: string, where: FieldFilter = {}, generation?: Generation): string[] {
    const { sql, params } = this.findQuery(collection, where, generation);
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail);
  }

  private findQuery(collection: string, where: FieldFilter, generation?: Generation): { sql: string; params: unknown[] } {
    this.freshMetadata();
    const { physical } = this.resolve(collection, generation);
    const conditions: string[] = [];
    const params: unknown[] = [];
    for (const [field, value] of Object.entries(where)) {
      if (!/^[A-Za-z0-9_]+$/.test(field)) throw new Error(`Unsupported field name ${field}`);
      if (value === null) conditions.push(`json_extract(body, '$.${field}') IS NULL`);
      else {
        conditions.push(`json_extract(body, '$.${field}') = ?`);
        params.push(typeof value === 'boolean' ? Number(value) : value);
      }
    }
    // Without statistics the planner prefers the primary key's collection range (it saves a lookup per row): name
    // the field's index, so a district's enterprises are an index search, not a scan of every enterprise. The
    // collection is a literal, so the planner can tell the partial index covers it.
    const index = this.indexFor(physical, where);
    const sql = `SELECT id, position, body FROM rm_documents${index ? ` INDEXED BY ${index}` : ''} WHERE collection = ${literal(physical)} AND body IS NOT NULL${conditions.map((c) => ` AND ${c}`).join('')} ORDER BY id`;
    return { sql, params };
  }

  async findPage<T extends object = DocumentBody>(collection: string, query: IdRangeQuery, generation?: Generation): Promise<DocumentPage<T>> {
    this.freshMetadata();
    const { physical } = this.resolve(collection, generation);
    const end = prefixEnd(query.idPrefix);
    const range = `collection = ? AND id >= ?${end === undefined ? '' : ' AND id < ?'} AND body IS NOT NULL`;
    const params: unknown[] = end === undefined ? [physical, query.idPrefix] : [physical, query.idPrefix, end];
    const total = this.db.prepare(`SELECT COUNT(*) FROM rm_documents WHERE ${range}`).pluck().get(...params) as number;
    const after = query.after !== undefined && query.after >= query.idPrefix ? query.after : undefined;
    const rows = this.db
      .prepare(`SELECT id, position, body FROM rm_documents WHERE ${range}${after === undefined ? '' : ' AND id > ?'} ORDER BY id LIMIT ?`)
      .all(...params, ...(after === undefined ? [] : [after]), query.limit) as Row[];
    return { items: rows.map((row) => toDocument<T>(row)), total };
  }

  async commit(projection: string, changes: readonly DocumentChange[], checkpoint: number, generation?: Generation): Promise<void> {
    await this.commitAll([{ projection, changes, checkpoint, generation }]);
  }

  async commitAll(commits: readonly ProjectionCommit[]): Promise<void> {
    try {
      this.db
        .transaction(() => {
          this.checkDataVersion();
          for (const c of commits) this.write(c);
        })
        .immediate();
    } catch (error) {
      // checkpoints were moved in memory as the transaction went: read them again
      this.forgetMetadata();
      throw error;
    }
  }

  /** one projection's documents, checkpoint and optional snapshot; runs inside the caller's transaction */
  private write({ projection, changes, checkpoint, generation, snapshot, stagedOn }: ProjectionCommit): void {
    const generationId = this.generationOf(projection, generation);
    const state = this.generationState(projection, generationId);
    if (stagedOn !== undefined && stagedOn !== this.markOf(generationId, state)) throw new StaleStagingError(projection);
    const lastSnapshot = state?.last_snapshot ?? 0;
    const keepsHistory = lastSnapshot > 0;
    const openWindow = lastSnapshot + 1;
    const physicalOf = new Map<string, string>();
    for (const change of changes) {
      let physical = physicalOf.get(change.collection);
      if (physical === undefined) {
        const resolved = this.resolve(change.collection, generation);
        if (resolved.projection !== projection) throw new Error(`Projection ${projection} may not write ${change.collection}`);
        physical = resolved.physical;
        physicalOf.set(change.collection, physical);
      }
      const body = change.body === null ? null : JSON.stringify(change.body);
      const written = this.statements.upsert.run(physical, change.id, change.position, body).changes > 0;
      if (keepsHistory && written) this.statements.insertSnapshotRow.run(physical, change.id, openWindow, change.position, body);
    }
    this.statements.moveCheckpoint.run(checkpoint, projection, generationId);
    if (state) state.checkpoint = Math.max(state.checkpoint, checkpoint);
    if (snapshot) this.closeSnapshotWindow(projection, generationId, this.collectionsOf(projection, generation), checkpoint, snapshot.recordedAt, lastSnapshot);
    if (snapshot && state) state.last_snapshot = checkpoint;
  }

  /**
   * Takes a snapshot at `position`: the generation's first copies every document (from then on each commit
   * keeps the history); any later one only closes the open window with a mark.
   */
  private closeSnapshotWindow(projection: string, generationId: string, collections: readonly string[], position: number, recordedAt: string, lastSnapshot: number): void {
    const window = lastSnapshot > 0 ? lastSnapshot + 1 : position;
    if (lastSnapshot === 0) {
      for (const c of collections) this.statements.snapshotAll.run({ snapshot: window, collection: physicalName(c, generationId) });
    }
    this.statements.markSnapshot.run(projection, generationId, position, recordedAt, window);
    this.statements.setLastSnapshot.run(position, projection, generationId);
  }

  /**
   * Files from before snapshot windows: marks get their window (the snapshot's own position, as their rows
   * were keyed), and documents listed as changed since the last snapshot are put into the open window.
   */
  private migrateToSnapshotWindows(): void {
    const db = this.db;
    const columns = db.prepare("SELECT name FROM pragma_table_info('rm_snapshot_marks')").pluck().all() as string[];
    if (columns.includes('snapshot_window')) return;
    db.transaction(() => {
      db.exec('ALTER TABLE rm_snapshot_marks ADD COLUMN snapshot_window INTEGER; UPDATE rm_snapshot_marks SET snapshot_window = position;');
      const generations = db.prepare('SELECT projection, generation, collections, last_snapshot FROM rm_generations WHERE last_snapshot > 0').all() as {
        projection: string;
        generation: string;
        collections: string;
        last_snapshot: number;
      }[];
      const carry = db.prepare(
        `INSERT OR REPLACE INTO rm_snapshot_rows (collection, id, snapshot_position, position, body)
         SELECT d.collection, d.id, ?, d.position, d.body FROM rm_changed c JOIN rm_documents d ON d.collection = c.collection AND d.id = c.id
         WHERE c.collection = ?`,
      );
      for (const g of generations) {
        for (const c of JSON.parse(g.collections) as string[]) carry.run(g.last_snapshot + 1, physicalName(c, g.generation));
      }
      db.exec('DELETE FROM rm_changed');
    })();
  }

  private collectionsOf(projection: string, generation?: Generation): string[] {
    if (generation) return [...generation.collections];
    return [...(this.liveGenerationOf(projection)?.collections ?? [])];
  }

  async stagingMark(projection: string, generation?: Generation): Promise<string> {
    this.freshMetadata();
    const generationId = this.generationOf(projection, generation);
    return this.markOf(generationId, this.generationState(projection, generationId));
  }

  private markOf(generationId: string, state: GenerationState | undefined): string {
    return `${generationId}@${state?.checkpoint ?? 0}`;
  }

  async checkpoint(projection: string, generation?: Generation): Promise<number> {
    this.freshMetadata();
    return this.generationState(projection, this.generationOf(projection, generation))?.checkpoint ?? 0;
  }

  async snapshot(projection: string, position: number, recordedAt: string, generation?: Generation): Promise<void> {
    this.changingGenerations(() => {
      this.checkDataVersion();
      const generationId = this.generationOf(projection, generation);
      const state = this.statements.generation.get(projection, generationId);
      if (!state) throw new Error(`Unknown generation ${generationId} of ${projection}`);
      this.closeSnapshotWindow(projection, generationId, this.collectionsOf(projection, generation), position, recordedAt, state.last_snapshot);
    });
  }

  async nearestSnapshot(projection: string, at: { position?: number; recordedAt?: string }, generation?: Generation): Promise<SnapshotMark | undefined> {
    const generationId = generation?.id ?? this.statements.liveOfProjection.get(projection)?.generation;
    if (generationId === undefined) return undefined;
    const row =
      at.position !== undefined
        ? this.statements.snapshotByPosition.get(projection, generationId, at.position)
        : this.statements.snapshotByTime.get(projection, generationId, at.recordedAt ?? '');
    return row && { position: row.position, recordedAt: row.recorded_at };
  }

  async getAtSnapshot<T extends object = DocumentBody>(
    collection: string,
    id: string,
    snapshotPosition: number,
    generation?: Generation,
  ): Promise<StoredDocument<T> | undefined> {
    this.freshMetadata();
    const { physical, projection, generationId } = this.resolve(collection, generation);
    const window = (this.statements.windowOfSnapshot.get(projection, generationId, snapshotPosition) as number | undefined) ?? snapshotPosition;
    const row = this.statements.atSnapshot.get(physical, id, window);
    return row && row.body !== null ? toDocument<T>(row) : undefined;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

const toDocument = <T extends object>(row: Row): StoredDocument<T> => ({ id: row.id, position: row.position, body: JSON.parse(row.body) as T });
