import type { EventStore, Subscription } from '@liangxin/event-store';

export interface WakeUpOptions {
  /** wait before the first re-subscription, doubling up to `maxBackoffMs` (defaults 200 ms, 30 s) */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** told of each failure, with how many came in a row */
  onFailure?: (error: unknown, failures: number) => void;
}

export interface WakeUpHealth {
  /** re-subscriptions since start */
  resubscribed: number;
  /** the failure the subscription is recovering from, if it is down now */
  failing?: string;
}

/**
 * Follows appends to the store to wake the projections at once. A subscription dies on its store's errors (a
 * KurrentDB leader change, a dropped connection): it is re-subscribed from where it was, with backoff, and
 * `health()` says whether it is down. Without it the projections still poll, only slower.
 */
export class WakeUpSubscription {
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  private resubscribed = 0;
  private failing: unknown;
  private position: number;

  private constructor(
    private readonly store: EventStore,
    private readonly wake: () => void,
    private readonly options: WakeUpOptions,
    after: number,
  ) {
    this.position = after;
  }

  static async start(store: EventStore, wake: () => void, options: WakeUpOptions = {}): Promise<WakeUpSubscription> {
    const subscription = new WakeUpSubscription(store, wake, options, await store.headPosition());
    subscription.subscribe();
    return subscription;
  }

  health(): WakeUpHealth {
    return { resubscribed: this.resubscribed, ...(this.failing !== undefined && { failing: String(this.failing) }) };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.subscription?.stop();
  }

  private subscribe(): void {
    this.subscription = this.store.subscribeToAll(
      { after: this.position },
      (event) => {
        this.position = event.globalPosition;
        this.failures = 0;
        this.failing = undefined;
        this.wake();
      },
      (error) => this.onError(error),
    );
  }

  private onError(error: unknown): void {
    if (this.stopped) return;
    this.failures++;
    this.failing = error;
    this.options.onFailure?.(error, this.failures);
    const failed = this.subscription;
    this.subscription = undefined;
    void failed?.stop().catch(() => undefined);
    const delay = Math.min((this.options.backoffMs ?? 200) * 2 ** (this.failures - 1), this.options.maxBackoffMs ?? 30_000);
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      this.resubscribed++;
      // events appended while it was down: wake the projections once, they read the log themselves
      this.wake();
      this.subscribe();
    }, delay);
  }
}
