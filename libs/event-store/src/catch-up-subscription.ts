import type { RecordedEvent } from '@liangxin/contracts';
import type { SubscribeOptions, Subscription } from './port';

export interface CatchUpSource {
  /**
   * Matching events after `after`, at most `limit`, and how far the log was scanned: when fewer than
   * `limit` came back, `scannedTo` is the head at the time of the read, so filtered-out events are not
   * scanned again.
   */
  readBatch(after: number, limit: number, filter: Pick<SubscribeOptions, 'types' | 'streamPrefixes' | 'until'>): Promise<{
    events: RecordedEvent[];
    scannedTo: number;
  }>;
  /** registers a callback run after every local append; returns the unregister function */
  onAppended(listener: () => void): () => void;
  /** how often to look for events written by someone the source cannot hear (another process) */
  pollIntervalMs: number;
  batchSize: number;
}

/**
 * Catch-up then live, as one loop: read a batch after the cursor, hand each event to the handler in
 * order, and when the head is reached sleep until an append wakes it (or the poll timer fires).
 * A wake-up that arrives while a batch is being handled is remembered, so no append is missed.
 */
export const startCatchUpSubscription = (
  source: CatchUpSource,
  options: SubscribeOptions,
  handler: (event: RecordedEvent) => Promise<void> | void,
  onError?: (error: unknown) => void,
): Subscription & { whenStopped: Promise<void> } => {
  let position = options.after ?? 0;
  let stopped = false;
  let appendedSinceRead = true;
  let wake: (() => void) | undefined;
  const unregister = source.onAppended(() => {
    appendedSinceRead = true;
    wake?.();
  });

  const sleep = () =>
    new Promise<void>((resolve) => {
      if (stopped || appendedSinceRead) return resolve();
      const timer = setTimeout(done, source.pollIntervalMs);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const run = async () => {
    let cursor = position;
    let announcedCaughtUp = false;
    const filter = { types: options.types, streamPrefixes: options.streamPrefixes, until: options.until };
    const reachedUntil = () => options.until !== undefined && cursor >= options.until;
    while (!stopped) {
      appendedSinceRead = false;
      const { events, scannedTo } = await source.readBatch(cursor, source.batchSize, filter);
      for (const event of events) {
        if (stopped) return;
        await handler(event);
        position = event.globalPosition;
      }
      cursor = Math.max(cursor, scannedTo);
      if (events.length < source.batchSize || reachedUntil()) {
        if (options.until !== undefined) {
          if (!stopped) options.onCaughtUp?.();
          return;
        }
        if (events.length > 0 || !announcedCaughtUp) {
          announcedCaughtUp = true;
          if (!stopped) options.onCaughtUp?.();
        }
        await sleep();
      }
    }
  };

  const whenStopped = run()
    .catch((error) => {
      stopped = true;
      onError?.(error);
    })
    .finally(() => {
      stopped = true;
      unregister();
    });

  return {
    get position() {
      return position;
    },
    whenStopped,
    async stop() {
      stopped = true;
      wake?.();
      await whenStopped;
    },
  };
};
