import type { Client, ClientConfig, Pool } from 'pg';
import type { Event, NewEvent, RecordedEvent } from '@liangxin/contracts';
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
import { prepareAppend, type PreparedAppend } from '../sqlite/commit-protocol';
import { canonicalContent, chainHash, GENESIS_HASH, streamChainHash } from '../sqlite/hash-chain';
import { GroupCommitQueue, type GroupCommitStats } from '../group-commit-queue';
import type { AppendOutcome } from '../sqlite/commit-protocol';
import { commitGroup } from './commit-group';
import { positionsAsNumbers, toRecordedEvent } from './rows';
import { EVENT_COLUMNS, EVENTS_CHANNEL, SCHEMA, SCHEMA_LOCK_KEY, type EventRow } from './schema';

export interface PostgresEventStoreOptions {
  /** postgres://user@host:5432/database */
  connectionString: string;
  /**
   * how often live subscriptions look for new events when no notification came (default 1 000 ms): NOTIFY
   * wakes them at once, the poll covers a listening connection that was lost and is being re-opened
   */
  pollIntervalMs?: number;
  /** most events one group commit may hold; the rest wait for the next commit (default 10 000) */
  maxEventsPerCommit?: number;
  /** connections for reads and subscriptions (default 4); appends use one more, LISTEN one more */
  readConnections?: number;
  /** application_name shown in pg_stat_activity (default 'liangxin-event-store') */
  applicationName?: string;
}

const DEFAULT_READ_LIMIT = 10_000;
const SUBSCRIPTION_BATCH = 500;
const VERIFY_PAGE = 2_000;
const RELISTEN_DELAY_MS = 1_000;

/**
 * The event store on PostgreSQL, for the distributed mode: any number of app instances append to one
 * database. Positions are gap-free and become visible in order, because every append transaction first takes
 * the one-row log head FOR UPDATE (see commit-group.ts and the README).
 *
 * Appends of one process are group-committed over one writer connection: those queued while a commit is in
 * flight go together as the next transaction, each keeping its own outcome. Live subscriptions are woken by
 * LISTEN/NOTIFY (any instance's appends) and by this process's own commits, with a poll as a fallback.
 */
export class PostgresEventStore implements EventStore, TamperEvidence {
  private readonly commits: GroupCommitQueue;
  private closed = false;
  private writer: Promise<Client> | undefined;
  private listener: Client | undefined;
  private relistenTimer: NodeJS.Timeout | undefined;
  private readonly live: LiveSubscriptions;

  private constructor(
    /** the pg module, loaded by connect(): an app on SQLite alone never loads it */
    private readonly pg: typeof import('pg'),
    private readonly clientConfig: ClientConfig,
    private readonly reads: Pool,
    private readonly options: Required<Omit<PostgresEventStoreOptions, 'connectionString' | 'applicationName'>>,
  ) {
    this.live = new LiveSubscriptions({ readBatch: (after, limit, filter) => this.readLiveBatch(after, limit, filter), pollIntervalMs: options.pollIntervalMs, batchSize: SUBSCRIPTION_BATCH });
    this.commits = new GroupCommitQueue({
      commit: (group) => this.commitOnWriter(group),
      maxEventsPerCommit: options.maxEventsPerCommit,
      onCommitted: () => this.live.notify(),
    });
  }

  /** Connects and creates the schema if it is missing (instances starting together take turns). */
  static async connect(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const pg = await import('pg');
    const clientConfig: ClientConfig = {
      connectionString: options.connectionString,
      application_name: options.applicationName ?? 'liangxin-event-store',
      types: positionsAsNumbers(pg.types),
    };
    const reads = new pg.Pool({ ...clientConfig, max: options.readConnections ?? 4 });
    // an idle pooled connection that breaks (a server restart) is dropped by the pool; without a listener it would crash the process
    reads.on('error', () => undefined);
    const store = new PostgresEventStore(pg, clientConfig, reads, {
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      maxEventsPerCommit: options.maxEventsPerCommit ?? 10_000,
      readConnections: options.readConnections ?? 4,
    });
    try {
      const client = await store.writerClient();
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
      await client.query(SCHEMA);
      await client.query('COMMIT');
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('PostgresEventStore is closed'));
    return this.commits.enqueue(prepareAppend(streamId, events, options));
  }

  private async commitOnWriter(group: readonly PreparedAppend[]): Promise<AppendOutcome[]> {
    let client: Client;
    try {
      client = await this.writerClient();
    } catch (error) {
      return group.map(() => ({ ok: false, error }));
    }
    return commitGroup(client, group);
  }

  /** The one connection appends go through, in pipeline mode; opened again after it broke. */
  private writerClient(): Promise<Client> {
    if (!this.writer) {
      const client = new this.pg.Client({ ...this.clientConfig, pipeline: true });
      const forget = () => {
        if (this.writer !== opening) return;
        this.writer = undefined;
        void client.end().catch(() => undefined);
      };
      client.on('error', forget);
      client.on('end', forget);
      const opening: Promise<Client> = client.connect().then(
        () => client,
        (error: unknown) => {
          forget();
          throw error;
        },
      );
      this.writer = opening;
    }
    return this.writer;
  }

  /** How group commit has behaved in this process: appends per commit shows the grouping. */
  stats(): GroupCommitStats {
    return this.commits.stats();
  }

