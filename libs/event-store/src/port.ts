import type { Event, NewEvent, RecordedEvent } from '@liangxin/contracts';

/**
 * What the caller expects of a stream before appending, for optimistic concurrency:
 * - 'any': no check
 * - 'no_stream': the stream must not exist yet
 * - 'stream_exists': the stream must have at least one event
 * - a number: the stream's last event must have exactly this streamVersion (0-based)
 */
export type ExpectedStreamState = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendOptions {
  expected: ExpectedStreamState;
  /**
   * Idempotency key. If events with this command id were already appended (to this stream),
   * the append is a no-op and returns the events recorded the first time.
   */
  commandId?: string;
}

export interface AppendResult {
  streamId: string;
  /** streamVersion of the last event in the stream after the append */
  nextExpectedVersion: number;
  /** globalPosition of the last event appended (or recorded earlier, for an idempotent retry) */
  lastPosition: number;
  events: RecordedEvent[];
  /** true when the command id had already been applied and nothing new was written */
  idempotentReplay: boolean;
}

export interface ReadAllOptions {
  /** read events with globalPosition strictly greater than this (0 = from the start) */
  after?: number;
  /** at most this many events (adapters choose a sensible default) */
  limit?: number;
  /** only these event types */
  types?: readonly string[];
  /** only streams whose id starts with one of these prefixes */
  streamPrefixes?: readonly string[];
  /** stop at this globalPosition, inclusive (for "as of" reads) */
  until?: number;
}

export interface ReadStreamOptions {
  /** first streamVersion to return (default 0) */
  fromVersion?: number;
  /** ignore events after this globalPosition (for "as of" reads) */
  untilPosition?: number;
}

export interface SubscribeOptions extends Omit<ReadAllOptions, 'limit' | 'until'> {
  /** called after every batch, with the position reached: store it as the subscriber's checkpoint */
  onCaughtUp?: () => void;
  /**
   * Stop after the event at this globalPosition (inclusive): the subscription delivers the history up to
   * it (or up to the head, if the log is shorter), calls onCaughtUp and ends by itself, without going live.
   * For "as of" rebuilds.
   */
  until?: number;
}

export interface Subscription {
  /** resolves when the subscription has stopped and no handler call is running */
  stop(): Promise<void>;
  /** position of the last event handed to the handler */
  readonly position: number;
}

/**
 * The event store port: the only source of truth.
 * Adapters: SQLite (embedded default) and KurrentDB (distributed). Both pass one contract suite.
 */
export interface EventStore {
  append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult>;
  readStream<E extends Event = Event>(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent<E>[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * The event with this id, or undefined. `before` is the position of an event known to come after it
   * (an effect whose causationId names it): a store without an index by event id searches back from there.
   */
  readEvent(eventId: string, hint?: { before?: number }): Promise<RecordedEvent | undefined>;
  /**
   * Catch-up subscription: delivers every matching event after `after`, in global order, then keeps
   * delivering new ones as they are appended. The handler is awaited; an error stops the subscription
   * and is reported through `onError`.
   */
  subscribeToAll(
    options: SubscribeOptions,
    handler: (event: RecordedEvent) => Promise<void> | void,
    onError?: (error: unknown) => void,
  ): Subscription;
  /** globalPosition of the newest event (0 when empty) */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

/** The stream was deleted (soft or tombstoned): nothing can be appended to or folded from it any more. */
export class StreamDeletedError extends Error {
  readonly code = 'STREAM_DELETED';
  constructor(readonly streamId: string) {
    super(`Stream ${streamId} was deleted`);
    this.name = 'StreamDeletedError';
  }
}

/** One append was larger than the store accepts in one write (KurrentDB's MaxAppendSize). */
export class AppendTooLargeError extends Error {
  readonly code = 'APPEND_TOO_LARGE';
  constructor(
    readonly streamId: string,
    readonly maxBytes: number | undefined,
  ) {
    super(`An append to ${streamId} is larger than the store accepts in one write${maxBytes === undefined ? '' : ` (${maxBytes} bytes)`}`);
    this.name = 'AppendTooLargeError';
  }
}

export class ConcurrencyError extends Error {
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedStreamState,
    readonly actual: number | 'no_stream',
  ) {
    super(`Stream ${streamId}: expected ${String(expected)}, found ${String(actual)}`);
    this.name = 'ConcurrencyError';
  }
}

export const isConcurrencyError = (e: unknown): e is ConcurrencyError =>
  e instanceof ConcurrencyError || (typeof e === 'object' && e !== null && (e as { code?: string }).code === 'CONCURRENCY_CONFLICT');

/** The first row whose stored content no longer matches the hash chain (or breaks the log's numbering). */
export interface BrokenLink {
  globalPosition: number;
  streamId: string;
  eventId: string;
  reason: 'global_hash_mismatch' | 'stream_hash_mismatch' | 'global_position_gap' | 'stream_version_gap';
}

export type VerifyReport =
  | { ok: true; eventsChecked: number }
  | { ok: false; eventsChecked: number; brokenLink: BrokenLink };

/**
 * A store whose log is hash-chained: verify() recomputes every link and names the first broken one,
 * so an auditor can tell that history was not edited after the fact.
 */
export interface TamperEvidence {
  verify(): Promise<VerifyReport>;
}
