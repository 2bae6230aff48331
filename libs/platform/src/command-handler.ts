import type { Event, EventMetadata, NewEvent, RecordedEvent } from '@liangxin/contracts';
import { type Decider, fold } from '@liangxin/event-sourcing';
import { type EventStore, isConcurrencyError } from '@liangxin/event-store';

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
}

/**
 * Load → decide → append with the version that was read (optimistic concurrency).
 * A conflict means someone else wrote first: reload and decide again on the new state.
 * A command id seen before in the stream returns the earlier outcome, so a client's retry changes nothing.
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
    const history = await store.readStream<E>(streamId);
    if (metadata.commandId) {
      const earlier = history.filter((e) => e.metadata.commandId === metadata.commandId);
      if (earlier.length > 0) {
        return { streamId, position: earlier[earlier.length - 1].globalPosition, events: earlier, idempotentReplay: true };
      }
    }
    const state = fold(decider, history);
    const decided = decider.decide(command, state);
    if (decided.length === 0) {
      return { streamId, position: history.at(-1)?.globalPosition ?? 0, events: [], idempotentReplay: false };
    }
    const expected = history.length === 0 ? 'no_stream' : history[history.length - 1].streamVersion;
    const toAppend: NewEvent[] = decided.map((event) => ({ ...event, metadata }));
    try {
      const result = await store.append(streamId, toAppend, { expected, commandId: metadata.commandId });
      return { streamId, position: result.lastPosition, events: result.events, idempotentReplay: result.idempotentReplay };
    } catch (error) {
      if (isConcurrencyError(error) && attempt < maxAttempts) continue;
      throw error;
    }
  }
}
