/**
 * An event a consumer gave up on, as an admin sees it, whichever transport parked it (SQLite in the
 * embedded mode, a JetStream stream in the distributed one).
 */
export interface DeadLetterView {
  /** opaque: pass it back to `retry` or `discard` of the admin that listed it */
  id: string;
  consumer: string;
  eventType: string;
  eventId: string;
  globalPosition: number;
  /** the last error, as the server saw it (never shown to command callers) */
  error: string;
  /** handler calls made so far */
  attempts: number;
  /** ISO-8601 */
  firstParkedAt: string;
  /** ISO-8601 */
  lastAttemptAt: string;
}

export interface DeadLetterFilter {
  /** only this consumer's dead letters */
  consumer?: string;
  /** at most this many, oldest first (default 100) */
  limit?: number;
}

export type RetryOutcome =
  /** the consumer's handler applied the event; the dead letter is gone */
  | { status: 'applied' }
  /** handed back to the consumer, which applies it in its own time; failing again parks it anew */
  | { status: 'resent' }
  /** the handler failed again; the dead letter stays, with this error and attempt count */
  | { status: 'failed'; error: string; attempts: number };

/** What admins do with dead letters, the same in both modes: look at them, send them again, or drop them. */
export interface DeadLetterAdmin {
  list(filter?: DeadLetterFilter): Promise<DeadLetterView[]>;
  /** rejects with DeadLetterNotFound for an id that is not (or no longer) parked */
  retry(id: string): Promise<RetryOutcome>;
  discard(id: string): Promise<void>;
}

export const DEFAULT_DEAD_LETTER_LIST_LIMIT = 100;

export class DeadLetterNotFound extends Error {
  constructor(readonly id: string) {
    super(`No dead letter ${id}`);
    this.name = 'DeadLetterNotFound';
  }
}

/** The numeric id a backend gave a dead letter, from the opaque string an admin passes back. */
export const parseDeadLetterId = (id: string): number => {
  if (!/^[1-9][0-9]*$/.test(id)) throw new DeadLetterNotFound(id);
  return Number(id);
};
