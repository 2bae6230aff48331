import Database from 'better-sqlite3';
import type { EventMetadata, NewEvent, RecordedEvent } from '@liangxin/contracts';
import { ConcurrencyError, type AppendOptions, type AppendResult, type ExpectedStreamState } from '../port';
import type { StoredEventTuple } from './schema';

// What crosses the thread boundary between the store (main thread) and its commit worker. Event data and
// metadata travel as the JSON text that will be stored and hashed, so the worker never sees the caller's
// objects and the main thread can give callers back the very objects they appended.

export interface SerializedEvent {
  eventId?: string;
  type: string;
  schemaVersion: number;
  /** JSON text, stored and hashed as is */
  data: string;
  /** JSON text, with the append's commandId already folded in */
  metadata: string;
  occurredAt?: string;
}

/** One append call as the committer receives it. */
export interface SerializedAppend {
  streamId: string;
  events: SerializedEvent[];
  expected: ExpectedStreamState;
  commandId?: string;
}

/** How one append of a group came out, in as few bytes as the main thread needs to rebuild its result. */
export type CommitOutcome<Failure = unknown> =
  | {
      outcome: 'appended';
      /** ids of the new events, in order (the committer assigns the ids the caller left out) */
      eventIds: string[];
      /** position and stream version of the last new event (of the stream's head when nothing was appended) */
      lastPosition: number;
      lastVersion: number;
      recordedAt: string;
    }
  | { outcome: 'replayed'; rows: StoredEventTuple[] }
  | { outcome: 'failed'; error: Failure };

/** An error as plain data: structured clone keeps neither a class nor extra fields such as `code`. */
export type WireError =
  | { kind: 'concurrency'; streamId: string; expected: ExpectedStreamState; actual: number | 'no_stream' }
  | { kind: 'error'; name: string; message: string; code?: string; stack?: string };

/** The caller's append, kept on the main thread to turn the committer's outcome into an AppendResult. */
export interface PreparedAppend {
  streamId: string;
  events: readonly NewEvent[];
  /** each event's metadata as stored (commandId folded in) */
  metadata: EventMetadata[];
  serialized: SerializedAppend;
}

export const prepareAppend = (streamId: string, events: readonly NewEvent[], options: AppendOptions): PreparedAppend => {
  const { commandId } = options;
  const metadata = events.map((event) =>
    commandId !== undefined && event.metadata.commandId === undefined ? { ...event.metadata, commandId } : event.metadata,
  );
  return {
    streamId,
    events,
    metadata,
    serialized: {
      streamId,
      expected: options.expected,
      commandId,
      events: events.map((event, i) => ({
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: JSON.stringify(event.data),
        metadata: JSON.stringify(metadata[i]),
        occurredAt: event.occurredAt,
      })),
    },
  };
};

export const tupleToRecordedEvent = (row: StoredEventTuple): RecordedEvent => ({
  eventId: row[1],
  streamId: row[2],
  streamVersion: row[3],
  globalPosition: row[0],
  type: row[4],
  schemaVersion: row[5],
  data: JSON.parse(row[6]),
  metadata: JSON.parse(row[7]),
  occurredAt: row[8],
  recordedAt: row[9],
});

export type AppendOutcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

export const toAppendOutcome = (append: PreparedAppend, outcome: CommitOutcome<WireError>): AppendOutcome => {
  switch (outcome.outcome) {
    case 'failed':
      return { ok: false, error: fromWireError(outcome.error) };
    case 'replayed': {
      const events = outcome.rows.map(tupleToRecordedEvent);
      const last = events[events.length - 1];
      return {
        ok: true,
        result: { streamId: append.streamId, nextExpectedVersion: last.streamVersion, lastPosition: last.globalPosition, events, idempotentReplay: true },
      };
    }
    case 'appended': {
      const firstPosition = outcome.lastPosition - append.events.length + 1;
      const firstVersion = outcome.lastVersion - append.events.length + 1;
      const events = append.events.map((event, i): RecordedEvent => ({
        eventId: outcome.eventIds[i],
        streamId: append.streamId,
        streamVersion: firstVersion + i,
        globalPosition: firstPosition + i,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: event.data,
        metadata: append.metadata[i],
        occurredAt: event.occurredAt ?? outcome.recordedAt,
        recordedAt: outcome.recordedAt,
      }));
      return {
        ok: true,
        result: {
          streamId: append.streamId,
          nextExpectedVersion: outcome.lastVersion,
          lastPosition: outcome.lastPosition,
          events,
          idempotentReplay: false,
        },
      };
    }
  }
};

export const toWireError = (error: unknown): WireError => {
  if (error instanceof ConcurrencyError) {
    return { kind: 'concurrency', streamId: error.streamId, expected: error.expected, actual: error.actual };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { kind: 'error', name: error.name, message: error.message, code: typeof code === 'string' ? code : undefined, stack: error.stack };
  }
  return { kind: 'error', name: 'Error', message: String(error) };
};

/** Gives the main thread an error of the class the committer threw (ConcurrencyError, SqliteError), fields and all. */
export const fromWireError = (wire: WireError): Error => {
  if (wire.kind === 'concurrency') return new ConcurrencyError(wire.streamId, wire.expected, wire.actual);
  const error =
    wire.name === 'SqliteError' && wire.code !== undefined
      ? new Database.SqliteError(wire.message, wire.code)
      : Object.assign(new Error(wire.message), wire.code === undefined ? {} : { code: wire.code });
  error.name = wire.name;
  // the committer's stack says where it failed; the main thread's would only show this decoder
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
};
