import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { RecordedEvent } from '@liangxin/contracts';
import type { EventStore, Subscription } from '@liangxin/event-store';
import { isObservable, lastValueFrom } from 'rxjs';
import type { CheckpointStore, ConsumerCheckpoint } from '../checkpoints/checkpoint-store';
import type { DeadLetter, DeadLetterStore } from '../checkpoints/dead-letter-store';
import type { RetryOutcome } from '../dead-letters';
import { RetryPolicy } from '../delivery/retry-policy';
import { SerialQueue } from '../serial-queue';
import { describeError } from '../wire-error';
import type { DeadLetterRetrier, InProcessBus } from './in-process-bus';
import { InProcessContext } from './in-process-context';

export const IN_PROCESS_TRANSPORT = Symbol('IN_PROCESS_TRANSPORT');
/** The embedded mode's consumers follow one event store: the source of every dead letter they park. */
export const IN_PROCESS_SOURCE = 'store';

export interface InProcessServerOptions {
  /** durable name of this consumer: its checkpoint and dead letters are kept under it */
  consumer: string;
  store: EventStore;
  checkpoints: CheckpointStore;
  deadLetters: DeadLetterStore;
  /** the process's one bus */
  bus: InProcessBus;
  /** handler calls per event before it is parked as a dead letter (default 5) */
  maxDeliveries?: number;
  /** wait before the first retry; doubles on each further retry (default 100 ms) */
  retryBackoffMs?: number;
  /** longest wait between retries (default 30 s) */
  maxRetryBackoffMs?: number;
  /**
   * Save the checkpoint after at most this many handled events (default 100), and always when the
   * consumer has caught up with the store and when it stops. Live, events arrive a few at a time, so
   * each is checkpointed as soon as it is handled; while catching up on history the saves (each a
   * disk sync) are spread out: on 2 busy cores 1 gave 800–1 500 events/s, 100 gave 20 000–45 000. A crash redelivers at
   * most this many events, which idempotent handlers absorb.
   */
  checkpointEvery?: number;
}

type Settings = Required<InProcessServerOptions>;

/** Thrown inside a delivery when the server is closing: the event stays undelivered, not parked. */
class ConsumerStopping extends Error {
  constructor() {
    super('consumer is stopping');
  }
}

/**
 * The embedded mode's transport: Nest handlers run unchanged, with the guarantees of the JetStream
 * transport.
 * - `@EventPattern('<EventType>')`: a catch-up subscription on the event store, from this consumer's
 *   checkpoint, in global order; the handler gets the RecordedEvent envelope; the checkpoint is saved
 *   after it succeeds, so a crash in between redelivers (at least once: handlers must be idempotent,
 *   for instance by remembering the last globalPosition they applied). A handler that keeps failing
 *   is retried with backoff, then its event is parked as a dead letter and the consumer moves on.
 * - `@MessagePattern('<pattern>')`: registered on the InProcessBus for InProcessClient.send.
 */
/** What `server.on(...)` can listen to. */
export type InProcessServerEvents = {
  /** the event subscription failed (a store read, a checkpoint save) and is being resumed */
  error: (error: unknown) => void;
};

export class InProcessServer extends Server<InProcessServerEvents> implements CustomTransportStrategy, DeadLetterRetrier {
  override readonly transportId = IN_PROCESS_TRANSPORT;
  protected override readonly logger: Logger;
  private readonly settings: Settings;
  private subscription: Subscription | undefined;
  /** every event up to here was applied or parked */
  private position = 0;
  private savedPosition = 0;
  private handledSinceSave = 0;
  private closing = false;
  private wakeSleepers = new Set<() => void>();
  /** handler calls, retries and checkpoint saves run one at a time, in order */
  private readonly serial = new SerialQueue();
  private readonly listeners = new Map<string, Array<(error: unknown) => void>>();
  private readonly policy: RetryPolicy;

  constructor(options: InProcessServerOptions) {
    super();
    this.settings = { maxDeliveries: 5, retryBackoffMs: 100, maxRetryBackoffMs: 30_000, checkpointEvery: 100, ...options };
    this.policy = RetryPolicy.exponential(this.settings.retryBackoffMs, this.settings.maxRetryBackoffMs, this.settings.maxDeliveries);
    this.logger = new Logger(`InProcessServer:${options.consumer}`);
  }

  get consumer(): string {
    return this.settings.consumer;
  }

