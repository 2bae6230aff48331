import type Database from 'better-sqlite3';
import { ConcurrencyError, type ExpectedStreamState } from '../port';
import { timeOrderedUuid } from '../time-ordered-id';
import type { CommitOutcome, SerializedAppend } from './commit-protocol';
import { canonicalContent, chainHash, fromStoredHash, GENESIS_HASH, streamChainHash, toStoredHash } from './hash-chain';
import { EVENT_COLUMNS, type StoredEventTuple } from './schema';

interface StreamHead {
  version: number;
  hash: string;
}

interface GroupState {
  position: number;
  hash: string;
  streams: Map<string, StreamHead | null>;
  recordedAt: string;
}

/**
 * Commits a group of appends in one transaction, so they share one sync to disk.
 * Every append keeps its own outcome: its idempotency and concurrency checks run against the
 * in-transaction state (which includes the appends before it in the group), and a failure rolls back
 * only its own savepoint while the others commit.
 * It runs in the store's commit worker (see commit-worker.ts), never on the main thread.
 */
export class CommitGroupWriter {
  private readonly selectLogHead: Database.Statement<[], { global_position: number; hash: Buffer }>;
  private readonly selectStreamHead: Database.Statement<[string], { stream_version: number; stream_hash: Buffer }>;
  private readonly selectByCommand: Database.Statement<[string, string]>;
  private readonly insert: Database.Statement<(string | number | Buffer | null)[]>;
  // prepared once: db.exec would parse these again for every append
  private readonly savepoint: Database.Statement;
  private readonly release: Database.Statement;
  private readonly rollbackToSavepoint: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.selectLogHead = db.prepare('SELECT global_position, hash FROM events ORDER BY global_position DESC LIMIT 1');
    this.selectStreamHead = db.prepare(
      'SELECT stream_version, stream_hash FROM events WHERE stream_id = ? ORDER BY stream_version DESC LIMIT 1',
    );
    this.selectByCommand = db
      .prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE command_id = ? AND stream_id = ? ORDER BY global_position`)
      .raw(true);
    this.insert = db.prepare(
      `INSERT INTO events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
         occurred_at, recorded_at, command_id, hash, stream_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.savepoint = db.prepare('SAVEPOINT append');
    this.release = db.prepare('RELEASE append');
    this.rollbackToSavepoint = db.prepare('ROLLBACK TO append');
  }

  commit(group: readonly SerializedAppend[]): CommitOutcome[] {
    try {
      // IMMEDIATE takes the write lock up front, so a second process (an admin CLI) cannot slip in between
      // reading the heads and writing. Inside the try: a lock held past busy_timeout fails this group, not the worker.
      this.db.exec('BEGIN IMMEDIATE');
      const logHead = this.selectLogHead.get();
      const state: GroupState = {
        position: logHead?.global_position ?? 0,
        hash: logHead ? fromStoredHash(logHead.hash) : GENESIS_HASH,
        streams: new Map(),
        recordedAt: new Date().toISOString(),
      };
      const outcomes = group.map((append) => this.applyOne(append, state));
      this.db.exec('COMMIT');
      return outcomes;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      return group.map(() => ({ outcome: 'failed', error }));
    }
  }

  private applyOne(append: SerializedAppend, state: GroupState): CommitOutcome {
    const { streamId, events, commandId } = append;
    if (commandId !== undefined) {
      const earlier = this.selectByCommand.all(commandId, streamId) as StoredEventTuple[];
      if (earlier.length > 0) return { outcome: 'replayed', rows: earlier };
    }

    const head = this.streamHead(streamId, state.streams);
    const conflict = checkExpected(streamId, append.expected, head);
    if (conflict) return { outcome: 'failed', error: conflict };

    const before = { position: state.position, hash: state.hash, head };
    this.savepoint.run();
    try {
      let streamVersion = head?.version ?? -1;
      let streamHash = head?.hash ?? GENESIS_HASH;
      const eventIds: string[] = [];
      for (const event of events) {
        streamVersion += 1;
        state.position += 1;
        const content = {
          global_position: state.position,
          event_id: event.eventId ?? timeOrderedUuid(),
          stream_id: streamId,
          stream_version: streamVersion,
          type: event.type,
          schema_version: event.schemaVersion,
          data: event.data,
          metadata: event.metadata,
          occurred_at: event.occurredAt ?? state.recordedAt,
          recorded_at: state.recordedAt,
          command_id: commandId ?? null,
        };
        state.hash = chainHash(state.hash, canonicalContent(content));
        streamHash = streamChainHash(streamHash, state.hash);
        this.insert.run(
          content.global_position, content.event_id, content.stream_id, content.stream_version, content.type,
          content.schema_version, content.data, content.metadata, content.occurred_at, content.recorded_at,
          content.command_id, toStoredHash(state.hash), toStoredHash(streamHash),
        );
        eventIds.push(content.event_id);
      }
      this.release.run();
      if (events.length > 0) state.streams.set(streamId, { version: streamVersion, hash: streamHash });
      return { outcome: 'appended', eventIds, lastPosition: state.position, lastVersion: streamVersion, recordedAt: state.recordedAt };
    } catch (error) {
      this.rollbackToSavepoint.run();
      this.release.run();
      state.position = before.position;
      state.hash = before.hash;
      state.streams.set(streamId, before.head);
      return { outcome: 'failed', error };
    }
  }

  private streamHead(streamId: string, cache: Map<string, StreamHead | null>): StreamHead | null {
    const cached = cache.get(streamId);
    if (cached !== undefined) return cached;
    const row = this.selectStreamHead.get(streamId);
    const head = row ? { version: row.stream_version, hash: fromStoredHash(row.stream_hash) } : null;
    cache.set(streamId, head);
    return head;
  }
}

const checkExpected = (streamId: string, expected: ExpectedStreamState, head: StreamHead | null): ConcurrencyError | undefined => {
  const actual = head ? head.version : 'no_stream';
  const satisfied =
    expected === 'any' ||
    (expected === 'no_stream' && head === null) ||
    (expected === 'stream_exists' && head !== null) ||
    (typeof expected === 'number' && (head?.version ?? -1) === expected);
  return satisfied ? undefined : new ConcurrencyError(streamId, expected, actual);
};
