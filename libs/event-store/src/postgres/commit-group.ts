import type { Client } from 'pg';
import type { RecordedEvent } from '@liangxin/contracts';
import { ConcurrencyError, type ExpectedStreamState } from '../port';
import type { AppendOutcome, PreparedAppend } from '../sqlite/commit-protocol';
import { canonicalContent, chainHash, streamChainHash } from '../sqlite/hash-chain';
import { timeOrderedUuid } from '../time-ordered-id';
import { EVENTS_CHANNEL, type EventRow } from './schema';
import { toRecordedEvent } from './rows';

/** An append whose event ids were given by the caller and one of them is already in the log (or twice in it). */
export class DuplicateEventIdError extends Error {
  readonly code = 'DUPLICATE_EVENT_ID';
  constructor(readonly streamId: string, readonly eventId: string) {
    super(`Stream ${streamId}: event id ${eventId} is already in the log`);
    this.name = 'DuplicateEventIdError';
  }
}

interface StreamHead {
  version: number;
  hash: string;
}

/** What the transaction read before deciding the group, all after the log head was locked. */
interface Facts {
  recordedAt: string;
  heads: Map<string, StreamHead>;
  /** events recorded earlier by command id and stream, in order */
  earlier: Map<string, EventRow[]>;
  takenEventIds: Set<string>;
}

/** Columns of one new row, as parallel arrays for a single INSERT … SELECT FROM unnest(…). */
interface NewRows {
  position: number[];
  eventId: string[];
  streamId: string[];
  streamVersion: number[];
  type: string[];
  schemaVersion: number[];
  data: string[];
  metadata: string[];
  occurredAt: string[];
  recordedAt: string[];
  commandId: (string | null)[];
  hash: string[];
  streamHash: string[];
}

const commandKey = (commandId: string, streamId: string) => `${commandId}\u0000${streamId}`;

// The lock must be a statement of its own: in READ COMMITTED each statement takes a new snapshot, so only the
// statements after it see the events of the transaction that held the head before us. A query joining the
// head FOR UPDATE with the stream heads would read those with the snapshot taken before the wait.
const LOCK_HEAD = `SELECT position, encode(hash, 'hex') AS hash FROM event_log_head FOR UPDATE`;

const READ_FACTS = `
SELECT
  to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at,
  (SELECT coalesce(json_agg(json_build_object('streamId', h.stream_id, 'version', h.stream_version, 'hash', encode(h.stream_hash, 'hex'))), '[]')
     FROM unnest($1::text[]) AS s(id)
     CROSS JOIN LATERAL (
       SELECT stream_id, stream_version, stream_hash FROM events WHERE stream_id = s.id ORDER BY stream_version DESC LIMIT 1
     ) h) AS heads,
  (SELECT coalesce(json_agg(json_build_object(
       'command_id', e.command_id, 'global_position', e.global_position, 'event_id', e.event_id, 'stream_id', e.stream_id,
       'stream_version', e.stream_version, 'type', e.type, 'schema_version', e.schema_version, 'data', e.data,
       'metadata', e.metadata, 'occurred_at', e.occurred_at, 'recorded_at', e.recorded_at) ORDER BY e.global_position), '[]')
     FROM unnest($2::text[], $3::text[]) AS c(command_id, stream_id)
     JOIN events e ON e.command_id = c.command_id AND e.stream_id = c.stream_id) AS earlier,
  (SELECT coalesce(array_agg(event_id), '{}') FROM events WHERE event_id = ANY($4::text[])) AS taken_event_ids`;

// One statement writes the rows, moves the head and queues the notification (delivered at COMMIT, in commit order).
const WRITE_ROWS = `
WITH inserted AS (
  INSERT INTO events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
                      occurred_at, recorded_at, command_id, hash, stream_hash)
  SELECT p, id, s, v, t, sv, d, m, o, r, c, decode(h, 'hex'), decode(sh, 'hex')
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::json[], $8::json[],
                $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) AS r(p, id, s, v, t, sv, d, m, o, r, c, h, sh)
  RETURNING 1
), moved AS (
  UPDATE event_log_head SET position = $14, hash = decode($15, 'hex') RETURNING position
)
SELECT (SELECT count(*) FROM inserted)::int AS inserted, pg_notify('${EVENTS_CHANNEL}', (SELECT position FROM moved)::text)`;