  /** position of the last event this consumer applied or parked */
  get appliedPosition(): number {
    return this.position;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      this.closing = false;
      const { bus, consumer } = this.settings;
      for (const [pattern, handler] of this.messageHandlers) {
        if (!handler.isEventHandler) bus.registerMessageHandler(pattern, handler, this);
      }
      if (this.hasEventHandlers()) {
        bus.registerConsumer(consumer, this);
        const saved = await this.settings.checkpoints.load<ConsumerCheckpoint>(consumer);
        this.position = this.savedPosition = saved?.position ?? 0;
        bus.reportApplied(consumer, this.position);
        this.subscribe();
      }
      this._status$.next('connected');
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const wake of this.wakeSleepers) wake();
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
    await this.serial.run(() => this.saveCheckpoint());
    this.settings.bus.unregisterAll(this);
    this._status$.next('disconnected');
  }

  /** `on('error', listener)`: told when the subscription fails and is resumed */
  on<EventKey extends keyof InProcessServerEvents = keyof InProcessServerEvents, EventCallback extends InProcessServerEvents[EventKey] = InProcessServerEvents[EventKey]>(
    event: EventKey,
    callback: EventCallback,
  ): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), callback]);
  }

  unwrap<T>(): T {
    return this.settings.bus as T;
  }

  listDeadLetters(): Promise<DeadLetter[]> {
    return this.settings.deadLetters.list(this.settings.consumer);
  }

  /**
   * Runs a parked event through its handler once more (out of order: the consumer has moved on).
   * On success the dead letter is removed; on failure it stays, with the new error.
   */
  retryDeadLetter(id: number): Promise<RetryOutcome> {
    return this.serial.run(async () => {
      const { deadLetters, consumer } = this.settings;
      const letter = await deadLetters.get(id);
      if (!letter || letter.consumer !== consumer) throw new Error(`No dead letter ${id} for consumer "${consumer}"`);
      const handler = this.eventHandlerFor(letter.event.type);
      if (!handler) throw new Error(`Consumer "${consumer}" no longer handles ${letter.event.type}`);
      const attempts = letter.attempts + 1;
      try {
        await this.invoke(handler, letter.event, attempts);
      } catch (error) {
        const description = describeError(error);
        await deadLetters.recordFailedRetry(id, description, attempts);
        return { status: 'failed', error: description, attempts };
      }
      await deadLetters.remove(id);
      return { status: 'applied' };
    });
  }

  private subscribe(): void {
    this.subscription = this.settings.store.subscribeToAll(
      {
        after: this.position,
        onCaughtUp: () => void this.serial.run(() => this.saveCheckpoint()).catch((error) => this.onSubscriptionError(error)),
      },
      (event) => this.serial.run(() => this.deliver(event)),
      (error) => this.onSubscriptionError(error),
    );
  }

  /** The subscription stopped on an error (a checkpoint that could not be saved, a store read): resume from memory. */
  private onSubscriptionError(error: unknown): void {
    if (this.closing || error instanceof ConsumerStopping) return;
    this.logger.error(`Subscription failed at position ${this.position}, resuming: ${describeError(error)}`);
    this.emit('error', error);
    const failed = this.subscription;
    this.subscription = undefined;
    void (async () => {
      await failed?.stop().catch(() => undefined);
      await this.sleep(this.settings.retryBackoffMs);
      if (!this.closing && !this.subscription) this.subscribe();
    })().catch(() => undefined);
  }

  private async deliver(event: RecordedEvent): Promise<void> {
    if (event.globalPosition <= this.position) return;
    const handler = this.eventHandlerFor(event.type);
    if (handler) {
      const failure = await this.deliverWithRetries(handler, event);
      if (failure) {
        await this.settings.deadLetters.park({ consumer: this.settings.consumer, source: IN_PROCESS_SOURCE, event, ...failure });
        this.logger.warn(`Parked ${event.type} at position ${event.globalPosition} after ${failure.attempts} attempts`);
      }
      this.handledSinceSave += 1;
    }
    const previous = this.position;
    this.position = event.globalPosition;
    try {
      if (this.handledSinceSave >= this.settings.checkpointEvery) await this.saveCheckpoint();
    } catch (error) {
      // Unsaved progress is not progress: let the subscription resume before this event.
      this.position = previous;
      throw error;
    }
    this.settings.bus.reportApplied(this.settings.consumer, this.position);
  }

  /** undefined when the handler succeeded; otherwise the last error and how many calls were made */
  private async deliverWithRetries(handler: MessageHandler, event: RecordedEvent): Promise<{ error: string; attempts: number } | undefined> {
    const { maxDeliveries } = this.policy;
    for (let attempt = 1; ; attempt++) {
      if (this.closing) throw new ConsumerStopping();
      try {
        await this.invoke(handler, event, attempt);
        return undefined;
      } catch (error) {
        this.logger.warn(`${event.type} at position ${event.globalPosition} failed (attempt ${attempt}/${maxDeliveries}): ${describeError(error)}`);
        const decision = this.policy.afterFailure(attempt);
        if (decision.kind === 'dead-letter') {
          if (this.closing) throw new ConsumerStopping();
          return { error: describeError(error), attempts: attempt };
        }
        await this.sleep(decision.delayMs);
      }
    }
  }

  private async invoke(handler: MessageHandler, event: RecordedEvent, attempt: number): Promise<void> {
    const context = new InProcessContext([event.type, this.settings.consumer, attempt]);
    // A fresh copy per call, as a network transport would deliver: a handler that mutates its input cannot poison a retry.
    const result: unknown = await handler(structuredClone(event), context);
    // Nest wraps handlers so that a thrown error comes back as an erroring Observable: wait for it to surface.
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }

  private eventHandlerFor(type: string): MessageHandler | undefined {
    const handler = this.messageHandlers.get(type);
    return handler?.isEventHandler ? handler : undefined;
  }

  private hasEventHandlers(): boolean {
    for (const handler of this.messageHandlers.values()) if (handler.isEventHandler) return true;
    return false;
  }

  private async saveCheckpoint(): Promise<void> {
    if (this.position === this.savedPosition) return;
    const position = this.position;
    await this.settings.checkpoints.save<ConsumerCheckpoint>(this.settings.consumer, { position });
    this.savedPosition = position;
    this.handledSinceSave = 0;
  }

  private sleep(ms: number): Promise<void> {
    if (this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeSleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeSleepers.add(wake);
    });
  }


  private emit(event: keyof InProcessServerEvents, error: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(error);
  }
}
