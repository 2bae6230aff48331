import { randomUUID } from 'node:crypto';
import type { Event, NewEvent, RecordedEvent } from '@liangxin/contracts';
import {
  ConcurrencyError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SubscribeOptions,
  type Subscription,
} from '@liangxin/event-store';

/**
 * A minimal EventStore kept in memory, for transport tests that need a source of truth but not a
 * database. It follows the port's contract (gap-free global positions, filters, catch-up subscription).
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly listeners = new Set<() => void>();

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const stream = this.log.filter((e) => e.streamId === streamId);
    if (options.commandId) {
      const earlier = stream.filter((e) => e.metadata.commandId === options.commandId);
      if (earlier.length > 0) {
        const last = earlier[earlier.length - 1];
        return { streamId, nextExpectedVersion: stream.length - 1, lastPosition: last.globalPosition, events: earlier, idempotentReplay: true };
      }
    }
    const version = stream.length - 1;
    const { expected } = options;
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && stream.length === 0) ||
      (expected === 'stream_exists' && stream.length > 0) ||
      (typeof expected === 'number' && expected === version);
    if (!ok) throw new ConcurrencyError(streamId, expected, stream.length === 0 ? 'no_stream' : version);
    const now = new Date().toISOString();
    const recorded = events.map((e, i): RecordedEvent => ({
      type: e.type,
      schemaVersion: e.schemaVersion,
      data: e.data,
      eventId: e.eventId ?? randomUUID(),
      streamId,
      streamVersion: version + 1 + i,
      globalPosition: this.log.length + 1 + i,
      occurredAt: e.occurredAt ?? now,
      recordedAt: now,
      metadata: { ...e.metadata, ...(options.commandId ? { commandId: options.commandId } : {}) },
    }));
    this.log.push(...recorded);
    for (const notify of this.listeners) notify();
    return {
      streamId,
      nextExpectedVersion: version + recorded.length,
      lastPosition: this.log.length,
      events: recorded,
      idempotentReplay: false,
    };
  }

  async readStream<E extends Event = Event>(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<E>[]> {
    return this.log.filter(
      (e) =>
        e.streamId === streamId &&
        e.streamVersion >= (options.fromVersion ?? 0) &&
        (options.untilPosition === undefined || e.globalPosition <= options.untilPosition),
    ) as RecordedEvent<E>[];
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.select(options).slice(0, options.limit ?? 1000);
  }

  subscribeToAll(options: SubscribeOptions, handler: (event: RecordedEvent) => Promise<void> | void, onError?: (error: unknown) => void): Subscription {
    let position = options.after ?? 0;
    let stopped = false;
    let wake: (() => void) | undefined;
    const notify = () => wake?.();
    this.listeners.add(notify);
    const run = async () => {
      try {
        while (!stopped) {
          const batch = this.select({ ...options, after: position }).slice(0, 500);
          for (const event of batch) {
            if (stopped) return;
            await handler(event);
            position = event.globalPosition;
          }
          if (batch.length === 0) {
            options.onCaughtUp?.();
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, 50);
            });
          }
        }
      } catch (error) {
        stopped = true;
        onError?.(error);
      } finally {
        this.listeners.delete(notify);
      }
    };
    const running = run();
    return {
      get position() {
        return position;
      },
      async stop() {
        stopped = true;
        wake?.();
        await running;
      },
    };
  }

  async headPosition(): Promise<number> {
    return this.log.length;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private select(options: ReadAllOptions): RecordedEvent[] {
    return this.log.filter(
      (e) =>
        e.globalPosition > (options.after ?? 0) &&
        (options.until === undefined || e.globalPosition <= options.until) &&
        (!options.types || options.types.includes(e.type)) &&
        (!options.streamPrefixes || options.streamPrefixes.some((p) => e.streamId.startsWith(p))),
    );
  }
}