  async readStream<E extends Event = Event>(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<E>[]> {
    const { rows } = await this.reads.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND stream_version >= $2 AND global_position <= $3 ORDER BY stream_version`,
      [streamId, options.fromVersion ?? 0, options.untilPosition ?? Number.MAX_SAFE_INTEGER],
    );
    return rows.map(toRecordedEvent) as RecordedEvent<E>[];
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return (await this.readRows(options)).map(toRecordedEvent);
  }

  private async readRows(options: ReadAllOptions): Promise<EventRow[]> {
    const types = options.types ?? [];
    const prefixes = options.streamPrefixes ?? [];
    const params: unknown[] = [options.after ?? 0, options.until ?? Number.MAX_SAFE_INTEGER, options.limit ?? DEFAULT_READ_LIMIT];
    const conditions = ['global_position > $1', 'global_position <= $2'];
    if (types.length > 0) conditions.push(`type = ANY($${params.push(types)}::text[])`);
    if (prefixes.length > 0) {
      conditions.push(`EXISTS (SELECT 1 FROM unnest($${params.push(prefixes)}::text[]) AS p(prefix) WHERE starts_with(stream_id, p.prefix))`);
    }
    const { rows } = await this.reads.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE ${conditions.join(' AND ')} ORDER BY global_position LIMIT $3`,
      params,
    );
    return rows;
  }

  async readEvent(eventId: string): Promise<RecordedEvent | undefined> {
    const { rows } = await this.reads.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = $1`, [eventId]);
    return rows[0] && toRecordedEvent(rows[0]);
  }

  subscribeToAll(
    options: SubscribeOptions,
    handler: (event: RecordedEvent) => Promise<void> | void,
    onError?: (error: unknown) => void,
  ): Subscription {
    this.listen();
    return this.live.start(options, handler, onError);
  }

  /** A live subscription's next batch (see CatchUpSource.readBatch). */
  private async readLiveBatch(after: number, limit: number, filter: Pick<SubscribeOptions, 'types' | 'streamPrefixes' | 'until'>): Promise<{ events: RecordedEvent[]; scannedTo: number }> {
    // the head first: the positions up to it are all committed, so the read after it sees every one
    const head = Math.min(await this.headPosition(), filter.until ?? Number.MAX_SAFE_INTEGER);
    const rows = after >= head ? [] : await this.readRows({ ...filter, after, limit, until: head });
    return { events: rows.map(toRecordedEvent), scannedTo: rows.length < limit ? head : rows[rows.length - 1].global_position };
  }

  /** Opens the LISTEN connection once a subscription exists; after it breaks, opens it again (the poll covers the gap). */
  private listen(): void {
    if (this.listener || this.closed || this.relistenTimer) return;
    const client = new this.pg.Client(this.clientConfig);
    this.listener = client;
    const wakeAll = () => {
      this.live.notify();
    };
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.relistenTimer = setTimeout(() => {
        this.relistenTimer = undefined;
        if (this.live.size > 0) this.listen();
      }, RELISTEN_DELAY_MS);
      this.relistenTimer.unref();
    };
    client.on('notification', wakeAll);
    client.on('error', lost);
    client.on('end', lost);
    client
      .connect()
      .then(() => client.query(`LISTEN ${EVENTS_CHANNEL}`))
      // whatever was appended while not listening is read now
      .then(wakeAll, lost);
  }

  async headPosition(): Promise<number> {
    const { rows } = await this.reads.query<{ position: number }>('SELECT position FROM event_log_head');
    return rows[0]?.position ?? 0;
  }

  /** Recomputes both hash chains over the whole log, a page at a time, and names the first row that does not match. */
  async verify(): Promise<VerifyReport> {
    let previousPosition = 0;
    let previousHash = GENESIS_HASH;
    const streams = new Map<string, { version: number; hash: string }>();
    let eventsChecked = 0;
    for (;;) {
      const { rows } = await this.reads.query<{
        global_position: number; event_id: string; stream_id: string; stream_version: number; type: string; schema_version: number;
        data: string; metadata: string; occurred_at: string; recorded_at: string; command_id: string | null; hash: string; stream_hash: string;
      }>(
        `SELECT global_position, event_id, stream_id, stream_version, type, schema_version, data::text AS data,
                metadata::text AS metadata, occurred_at, recorded_at, command_id, encode(hash, 'hex') AS hash,
                encode(stream_hash, 'hex') AS stream_hash
           FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
        [previousPosition, VERIFY_PAGE],
      );
      for (const row of rows) {
        const broken = (reason: BrokenLink['reason']): VerifyReport => ({
          ok: false,
          eventsChecked,
          brokenLink: { globalPosition: row.global_position, streamId: row.stream_id, eventId: row.event_id, reason },
        });
        const stream = streams.get(row.stream_id) ?? { version: -1, hash: GENESIS_HASH };
        if (row.global_position !== previousPosition + 1) return broken('global_position_gap');
        if (chainHash(previousHash, canonicalContent(row)) !== row.hash) return broken('global_hash_mismatch');
        if (row.stream_version !== stream.version + 1) return broken('stream_version_gap');
        if (streamChainHash(stream.hash, row.hash) !== row.stream_hash) return broken('stream_hash_mismatch');
        previousPosition = row.global_position;
        previousHash = row.hash;
        streams.set(row.stream_id, { version: row.stream_version, hash: row.stream_hash });
        eventsChecked += 1;
      }
      if (rows.length < VERIFY_PAGE) return { ok: true, eventsChecked };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.live.stopAll();
    await this.commits.drain();
    clearTimeout(this.relistenTimer);
    const listener = this.listener;
    this.listener = undefined;
    const writer = this.writer;
    this.writer = undefined;
    await Promise.allSettled([
      listener?.end(),
      writer?.then((client) => client.end()),
      this.reads.end(),
    ]);
  }
}
