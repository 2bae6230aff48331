import type { RecordedEvent } from '@liangxin/contracts';
import { type CatchUpSource, startCatchUpSubscription } from './catch-up-subscription';
import type { SubscribeOptions, Subscription } from './port';

/**
 * A store's live subscriptions: each catches up through `readBatch`, is woken by `notify()` after a local commit,
 * and is stopped by `stopAll()` when the store closes. The same for every store that commits in this process.
 */
export class LiveSubscriptions {
  private readonly listeners = new Set<() => void>();
  private readonly active = new Set<Subscription>();

  constructor(private readonly source: Omit<CatchUpSource, 'onAppended'>) {}

  /** how many are running */
  get size(): number {
    return this.active.size;
  }

  start(options: SubscribeOptions, handler: (event: RecordedEvent) => Promise<void> | void, onError?: (error: unknown) => void): Subscription {
    const onAppended = (listener: () => void) => {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    };
    const subscription = startCatchUpSubscription({ ...this.source, onAppended }, options, handler, onError);
    this.active.add(subscription);
    void subscription.whenStopped.then(() => this.active.delete(subscription));
    return subscription;
  }

  /** something was appended: every subscription reads on now rather than at its next poll */
  notify(): void {
    for (const listener of this.listeners) listener();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.active].map((s) => s.stop()));
  }
}
