import type { Event, EventMetadata, NewEvent, RecordedEvent } from '@liangxin/contracts';
import { stageTimings } from '@liangxin/diagnostics';
import type { Decider } from '@liangxin/event-sourcing';
import { ConcurrencyError, type EventStore, isConcurrencyError } from '@liangxin/event-store';
import type { WireError } from '@liangxin/transport';

export interface CommandResult {
  streamId: string;
  /** global position of the last event the command produced (or produced earlier, on a retry) */
  position: number;
  events: RecordedEvent[];
  /** the command id had been handled before: nothing new was appended */
  idempotentReplay: boolean;
}

export interface HandleCommandOptions {
  /** how often to reload and decide again after another writer changed the stream first */
  maxAttempts?: number;
  /**
   * Decide only on this version of the stream (-1: none yet), as a decision taken on another stream named it (a claim
   * recorded for it): if the stream has moved, a concurrency error instead of a decision on a state nobody claimed for.
   */
  atVersion?: number;
}

/** A stream's state as folded so far: the next command reads only the events after `version`. */
interface FoldedStream<S> {
  state: S;
  /** streamVersion of the last event folded (-1: none) */
  version: number;
  /** globalPosition of the last event folded (0: none) */
  position: number;
  /** command ids recorded in the stream, for idempotent retries */
  commandIds: Set<string>;
}

/** streams whose folded state is kept per store and decider, least recently used dropped first */
const FOLDED_STREAMS_PER_DECIDER = 5_000;

/**
 * Folded states by store and decider. Only a shortcut: every command still reads the stream from the
 * version folded so far, so events appended by another writer (or process) are always seen, and the
 * append's optimistic concurrency check still guards the decision. Long streams (a district's budget
 * for a year) are thereby read once, not once per command.
 */
const foldedStreams = new WeakMap<EventStore, WeakMap<object, Map<string, FoldedStream<unknown>>>>();

function foldedStreamsOf<S>(store: EventStore, decider: object): Map<string, FoldedStream<S>> {
  let byDecider = foldedStreams.get(store);
  if (!byDecider) foldedStreams.set(store, (byDecider = new WeakMap()));
  let streams = byDecider.get(decider);
  if (!streams) byDecider.set(decider, (streams = new Map()));
  return streams as Map<string, FoldedStream<S>>;
}

/** The stream's current state: the cached fold caught up with the events appended since. */
async function loadStream<S, E extends Event>(store: EventStore, streamId: string, decider: Decider<unknown, S, E>): Promise<FoldedStream<S>> {
  const streams = foldedStreamsOf<S>(store, decider);
  const cached = streams.get(streamId);
  const newer = await store.readStream<E>(streamId, { fromVersion: cached ? cached.version + 1 : 0 });
  let folded: FoldedStream<S>;
  if (cached && (newer.length === 0 || newer[0].streamVersion === cached.version + 1)) {
    folded = { ...cached, commandIds: newer.length > 0 ? new Set(cached.commandIds) : cached.commandIds };
  } else if (cached) {
    // the stream does not continue where the cache stopped (a store replaced under us): fold it all again
    streams.delete(streamId);
    return loadStream(store, streamId, decider);
  } else {
    folded = { state: decider.initialState(), version: -1, position: 0, commandIds: new Set() };
  }
  for (const event of newer) {
    folded.state = decider.evolve(folded.state, event);
    folded.version = event.streamVersion;
    folded.position = event.globalPosition;
    if (event.metadata.commandId) folded.commandIds.add(event.metadata.commandId);
  }
  streams.delete(streamId);
  streams.set(streamId, folded);
  if (streams.size > FOLDED_STREAMS_PER_DECIDER) streams.delete(streams.keys().next().value as string);
  return folded;
}

/** An Idempotency-Key sent again with another body or for another command: 422, nothing appended. */
export class IdempotencyKeyReusedError extends Error implements WireError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  readonly kind = 'unprocessable';
  readonly field = 'Idempotency-Key';

  constructor() {
    super('This Idempotency-Key was already used for a different request; send a new key for a new request.');
    this.name = 'IdempotencyKeyReusedError';
  }
}

/**
 * A retried command id is a retry only if it asks the same thing: the events it recorded carry the fingerprint of
 * the first request, and a different one means the key was reused. Events recorded without one are not compared.
 */
export function assertSameCommand(recorded: readonly RecordedEvent[], metadata: Pick<EventMetadata, 'commandFingerprint'>): void {
  const first = recorded.find((event) => event.metadata.commandFingerprint !== undefined)?.metadata.commandFingerprint;
  if (metadata.commandFingerprint !== undefined && first !== undefined && first !== metadata.commandFingerprint) throw new IdempotencyKeyReusedError();
}

/**
 * Load → decide → append with the version that was read (optimistic concurrency).
 * A conflict means someone else wrote first: reload and decide again on the new state.
 * A command id seen before in the stream returns the earlier outcome, so a client's retry changes nothing;
 * seen with another fingerprint, it is refused (IdempotencyKeyReusedError).
 */
export async function handleCommand<C, S, E extends Event>(
  store: EventStore,
  streamId: string,
  decider: Decider<C, S, E>,
  command: C,
  metadata: EventMetadata,
  options: HandleCommandOptions = {},
): Promise<CommandResult> {
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const loadStarted = stageTimings.now();
    const stream = await loadStream(store, streamId, decider as Decider<unknown, S, E>);
    stageTimings.since('load', loadStarted);
    if (metadata.commandId && stream.commandIds.has(metadata.commandId)) {
      const earlier = (await store.readStream<E>(streamId)).filter((e) => e.metadata.commandId === metadata.commandId);
      assertSameCommand(earlier, metadata);
      return { streamId, position: earlier[earlier.length - 1].globalPosition, events: earlier, idempotentReplay: true };
    }
    if (options.atVersion !== undefined && stream.version !== options.atVersion) throw new ConcurrencyError(streamId, options.atVersion, stream.version < 0 ? 'no_stream' : stream.version);
    const decideStarted = stageTimings.now();
    const decided = decider.decide(command, stream.state);
    stageTimings.since('decide', decideStarted);
    if (decided.length === 0) {
      return { streamId, position: stream.position, events: [], idempotentReplay: false };
    }
    const expected = stream.version < 0 ? 'no_stream' : stream.version;
    const toAppend: NewEvent[] = decided.map((event) => ({ ...event, metadata }));
    try {
      const appendStarted = stageTimings.now();
      const result = await store.append(streamId, toAppend, { expected, commandId: metadata.commandId });
      stageTimings.since('append', appendStarted);
      if (result.idempotentReplay) assertSameCommand(result.events, metadata);
      return { streamId, position: result.lastPosition, events: result.events, idempotentReplay: result.idempotentReplay };
    } catch (error) {
      if (isConcurrencyError(error) && attempt < maxAttempts) continue;
      throw error;
    }
  }
}