/**
 * Commits a group of appends in one transaction, so they share one commit (one WAL flush).
 *
 * The transaction first locks the one-row log head, so the appends of every process commit one after another
 * and positions head+1…head+n become visible in order. It then reads, in one query, the heads of the streams
 * involved, the events already recorded under the commands' ids and the given event ids already taken, and
 * decides each append in order against that state plus the appends before it in the group: each keeps its own
 * outcome (a stale expected version fails alone). All new rows go in with one INSERT.
 *
 * The client runs in pipeline mode: BEGIN, the lock and the facts go out together, then the INSERT and COMMIT,
 * so the head is held for about two round trips and the flush.
 */
export const commitGroup = async (client: Client, group: readonly PreparedAppend[]): Promise<AppendOutcome[]> => {
  const streams = [...new Set(group.map((append) => append.streamId))];
  const commands = group.filter((append) => append.serialized.commandId !== undefined);
  const givenIds = group.flatMap((append) => append.events.flatMap((event) => (event.eventId === undefined ? [] : [event.eventId])));

  const begin = client.query('BEGIN');
  const locked = client.query<{ position: number; hash: string }>(LOCK_HEAD);
  const factsRead = client.query<{ recorded_at: string; heads: { streamId: string; version: number; hash: string }[]; earlier: (EventRow & { command_id: string })[]; taken_event_ids: string[] }>(
    READ_FACTS,
    [streams, commands.map((a) => a.serialized.commandId), commands.map((a) => a.streamId), givenIds],
  );
  let head: { position: number; hash: string };
  let facts: Facts;
  try {
    await begin;
    head = (await locked).rows[0];
    const row = (await factsRead).rows[0];
    facts = {
      recordedAt: row.recorded_at,
      heads: new Map(row.heads.map((h) => [h.streamId, { version: h.version, hash: h.hash }])),
      earlier: new Map(),
      takenEventIds: new Set(row.taken_event_ids),
    };
    for (const event of row.earlier) {
      const key = commandKey(event.command_id, event.stream_id);
      facts.earlier.set(key, [...(facts.earlier.get(key) ?? []), event]);
    }
  } catch (error) {
    await Promise.allSettled([begin, locked, factsRead]);
    await rollbackQuietly(client);
    return group.map(() => ({ ok: false, error }));
  }

  const rows: NewRows = {
    position: [], eventId: [], streamId: [], streamVersion: [], type: [], schemaVersion: [], data: [], metadata: [],
    occurredAt: [], recordedAt: [], commandId: [], hash: [], streamHash: [],
  };
  const state = { position: head.position, hash: head.hash };
  const outcomes = group.map((append) => decide(append, facts, state, rows));
  if (rows.position.length === 0) {
    await client.query('ROLLBACK'); // nothing to write: no flush to wait for
    return outcomes;
  }

  const written = client.query<{ inserted: number }>(WRITE_ROWS, [
    rows.position, rows.eventId, rows.streamId, rows.streamVersion, rows.type, rows.schemaVersion, rows.data, rows.metadata,
    rows.occurredAt, rows.recordedAt, rows.commandId, rows.hash, rows.streamHash, state.position, state.hash,
  ]);
  const committed = client.query('COMMIT');
  try {
    await written;
  } catch (error) {
    // the transaction is aborted and the pipelined COMMIT answers as a rollback: nothing was written
    await committed.catch(() => undefined);
    if (group.length === 1) return [{ ok: false, error }];
    // something no check foresaw (a byte PostgreSQL refuses in a JSON text): each append alone gets its own outcome
    const alone: AppendOutcome[] = [];
    for (const append of group) alone.push((await commitGroup(client, [append]))[0]);
    return alone;
  }
  try {
    await committed;
  } catch (error) {
    // the commit's fate is unknown (the connection broke): an append with a command id can be retried safely
    return outcomes.map((outcome) => (outcome.ok && !outcome.result.idempotentReplay ? { ok: false, error } : outcome));
  }
  return outcomes;
};

