/** What to do after a handler failed for the n-th time on one event. */
export type FailureDecision = { kind: 'retry'; delayMs: number } | { kind: 'dead-letter' };

export interface RetryPolicyOptions {
  /** handler calls per event before it is parked as a dead letter (default 5) */
  maxDeliveries?: number;
  /** wait after the n-th failure (n from 1) */
  delayAfter: (failures: number) => number;
}

/**
 * The one retry / dead-letter rule of every event consumer, whichever transport delivers: retry with the
 * delay for that failure, and after `maxDeliveries` calls give the event up to the dead letters.
 */
export class RetryPolicy {
  readonly maxDeliveries: number;
  private readonly delayAfter: (failures: number) => number;

  constructor(options: RetryPolicyOptions) {
    this.maxDeliveries = options.maxDeliveries ?? 5;
    if (!Number.isInteger(this.maxDeliveries) || this.maxDeliveries < 1) throw new Error('maxDeliveries must be an integer of at least 1');
    this.delayAfter = options.delayAfter;
  }

  /** delays in a list; the last one repeats */
  static stepped(delaysMs: readonly number[], maxDeliveries?: number): RetryPolicy {
    if (delaysMs.length === 0) throw new Error('a stepped retry policy needs at least one delay');
    return new RetryPolicy({ maxDeliveries, delayAfter: (n) => delaysMs[Math.min(n - 1, delaysMs.length - 1)] });
  }

  /** `baseMs`, doubling after each further failure, never more than `maxMs` */
  static exponential(baseMs: number, maxMs: number, maxDeliveries?: number): RetryPolicy {
    return new RetryPolicy({ maxDeliveries, delayAfter: (n) => Math.min(baseMs * 2 ** (n - 1), maxMs) });
  }

  afterFailure(failures: number): FailureDecision {
    if (failures >= this.maxDeliveries) return { kind: 'dead-letter' };
    return { kind: 'retry', delayMs: this.delayAfter(failures) };
  }
}
