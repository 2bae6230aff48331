import type { MessageHandler } from '@nestjs/microservices';
import type { RetryOutcome } from '../dead-letters';

interface PositionWaiter {
  position: number;
  resolve: () => void;
}

/** What the bus needs of a running event consumer to route dead-letter retries to it. */
export interface DeadLetterRetrier {
  retryDeadLetter(id: number): Promise<RetryOutcome>;
}

/**
 * The process-wide switchboard of the embedded mode. There is one per process:
 * - request/reply: servers register their @MessagePattern handlers, clients look them up;
 * - read-your-writes: consumers report the global position they have applied, callers wait for it;
 * - operations: dead-letter retries reach the consumer that parked the event.
 */
export class InProcessBus {
  private readonly messageHandlers = new Map<string, { handler: MessageHandler; owner: object }>();
  private readonly applied = new Map<string, number>();
  private readonly waiters = new Map<string, Set<PositionWaiter>>();
  private readonly consumers = new Map<string, DeadLetterRetrier>();

  registerMessageHandler(pattern: string, handler: MessageHandler, owner: object): void {
    const existing = this.messageHandlers.get(pattern);
    if (existing && existing.owner !== owner) {
      throw new Error(`Two servers handle the message pattern "${pattern}" in this process; a request must have exactly one handler`);
    }
    this.messageHandlers.set(pattern, { handler, owner });
  }

  unregisterAll(owner: object): void {
    for (const [pattern, entry] of this.messageHandlers) if (entry.owner === owner) this.messageHandlers.delete(pattern);
    for (const [consumer, retrier] of this.consumers) if (retrier === owner) this.consumers.delete(consumer);
  }

  messageHandler(pattern: string): MessageHandler | undefined {
    return this.messageHandlers.get(pattern)?.handler;
  }

  registerConsumer(consumer: string, retrier: DeadLetterRetrier): void {
    const existing = this.consumers.get(consumer);
    if (existing && existing !== retrier) {
      throw new Error(`Consumer "${consumer}" is already running in this process; two copies would race on one checkpoint`);
    }
    this.consumers.set(consumer, retrier);
  }

  retryDeadLetter(consumer: string, id: number): Promise<RetryOutcome> {
    const retrier = this.consumers.get(consumer);
    if (!retrier) return Promise.reject(new Error(`Consumer "${consumer}" is not running in this process`));
    return retrier.retryDeadLetter(id);
  }

  /** Called by a consumer after it has applied (or parked) every event up to `position`. */
  reportApplied(consumer: string, position: number): void {
    if (position <= (this.applied.get(consumer) ?? 0)) return;
    this.applied.set(consumer, position);
    const waiting = this.waiters.get(consumer);
    if (!waiting) return;
    for (const waiter of waiting) {
      if (waiter.position <= position) {
        waiting.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** Names of the running event consumers (servers with @EventPattern handlers); request-only servers are not among them. */
  eventConsumers(): string[] {
    return [...this.consumers.keys()];
  }

  /** The last global position a consumer reported as applied (0 before it reported anything). */
  appliedPosition(consumer: string): number {
    return this.applied.get(consumer) ?? 0;
  }

  /**
   * Resolves once `consumer` has applied the event at `position` (and so everything before it), so a
   * caller that just appended can read its own write from that consumer's read model.
   * Rejects after `timeoutMs`, naming how far the consumer got.
   */
  waitUntilApplied(consumer: string, position: number, timeoutMs: number): Promise<void> {
    if (this.appliedPosition(consumer) >= position) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiting = this.waiters.get(consumer) ?? new Set<PositionWaiter>();
      this.waiters.set(consumer, waiting);
      const waiter: PositionWaiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        waiting.delete(waiter);
        reject(
          new Error(
            `Consumer "${consumer}" had not applied position ${position} after ${timeoutMs} ms (it is at ${this.appliedPosition(consumer)})`,
          ),
        );
      }, timeoutMs);
      waiting.add(waiter);
    });
  }
}
