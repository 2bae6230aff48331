import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Event, NewEvent, RecordedEvent } from '@liangxin/contracts';
import { GroupCommitQueue, type GroupCommitStats } from '../group-commit-queue';
import { LiveSubscriptions } from '../live-subscriptions';
import type {
  AppendOptions,
  AppendResult,
  BrokenLink,
  EventStore,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
  TamperEvidence,
  VerifyReport,
} from '../port';
import { prepareAppend, toAppendOutcome, tupleToRecordedEvent, type PreparedAppend } from './commit-protocol';
import type { SqliteDurability } from './commit-worker';
import { canonicalContent, chainHash, fromStoredHash, GENESIS_HASH, streamChainHash } from './hash-chain';
import { EVENT_COLUMNS, type EventRow, type StoredEventTuple } from './schema';
import { WorkerCommitter } from './worker-committer';

/**
 * - 'fsync': every commit is synced to disk before appends are acknowledged (synchronous=FULL);
 *   acknowledged events survive a power cut.
 * - 'os': the WAL is handed to the OS and synced at checkpoints (synchronous=NORMAL); acknowledged events
 *   survive a process crash, but a power cut may lose the last commits.
 */
export type { SqliteDurability };

export interface SqliteEventStoreOptions {
  /** path of the database file (':memory:' is not supported: reads use a second connection) */
  file: string;
  durability?: SqliteDurability;
  /** how often live subscriptions look for events appended by another process (default 250 ms) */
  pollIntervalMs?: number;
  /** most events one group commit may hold; the rest wait for the next commit (default 10 000) */
  maxEventsPerCommit?: number;
  /**
   * how long a commit waits for the write lock while another process (an admin CLI) holds it, before the
   * appends of that group fail with SQLITE_BUSY (default 5 000 ms)
   */
  busyTimeoutMs?: number;
}

export type { GroupCommitStats };

const DEFAULT_READ_LIMIT = 10_000;
const SUBSCRIPTION_BATCH = 500;
/** how many of the latest committed events stay in memory for live subscriptions (a few seconds at full load) */
const TAIL_SIZE = 4_096;

/**
 * The embedded event store: one SQLite file in WAL mode, one writer connection and one reader connection.
 *
 * The writer connection lives in a worker thread (commit-worker.ts), so the sync to disk of every commit
 * blocks that thread, never this one. Appends are group-committed: those queued while a commit is in flight
 * go to the worker together as the next transaction, so concurrent commands share one sync, yet each keeps
 * its own outcome. Reads use this thread's read connection.
 */
export class SqliteEventStore implements EventStore, TamperEvidence {
  private readonly commits: GroupCommitQueue | undefined;
  private closed = false;
  private readonly live: LiveSubscriptions;
  private readonly selectHead: Database.Statement<[], { head: number | null }>;
  private readonly readStatements = new Map<string, Database.Statement>();
  /**
   * The latest events this process committed, as the rows the store holds, gap-free and in order. Live
   * subscriptions (every consumer and projection reads each new event) are served from here instead of
   * querying the file again; a range the tail does not fully cover (another process wrote) goes to SQLite.
   */
  private tail: StoredEventTuple[] = [];

  private constructor(
    /** undefined for a reader: a process (or thread) that only follows the log another one writes */
    private readonly committer: WorkerCommitter | undefined,
    private readonly readDb: Database.Database,
    private readonly options: Required<SqliteEventStoreOptions>,
  ) {
    this.selectHead = readDb.prepare('SELECT max(global_position) AS head FROM events');
    this.live = new LiveSubscriptions({ readBatch: (after, limit, filter) => this.readLiveBatch(after, limit, filter), pollIntervalMs: options.pollIntervalMs, batchSize: SUBSCRIPTION_BATCH });
    this.commits =
      committer &&
      new GroupCommitQueue({
        commit: async (group) => {
          // the worker died: nothing of this group is known to be durable
          const reply = await committer.commit(group.map((append) => append.serialized));
          return group.map((append, i) => toAppendOutcome(append, reply[i]));
        },
        maxEventsPerCommit: options.maxEventsPerCommit,
        onRecorded: (append, result) => this.remember(append, result),
        onCommitted: () => this.live.notify(),
      });
  }

