import { jetstreamManager, jetstream, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import {
  DEFAULT_DEAD_LETTER_LIST_LIMIT,
  DeadLetterNotFound,
  parseDeadLetterId,
  type DeadLetterAdmin,
  type DeadLetterFilter,
  type DeadLetterView,
  type RetryOutcome,
} from '../dead-letters';
import type { DeadLetterRecord } from './dead-letter-record';
import { DEAD_LETTERS_STREAM, isDeadLetterOf, TransportHeaders } from './subjects';
import { ensureTopology } from './topology';

const toView = (seq: number, record: DeadLetterRecord): DeadLetterView => ({
  id: String(seq),
  consumer: record.consumer,
  eventType: record.event.type,
  eventId: record.event.eventId,
  globalPosition: record.event.globalPosition,
  error: record.error,
  attempts: record.attempts,
  firstParkedAt: record.deadLetteredAt,
  lastAttemptAt: record.deadLetteredAt,
});

/**
 * The distributed mode's dead letters, kept in the LIANGXIN_DEAD_LETTERS stream; a view's id is the
 * message's sequence there.
 */
export class JetStreamDeadLetters implements DeadLetterAdmin {
  private jsm?: JetStreamManager;

  constructor(private readonly connection: NatsConnection) {}

  async list(filter: DeadLetterFilter = {}): Promise<DeadLetterView[]> {
    const jsm = await this.manager();
    const { state } = await jsm.streams.info(DEAD_LETTERS_STREAM);
    const limit = filter.limit ?? DEFAULT_DEAD_LETTER_LIST_LIMIT;
    const found: DeadLetterView[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && found.length < limit && state.messages > 0; seq++) {
      const stored = await this.get(jsm, seq);
      if (!stored || (filter.consumer && !isDeadLetterOf(stored.subject, filter.consumer))) continue;
      found.push(toView(seq, stored.json<DeadLetterRecord>()));
    }
    return found;
  }

  /**
   * Republishes the event to its original subject, marked for the consumer that gave up on it (other
   * consumers ignore the copy), then removes the dead letter. The consumer applies it in its own
   * time; failing again dead-letters it again, under a new id (one record per event and consumer).
   */
  async retry(id: string): Promise<RetryOutcome> {
    const jsm = await this.manager();
    const seq = parseDeadLetterId(id);
    const stored = await this.get(jsm, seq);
    if (!stored) throw new DeadLetterNotFound(id);
    const record = stored.json<DeadLetterRecord>();
    const h = headers();
    h.set(TransportHeaders.source, record.source);
    h.set(TransportHeaders.sourceSequence, String(record.sequence));
    h.set(TransportHeaders.globalPosition, String(record.event.globalPosition));
    h.set(TransportHeaders.retryFor, record.consumer);
    await jetstream(this.connection).publish(record.subject, JSON.stringify(record.event), {
      msgID: `retry:${record.consumer}:${record.event.eventId}:${seq}`,
      headers: h,
    });
    await jsm.streams.deleteMessage(DEAD_LETTERS_STREAM, seq, false);
    return { status: 'resent' };
  }

  async discard(id: string): Promise<void> {
    const jsm = await this.manager();
    const seq = parseDeadLetterId(id);
    if (!(await this.get(jsm, seq))) throw new DeadLetterNotFound(id);
    await jsm.streams.deleteMessage(DEAD_LETTERS_STREAM, seq, false);
  }

  private async get(jsm: JetStreamManager, seq: number): Promise<StoredMsg | null> {
    try {
      return await jsm.streams.getMessage(DEAD_LETTERS_STREAM, { seq });
    } catch (error) {
      if (/no message found|not found/i.test(String((error as Error).message))) return null;
      throw error;
    }
  }

  private async manager(): Promise<JetStreamManager> {
    if (!this.jsm) {
      this.jsm = await jetstreamManager(this.connection);
      await ensureTopology(this.jsm);
    }
    return this.jsm;
  }
}
