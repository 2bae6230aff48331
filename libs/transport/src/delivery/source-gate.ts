import type { CheckpointStore } from '../checkpoints/checkpoint-store';
import { readSourceLog, START_OF_SOURCE, type SequencedEvent, type SourceLog, type SourcePosition } from '../forwarding/source-log';
import type { SerialQueue } from '../serial-queue';
import type { RetryPolicy } from './retry-policy';

export interface SourceGateOptions {
  log: SourceLog;
  checkpoints: CheckpointStore;
  /** key of this source's SourcePosition in `checkpoints` */
  checkpointName: string;
  policy: RetryPolicy;
  /** runs the consumer's handler for the event; rejects when it fails */
  dispatch(item: SequencedEvent, path: DeliveryPath): Promise<void>;
  /** keeps the event as a dead letter, durably; must be idempotent per event id (a redelivery may park it again) */
  deadLetter(item: SequencedEvent, error: unknown, attempts: number): Promise<void>;
  /** shared by every gate of one consumer: handlers run one at a time, in the order events arrive */
  serial: SerialQueue;
  /** true once the consumer is closing: a backfill stops between events */
  isStopping?: () => boolean;
  now?: () => number;
  /** events read from the store per backfill read (default 500) */
  backfillBatch?: number;
}

/** how the event reached the gate */
export type DeliveryPath = 'transport' | 'store' | 'retry';

export type Offered =
  | { outcome: 'applied' }
  | { outcome: 'dead-lettered' }
  /** at or below the applied sequence: already handled */
  | { outcome: 'duplicate' }
  /** a gap before it that the store cannot fill yet (a replica behind): deliver it again later */
  | { outcome: 'not-in-store-yet' }
  /** it, or an event before it, waits for a retry delay */
  | { outcome: 'retry-later'; delayMs: number };

export interface SourceCounters {
  gapsDetected: number;
  lagBackfills: number;
  eventsBackfilled: number;
  duplicatesSkipped: number;
  deadLettered: number;
  retriesApplied: number;
}

export interface SourceMetrics extends SourceCounters {
  appliedPosition: number;
  appliedSequence: number;
  /** how far the source's store has been looked through (its last event known to this consumer, or later) */
  headPosition: number;
  /** the source's events known and not yet handled: a count of events, never a difference of store positions */
  lag: number;
}

/** The next event cannot be applied yet: it failed recently and waits for its retry delay. */
class RetryLater extends Error {
  constructor(readonly notBefore: number) {
    super('waiting for a retry delay');
  }
}

const ignoreRetryLater = (error: unknown): void => {
  if (!(error instanceof RetryLater)) throw error;
};

type Failure = { count: number; notBefore: number };

/**
 * The transport-free half of delivering one source's events to a consumer, exactly once in effect:
 * - a sequence gate: the source's events carry a gap-free sequence; only applied+1 is applied, anything at or
 *   below is a duplicate;
 * - a gap, or a source that stays ahead of the consumer for `lagToleranceMs`, is filled from the source's
 *   event store (the broker is transport, the store is the truth);
 * - a failing handler is retried after the policy's delays, and after `maxDeliveries` its event is given to
 *   the dead letters and the consumer moves on.
 * The transport only maps the outcomes onto its own acknowledgements.
 */
export class SourceGate {
  private appliedAt: SourcePosition;
  /**
   * How far the store has been looked through for this source: every event of the source at or before
   * `position` has a sequence at or below `sequence`. Lag checks read only after it, so a quiet source costs
   * a read of what is new since the last check, not a scan from its last event to the store's head.
   */
  private known: SourcePosition;
  private behindSince?: number;
  private behindAtSequence?: number;
  private lastGapAtSequence?: number;
  private readonly failures = new Map<string, Failure>();
  private readonly counters: SourceCounters = {
    gapsDetected: 0,
    lagBackfills: 0,
    eventsBackfilled: 0,
    duplicatesSkipped: 0,
    deadLettered: 0,
    retriesApplied: 0,
  };
  private readonly now: () => number;

