import type { RecordedEvent } from '@liangxin/contracts';

/** An event a consumer gave up on after its handler kept failing; kept so an operator can look and retry. */
/** A consumer of the embedded mode follows one event store: the source of its dead letters unless named. */
export const DEFAULT_DEAD_LETTER_SOURCE = 'store';

export interface DeadLetter {
  id: number;
  consumer: string;
  /** where the event came from (one event store per source) */
  source: string;
  event: RecordedEvent;
  /** the last error, as text */
  error: string;
  /** handler calls made so far, retries included */
  attempts: number;
  /** ISO-8601, when it was first parked */
  parkedAt: string;
  /** ISO-8601, when it was last tried */
  lastAttemptAt: string;
}

export interface ParkRequest {
  consumer: string;
  /** default DEFAULT_DEAD_LETTER_SOURCE */
  source?: string;
  event: RecordedEvent;
  error: string;
  attempts: number;
}

export interface DeadLetterStore {
  /**
   * Parks an event. Parking the same event (by event id) from the same source for the same consumer again
   * (a redelivery after a crash, a retried dead letter that fails again) updates the existing dead letter
   * instead of adding a second one.
   */
  park(request: ParkRequest): Promise<DeadLetter>;
  /** oldest first; all consumers unless one is named */
  list(consumer?: string): Promise<DeadLetter[]>;
  get(id: number): Promise<DeadLetter | undefined>;
  /** a retry failed again: keep it parked with the new error and attempt count */
  recordFailedRetry(id: number, error: string, attempts: number): Promise<void>;
  /** a retry succeeded */
  remove(id: number): Promise<void>;
}
