import { createHash } from 'node:crypto';

/** Every domain event crosses services in this one stream, on `liangxin.events.<source>.<EventType>`. */
export const EVENTS_STREAM = 'LIANGXIN_EVENTS';
export const EVENTS_SUBJECT_ROOT = 'liangxin.events';
/** Events a consumer gave up on, on `liangxin.dead-letters.<consumer>.<source>.<eventId>`, kept for admins to inspect and retry. */
export const DEAD_LETTERS_STREAM = 'LIANGXIN_DEAD_LETTERS';
export const DEAD_LETTERS_SUBJECT_ROOT = 'liangxin.dead-letters';
/** Commands are request/reply on core NATS: they need an answer now, not durability. */
export const COMMANDS_SUBJECT_ROOT = 'liangxin.cmd';
/** A consumer answers "how far have you handled the events you follow?" on `liangxin.applied.<service>` (settled reads). */
export const APPLIED_SUBJECT_ROOT = 'liangxin.applied';

export const TransportHeaders = {
  /** name of the service whose event store recorded the event */
  source: 'Liangxin-Source',
  /** n-th event of the source's filtered log (1-based, gap-free): consumers use it to spot gaps */
  sourceSequence: 'Liangxin-Source-Sequence',
  /** the event's globalPosition in the source store, where a backfill starts reading */
  globalPosition: 'Liangxin-Global-Position',
  /** set on a dead letter republished by an admin: only this consumer applies it again */
  retryFor: 'Liangxin-Retry-For',
} as const;

const TOKEN = /^[A-Za-z0-9_-]+$/;

const token = (kind: string, value: string): string => {
  if (!TOKEN.test(value)) throw new Error(`${kind} "${value}" cannot be a NATS subject token (letters, digits, _ and - only)`);
  return value;
};

export const eventSubject = (source: string, eventType: string): string =>
  `${EVENTS_SUBJECT_ROOT}.${token('source', source)}.${token('event type', eventType)}`;

export const sourceEventsFilter = (source: string): string => `${EVENTS_SUBJECT_ROOT}.${token('source', source)}.>`;

export const appliedPositionSubject = (service: string): string => `${APPLIED_SUBJECT_ROOT}.${token('service', service)}`;

export const deadLetterSubject = (consumer: string): string => `${DEAD_LETTERS_SUBJECT_ROOT}.${token('consumer', consumer)}`;

/** One subject per (consumer, source, event): the dead-letter stream keeps one message per subject. */
export const deadLetterEventSubject = (consumer: string, source: string, eventId: string): string =>
  `${deadLetterSubject(consumer)}.${token('source', source)}.${TOKEN.test(eventId) ? eventId : createHash('sha256').update(eventId).digest('hex')}`;

/** Whether a dead letter's subject belongs to `consumer` (records of older versions sit on the bare consumer subject). */
export const isDeadLetterOf = (subject: string, consumer: string): boolean =>
  subject === deadLetterSubject(consumer) || subject.startsWith(`${deadLetterSubject(consumer)}.`);

export const commandSubject = (pattern: string): string => {
  if (!/^[A-Za-z0-9_.-]+$/.test(pattern) || pattern.startsWith('.') || pattern.endsWith('.')) {
    throw new Error(`Command pattern "${pattern}" cannot be a NATS subject (letters, digits, _, - and inner dots only)`);
  }
  return `${COMMANDS_SUBJECT_ROOT}.${pattern}`;
};