const rollbackQuietly = async (client: Client) => {
  try {
    await client.query('ROLLBACK');
  } catch {
    // a broken connection: the server rolls back by itself
  }
};

const decide = (append: PreparedAppend, facts: Facts, state: { position: number; hash: string }, rows: NewRows): AppendOutcome => {
  const { streamId, events, serialized } = append;
  const { commandId } = serialized;
  if (commandId !== undefined) {
    const earlier = facts.earlier.get(commandKey(commandId, streamId));
    if (earlier && earlier.length > 0) {
      const replayed = earlier.map(toRecordedEvent);
      const last = replayed[replayed.length - 1];
      return { ok: true, result: { streamId, nextExpectedVersion: last.streamVersion, lastPosition: last.globalPosition, events: replayed, idempotentReplay: true } };
    }
  }

  const head = facts.heads.get(streamId) ?? null;
  const conflict = checkExpected(streamId, serialized.expected, head);
  if (conflict) return { ok: false, error: conflict };
  const seen = new Set<string>();
  for (const event of events) {
    if (event.eventId === undefined) continue;
    if (facts.takenEventIds.has(event.eventId) || seen.has(event.eventId)) return { ok: false, error: new DuplicateEventIdError(streamId, event.eventId) };
    seen.add(event.eventId);
  }

  const { recordedAt } = facts;
  let streamVersion = head?.version ?? -1;
  let streamHash = head?.hash ?? '';
  const recorded: RecordedEvent[] = [];
  const stored: EventRow[] = [];
  events.forEach((event, i) => {
    streamVersion += 1;
    state.position += 1;
    const content = {
      global_position: state.position,
      event_id: event.eventId ?? timeOrderedUuid(),
      stream_id: streamId,
      stream_version: streamVersion,
      type: event.type,
      schema_version: event.schemaVersion,
      data: serialized.events[i].data,
      metadata: serialized.events[i].metadata,
      occurred_at: event.occurredAt ?? recordedAt,
      recorded_at: recordedAt,
      command_id: commandId ?? null,
    };
    state.hash = chainHash(state.hash, canonicalContent(content));
    streamHash = streamChainHash(streamHash, state.hash);
    rows.position.push(content.global_position);
    rows.eventId.push(content.event_id);
    rows.streamId.push(streamId);
    rows.streamVersion.push(streamVersion);
    rows.type.push(content.type);
    rows.schemaVersion.push(content.schema_version);
    rows.data.push(content.data);
    rows.metadata.push(content.metadata);
    rows.occurredAt.push(content.occurred_at);
    rows.recordedAt.push(recordedAt);
    rows.commandId.push(content.command_id);
    rows.hash.push(state.hash);
    rows.streamHash.push(streamHash);
    facts.takenEventIds.add(content.event_id);
    recorded.push({
      eventId: content.event_id,
      streamId,
      streamVersion,
      globalPosition: state.position,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      metadata: append.metadata[i],
      occurredAt: content.occurred_at,
      recordedAt,
    } as RecordedEvent);
    stored.push({ ...content, data: JSON.parse(content.data), metadata: JSON.parse(content.metadata) });
  });
  if (events.length > 0) facts.heads.set(streamId, { version: streamVersion, hash: streamHash });
  // a retry of this command later in the same group replays what this append wrote
  if (commandId !== undefined && stored.length > 0) facts.earlier.set(commandKey(commandId, streamId), stored);
  return {
    ok: true,
    result: { streamId, nextExpectedVersion: streamVersion, lastPosition: state.position, events: recorded, idempotentReplay: false },
  };
};

const checkExpected = (streamId: string, expected: ExpectedStreamState, head: StreamHead | null): ConcurrencyError | undefined => {
  const satisfied =
    expected === 'any' ||
    (expected === 'no_stream' && head === null) ||
    (expected === 'stream_exists' && head !== null) ||
    (typeof expected === 'number' && (head?.version ?? -1) === expected);
  return satisfied ? undefined : new ConcurrencyError(streamId, expected, head ? head.version : 'no_stream');
};