  private constructor(
    private readonly options: SourceGateOptions,
    applied: SourcePosition,
  ) {
    this.appliedAt = applied;
    this.known = applied;
    this.now = options.now ?? Date.now;
  }

  /** Opens the gate at the source's saved checkpoint (its start when there is none). */
  static async open(options: SourceGateOptions): Promise<SourceGate> {
    const applied = (await options.checkpoints.load<SourcePosition>(options.checkpointName)) ?? START_OF_SOURCE;
    return new SourceGate(options, applied);
  }

  get source(): string {
    return this.options.log.name;
  }

  get applied(): SourcePosition {
    return this.appliedAt;
  }

  metrics(): SourceMetrics {
    return {
      appliedPosition: this.appliedAt.position,
      appliedSequence: this.appliedAt.sequence,
      headPosition: this.known.position,
      lag: Math.max(0, this.known.sequence - this.appliedAt.sequence),
      ...this.counters,
    };
  }

  /** An event the transport delivered, with the sequence it carries. */
  offer(item: SequencedEvent): Promise<Offered> {
    return this.options.serial.run(async () => {
      this.learn(item);
      const { sequence } = item;
      if (sequence <= this.appliedAt.sequence) return this.duplicate();
      try {
        if (sequence > this.appliedAt.sequence + 1) {
          const missing = this.appliedAt.sequence + 1;
          const failure = this.pendingFailure(`#${missing}`);
          if (failure) throw new RetryLater(failure.notBefore);
          if (this.lastGapAtSequence !== missing) {
            this.lastGapAtSequence = missing;
            this.counters.gapsDetected++;
          }
          await this.fillFromStore(sequence - 1);
          if (this.appliedAt.sequence < sequence - 1) return { outcome: 'not-in-store-yet' };
          if (sequence <= this.appliedAt.sequence) return this.duplicate();
        }
        return { outcome: await this.applyNext(item, 'transport') };
      } catch (error) {
        if (!(error instanceof RetryLater)) throw error;
        // wait behind the failing event, keeping roughly the source's order on redelivery
        const stagger = Math.min(sequence - this.appliedAt.sequence, 100) * 5;
        return { outcome: 'retry-later', delayMs: Math.max(0, error.notBefore - this.now()) + 100 + stagger };
      }
    });
  }

  /** Applies the source's events from its store, after the applied one, up to `untilSequence` (or its end). */
  catchUp(untilSequence = Number.POSITIVE_INFINITY): Promise<void> {
    return this.options.serial.run(() => this.fillFromStore(untilSequence)).catch(ignoreRetryLater);
  }

  /**
   * Reads what the store has of the source beyond what is known, and when the consumer has stayed behind
   * it without progress for `toleranceMs`, applies the rest from the store. Call it periodically.
   */
  async checkLag(toleranceMs: number): Promise<void> {
    const storeHead = await this.options.log.store.headPosition();
    if (storeHead > this.known.position) {
      const batchSize = this.options.backfillBatch ?? 500;
      const found = await readSourceLog(this.options.log, this.known, batchSize);
      const last = found[found.length - 1];
      if (last) this.known = { position: last.event.globalPosition, sequence: last.sequence };
      if (found.length < batchSize) this.known = { position: Math.max(this.known.position, storeHead), sequence: this.known.sequence };
    }
    if (this.known.sequence <= this.appliedAt.sequence) {
      this.behindSince = undefined;
      return;
    }
    if (this.behindSince === undefined || this.behindAtSequence !== this.appliedAt.sequence) {
      this.behindSince = this.now();
      this.behindAtSequence = this.appliedAt.sequence;
      return;
    }
    if (this.now() - this.behindSince < toleranceMs) return;
    this.behindSince = undefined;
    this.counters.lagBackfills++;
    await this.catchUp();
  }

