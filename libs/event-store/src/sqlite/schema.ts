/**
 * One table holds the whole log. `global_position` is assigned by the single writer as head + 1 inside the
 * commit transaction, so it is gap-free (SQLite's own rowid allocation could leave holes after rollbacks).
 * `hash` chains every row to the previous one in global order and `stream_hash` to the previous one in its
 * stream, so an edit of any stored byte breaks the chain from that row on (see verify()).
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  global_position INTEGER PRIMARY KEY,
  event_id        TEXT    NOT NULL UNIQUE,
  stream_id       TEXT    NOT NULL,
  stream_version  INTEGER NOT NULL,
  type            TEXT    NOT NULL,
  schema_version  INTEGER NOT NULL,
  data            TEXT    NOT NULL,
  metadata        TEXT    NOT NULL,
  occurred_at     TEXT    NOT NULL,
  recorded_at     TEXT    NOT NULL,
  command_id      TEXT,
  hash            BLOB    NOT NULL,
  stream_hash     BLOB    NOT NULL,
  UNIQUE (stream_id, stream_version)
);
CREATE INDEX IF NOT EXISTS events_by_command ON events (command_id, stream_id) WHERE command_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, global_position);
`;

export interface EventRow {
  global_position: number;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
  occurred_at: string;
  recorded_at: string;
  command_id: string | null;
  hash: Buffer;
  stream_hash: Buffer;
}

/** The columns an event is read back from: the hashes stay on disk unless verify() asks for them. */
export const EVENT_COLUMNS =
  'global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, occurred_at, recorded_at';

export type StoredEvent = Omit<EventRow, 'command_id' | 'hash' | 'stream_hash'>;

/** A row of EVENT_COLUMNS read in better-sqlite3's raw mode (an array: no object per row to build and drop). */
export type StoredEventTuple = [
  globalPosition: number,
  eventId: string,
  streamId: string,
  streamVersion: number,
  type: string,
  schemaVersion: number,
  data: string,
  metadata: string,
  occurredAt: string,
  recordedAt: string,
];