  static open(options: SqliteEventStoreOptions): SqliteEventStore {
    const settings: Required<SqliteEventStoreOptions> = {
      durability: 'fsync',
      pollIntervalMs: 250,
      maxEventsPerCommit: 10_000,
      busyTimeoutMs: 5_000,
      ...options,
    };
    if (settings.file === ':memory:') throw new Error('SqliteEventStore needs a file: reads use their own connection');
    mkdirSync(dirname(settings.file), { recursive: true });
    // the worker creates the schema before it answers, so the read connection opens an existing database
    const committer = WorkerCommitter.start({ file: settings.file, durability: settings.durability, busyTimeoutMs: settings.busyTimeoutMs });
    try {
      const readDb = new Database(settings.file, { readonly: true });
      readDb.pragma('busy_timeout = 5000');
      return new SqliteEventStore(committer, readDb, settings);
    } catch (error) {
      void committer.close();
      throw error;
    }
  }

  /**
   * The log of an existing store file, read-only: for a worker thread that follows what the owning store
   * appends (projections), with no commit worker of its own. Appending through it fails.
   */
  static openReader(options: Pick<SqliteEventStoreOptions, 'file' | 'pollIntervalMs'>): SqliteEventStore {
    const readDb = new Database(options.file, { readonly: true, fileMustExist: true });
    readDb.pragma('busy_timeout = 5000');
    return new SqliteEventStore(undefined, readDb, { durability: 'os', maxEventsPerCommit: 0, busyTimeoutMs: 5_000, pollIntervalMs: 250, ...options });
  }

