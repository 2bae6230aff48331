import type { EventMetadata } from '@liangxin/contracts';

/**
 * The log is one table, `events`, beside a one-row table, `event_log_head`, holding the last position and
 * its hash. Every append transaction takes that row FOR UPDATE before anything else and moves it forward
 * with its inserts, so appends commit one after another in position order (see README: why not bigserial).
 *
 * `data` and `metadata` are `json`, not `jsonb`: json keeps the exact text it was given, and the hash chain
 * covers that text byte for byte (jsonb would reorder keys and reformat numbers). Timestamps stay the ISO
 * text that was hashed, for the same reason.
 */
export const EVENTS_CHANNEL = 'liangxin_events';

/** a fixed key for pg_advisory_xact_lock: instances starting together create the schema one at a time */
export const SCHEMA_LOCK_KEY = 7_301_518_840_001;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  global_position bigint  PRIMARY KEY,
  event_id        text    NOT NULL UNIQUE,
  stream_id       text    NOT NULL,
  stream_version  integer NOT NULL,
  type            text    NOT NULL,
  schema_version  integer NOT NULL,
  data            json    NOT NULL,
  metadata        json    NOT NULL,
  occurred_at     text    NOT NULL,
  recorded_at     text    NOT NULL,
  command_id      text,
  hash            bytea   NOT NULL,
  stream_hash     bytea   NOT NULL,
  UNIQUE (stream_id, stream_version)
);
CREATE INDEX IF NOT EXISTS events_by_command ON events (command_id, stream_id) WHERE command_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, global_position);
CREATE TABLE IF NOT EXISTS event_log_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  position  bigint  NOT NULL,
  hash      bytea   NOT NULL
) WITH (fillfactor = 50);
INSERT INTO event_log_head (singleton, position, hash) VALUES (true, 0, '') ON CONFLICT DO NOTHING;
`;

/** The columns an event is read back from (the hashes stay in the table unless verify() asks for them). */
export const EVENT_COLUMNS =
  'global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, occurred_at, recorded_at';

/** A row of EVENT_COLUMNS as pg returns it (int8 parsed to a number, json parsed). */
export interface EventRow {
  global_position: number;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  occurred_at: string;
  recorded_at: string;
}