  /**
   * A dead letter an admin sent back: applied once more, outside the sequence gate (the consumer has moved
   * on). Failing `maxDeliveries` times again gives it back to the dead letters.
   */
  retryDeadLetter(item: SequencedEvent): Promise<Offered> {
    return this.options.serial.run(async () => {
      const key = `retry:${item.event.eventId}`;
      const count = (this.failures.get(key)?.count ?? 0) + 1;
      try {
        await this.options.dispatch(item, 'retry');
      } catch (error) {
        const decision = this.options.policy.afterFailure(count);
        if (decision.kind === 'retry') {
          this.failures.set(key, { count, notBefore: 0 });
          return { outcome: 'retry-later', delayMs: decision.delayMs };
        }
        this.failures.delete(key);
        await this.options.deadLetter(item, error, count);
        this.counters.deadLettered++;
        return { outcome: 'dead-lettered' };
      }
      this.failures.delete(key);
      this.counters.retriesApplied++;
      return { outcome: 'applied' };
    });
  }

  /**
   * A position up to which every event of the source is handled, at least `asked` when it is so. The applied
   * position is that of the last event handled only, so a gate behind `asked` looks in the store: if its next
   * event comes later than `asked` (or it has none), nothing of it is pending.
   */
  async appliedThrough(asked: number): Promise<number> {
    const applied = this.appliedAt;
    if (applied.position >= asked) return applied.position;
    // nothing of the source is known beyond the applied one up to `known`: no read needed up to there
    if (this.known.sequence === applied.sequence && this.known.position >= asked) return this.known.position;
    // the head first: any event of the source at or before it is either applied or read just below
    const head = await this.options.log.store.headPosition();
    const [next] = await readSourceLog(this.options.log, applied, 1);
    return next ? next.event.globalPosition - 1 : Math.max(head, applied.position);
  }

  private duplicate(): Offered {
    this.counters.duplicatesSkipped++;
    return { outcome: 'duplicate' };
  }

  private learn(item: SequencedEvent): void {
    if (item.event.globalPosition > this.known.position && item.sequence >= this.known.sequence) {
      this.known = { position: item.event.globalPosition, sequence: item.sequence };
    }
  }

  private pendingFailure(key: string): Failure | undefined {
    const failure = this.failures.get(key);
    return failure && failure.notBefore > this.now() ? failure : undefined;
  }

  /** Applies the event right after the applied one; throws RetryLater while it waits for a retry delay. */
  private async applyNext(item: SequencedEvent, path: DeliveryPath): Promise<'applied' | 'dead-lettered'> {
    const key = `#${item.sequence}`;
    const failure = this.failures.get(key);
    if (failure && failure.notBefore > this.now()) throw new RetryLater(failure.notBefore);
    try {
      await this.options.dispatch(item, path);
    } catch (error) {
      const count = (failure?.count ?? 0) + 1;
      const decision = this.options.policy.afterFailure(count);
      if (decision.kind === 'retry') {
        const notBefore = this.now() + decision.delayMs;
        this.failures.set(key, { count, notBefore });
        throw new RetryLater(notBefore);
      }
      await this.options.deadLetter(item, error, count);
      this.failures.delete(key);
      this.counters.deadLettered++;
      await this.advance(item);
      return 'dead-lettered';
    }
    this.failures.delete(key);
    await this.advance(item);
    return 'applied';
  }

  private async advance(item: SequencedEvent): Promise<void> {
    const applied = { position: item.event.globalPosition, sequence: item.sequence };
    await this.options.checkpoints.save<SourcePosition>(this.options.checkpointName, applied);
    this.appliedAt = applied;
    this.learn(item);
  }

  private async fillFromStore(untilSequence: number): Promise<void> {
    const batchSize = this.options.backfillBatch ?? 500;
    while (!this.options.isStopping?.() && this.appliedAt.sequence < untilSequence) {
      const wanted = Math.min(batchSize, untilSequence - this.appliedAt.sequence);
      const batch = await readSourceLog(this.options.log, this.appliedAt, wanted);
      if (batch.length === 0) return;
      for (const item of batch) {
        this.learn(item);
        await this.applyNext(item, 'store');
        this.counters.eventsBackfilled++;
      }
    }
  }
}