  append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('SqliteEventStore is closed'));
    if (!this.commits) return Promise.reject(new Error('This SqliteEventStore was opened as a reader: it cannot append'));
    return this.commits.enqueue(prepareAppend(streamId, events, options));
  }

  /** Adds committed events to the tail, as the very JSON text that was stored. */
  private remember(append: PreparedAppend, result: AppendResult): void {
    const first = result.events[0];
    if (!first) return;
    const last = this.tail[this.tail.length - 1];
    // another process wrote in between: the tail restarts so that it stays gap-free
    if (last && last[0] + 1 !== first.globalPosition) this.tail = [];
    result.events.forEach((event, i) => {
      const stored = append.serialized.events[i];
      this.tail.push([
        event.globalPosition, event.eventId, event.streamId, event.streamVersion, event.type, event.schemaVersion,
        stored.data, stored.metadata, event.occurredAt, event.recordedAt,
      ]);
    });
    if (this.tail.length > TAIL_SIZE * 2) this.tail = this.tail.slice(-TAIL_SIZE);
  }

  /** Rows after `after` up to `until` from the tail, or undefined when the tail does not hold that whole range. */
  private readTail(after: number, until: number, limit: number, types: readonly string[], prefixes: readonly string[]): StoredEventTuple[] | undefined {
    const tail = this.tail;
    if (tail.length === 0) return undefined;
    const firstPosition = tail[0][0];
    const lastPosition = tail[tail.length - 1][0];
    if (after < firstPosition - 1 || until > lastPosition) return undefined;
    const rows: StoredEventTuple[] = [];
    for (let i = after + 1 - firstPosition; i < tail.length && rows.length < limit; i++) {
      const row = tail[i];
      if (row[0] > until) break;
      if (types.length > 0 && !types.includes(row[4])) continue;
      if (prefixes.length > 0 && !prefixes.some((prefix) => row[2].startsWith(prefix))) continue;
      rows.push(row);
    }
    return rows;
  }

  stats(): GroupCommitStats {
    return this.commits?.stats() ?? { commits: 0, appends: 0, events: 0, largestGroup: 0 };
  }

  async readStream<E extends Event = Event>(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<E>[]> {
    const rows = this.statement(
      'readStream',
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND stream_version >= ? AND global_position <= ?
       ORDER BY stream_version`,
    ).all(streamId, options.fromVersion ?? 0, options.untilPosition ?? Number.MAX_SAFE_INTEGER) as StoredEventTuple[];
    return rows.map(tupleToRecordedEvent) as RecordedEvent<E>[];
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readAllSync(options).map(tupleToRecordedEvent);
  }

  /** by the unique index on event_id: the hint is not needed */
  async readEvent(eventId: string): Promise<RecordedEvent | undefined> {
    const row = this.statement('readEvent', `SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ?`).get(eventId) as StoredEventTuple | undefined;
    return row && tupleToRecordedEvent(row);
  }

  private readAllSync(options: ReadAllOptions): StoredEventTuple[] {
    const types = options.types ?? [];
    const prefixes = options.streamPrefixes ?? [];
    const conditions = ['global_position > ?', 'global_position <= ?'];
    if (types.length > 0) conditions.push(`type IN (${types.map(() => '?').join(', ')})`);
    if (prefixes.length > 0) conditions.push(`(${prefixes.map(() => 'substr(stream_id, 1, ?) = ?').join(' OR ')})`);
    const sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${conditions.join(' AND ')} ORDER BY global_position LIMIT ?`;
    const params: (string | number)[] = [options.after ?? 0, options.until ?? Number.MAX_SAFE_INTEGER, ...types];
    for (const prefix of prefixes) params.push(prefix.length, prefix);
    params.push(options.limit ?? DEFAULT_READ_LIMIT);
    return this.statement(`readAll:${types.length}:${prefixes.length}`, sql).all(...params) as StoredEventTuple[];
  }

  subscribeToAll(
    options: SubscribeOptions,
    handler: (event: RecordedEvent) => Promise<void> | void,
    onError?: (error: unknown) => void,
  ): Subscription {
    return this.live.start(options, handler, onError);
  }

  /** A live subscription's next batch (see CatchUpSource.readBatch). */
  private async readLiveBatch(after: number, limit: number, filter: Pick<SubscribeOptions, 'types' | 'streamPrefixes' | 'until'>): Promise<{ events: RecordedEvent[]; scannedTo: number }> {
    const head = Math.min(this.selectHead.get()?.head ?? 0, filter.until ?? Number.MAX_SAFE_INTEGER);
    const rows =
      this.readTail(after, head, limit, filter.types ?? [], filter.streamPrefixes ?? []) ??
      this.readAllSync({ ...filter, after, limit, until: head });
    const events = rows.map(tupleToRecordedEvent);
    return { events, scannedTo: rows.length < limit ? head : rows[rows.length - 1][0] };
  }

  async headPosition(): Promise<number> {
    return this.selectHead.get()?.head ?? 0;
  }

  /** Recomputes both hash chains over the whole log and names the first row that does not match. */
  async verify(): Promise<VerifyReport> {
    let previousPosition = 0;
    let previousHash = GENESIS_HASH;
    const streams = new Map<string, { version: number; hash: string }>();
    let eventsChecked = 0;
    const rows = this.readDb.prepare('SELECT * FROM events ORDER BY global_position').iterate() as IterableIterator<EventRow>;
    for (const row of rows) {
      const broken = (reason: BrokenLink['reason']): VerifyReport => ({
        ok: false,
        eventsChecked,
        brokenLink: { globalPosition: row.global_position, streamId: row.stream_id, eventId: row.event_id, reason },
      });
      const stream = streams.get(row.stream_id) ?? { version: -1, hash: GENESIS_HASH };
      const canonical = canonicalContent(row);
      if (row.global_position !== previousPosition + 1) return closeAndReturn(rows, broken('global_position_gap'));
      const rowHash = fromStoredHash(row.hash);
      const rowStreamHash = fromStoredHash(row.stream_hash);
      if (chainHash(previousHash, canonical) !== rowHash) return closeAndReturn(rows, broken('global_hash_mismatch'));
      if (row.stream_version !== stream.version + 1) return closeAndReturn(rows, broken('stream_version_gap'));
      if (streamChainHash(stream.hash, rowHash) !== rowStreamHash) return closeAndReturn(rows, broken('stream_hash_mismatch'));
      previousPosition = row.global_position;
      previousHash = rowHash;
      streams.set(row.stream_id, { version: row.stream_version, hash: rowStreamHash });
      eventsChecked += 1;
    }
    return { ok: true, eventsChecked };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.live.stopAll();
    await this.commits?.drain();
    await this.committer?.close();
    this.readDb.close();
  }

  private statement(key: string, sql: string): Database.Statement {
    let statement = this.readStatements.get(key);
    if (!statement) {
      statement = this.readDb.prepare(sql).raw(true);
      this.readStatements.set(key, statement);
    }
    return statement;
  }
}

const closeAndReturn = (rows: IterableIterator<EventRow>, report: VerifyReport): VerifyReport => {
  rows.return?.();
  return report;
};
