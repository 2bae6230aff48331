import type { RecordedEvent } from '@liangxin/contracts';

/** The body of a message on `liangxin.dead-letters.<consumer>`. */
export interface DeadLetterRecord {
  consumer: string;
  source: string;
  sequence: number;
  /** where the event was published; a retry republishes it there */
  subject: string;
  event: RecordedEvent;
  /** the last error, as the server saw it (describeError) */
  error: string;
  attempts: number;
  /** ISO-8601: when it was parked; a dead letter retried and failing again is a new record */
  deadLetteredAt: string;
}
