import type { RecordedEvent } from '@liangxin/contracts';
import type { WireError } from './wire-error';

/** The body of a message on `liangxin.dead-letters.<consumer>`. */
export interface DeadLetterRecord {
  consumer: string;
  source: string;
  sequence: number;
  /** where the event was published; a retry republishes it there */
  subject: string;
  event: RecordedEvent;
  error: WireError;
  attempts: number;
  deadLetteredAt: string;
}
