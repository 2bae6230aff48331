import type { Event, RecordedEvent } from '@liangxin/contracts';
import type { AppendResult, EventStore, ReadAllOptions, ReadStreamOptions, Subscription } from '@liangxin/event-store';

/**
 * The log as it stood at an instant: reads stop at the first event recorded after it, as if nothing had
 * been appended since. Read-only; lets the ordinary projection runner replay "up to a date".
 */
export class LogRecordedBy implements EventStore {
  /** position of the first event recorded after the instant, once a read has met it */
  private cutoff = Number.POSITIVE_INFINITY;

  constructor(
    private readonly log: EventStore,
    readonly instant: string,
  ) {}

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    if ((options.after ?? 0) >= this.cutoff - 1) return [];
    const until = Math.min(options.until ?? Number.MAX_SAFE_INTEGER, this.cutoff - 1);
    const batch = await this.log.readAll({ ...options, until });
    const late = batch.findIndex((event) => event.recordedAt > this.instant);
    if (late < 0) return batch;
    this.cutoff = Math.min(this.cutoff, batch[late].globalPosition);
    return batch.slice(0, late);
  }

  async readStream<E extends Event = Event>(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<E>[]> {
    const events = await this.log.readStream<E>(streamId, options);
    return events.filter((event) => event.recordedAt <= this.instant && event.globalPosition < this.cutoff);
  }

  async readEvent(eventId: string, hint?: { before?: number }): Promise<RecordedEvent | undefined> {
    const event = await this.log.readEvent(eventId, hint);
    return event && event.recordedAt <= this.instant && event.globalPosition < this.cutoff ? event : undefined;
  }

  /** the head of the whole log: an upper bound until the replay meets the instant */
  headPosition(): Promise<number> {
    return this.log.headPosition();
  }

  append(): Promise<AppendResult> {
    return Promise.reject(new Error('The log as of a past instant is read-only'));
  }

  subscribeToAll(): Subscription {
    throw new Error('The log as of a past instant has no live subscription');
  }

  /** the underlying log belongs to the caller, who closes it */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
