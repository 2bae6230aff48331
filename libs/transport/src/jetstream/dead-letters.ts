import { jetstreamManager, jetstream, type JetStreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import type { DeadLetterRecord } from './dead-letter-record';
import { DEAD_LETTERS_STREAM, deadLetterSubject, TransportHeaders } from './subjects';
import { ensureTopology } from './topology';

export interface DeadLetter extends DeadLetterRecord {
  /** sequence of the dead letter in LIANGXIN_DEAD_LETTERS: what `retry` and `discard` take */
  id: number;
}

/** What admins do with events a consumer gave up on: look at them, send them again, or drop them. */
export class DeadLetters {
  private jsm?: JetStreamManager;

  constructor(private readonly connection: NatsConnection) {}

  /** Oldest first; only those of `consumer` when given. */
  async list(options: { consumer?: string; limit?: number } = {}): Promise<DeadLetter[]> {
    const jsm = await this.manager();
    const { state } = await jsm.streams.info(DEAD_LETTERS_STREAM);
    const wantedSubject = options.consumer ? deadLetterSubject(options.consumer) : undefined;
    const limit = options.limit ?? 100;
    const found: DeadLetter[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && found.length < limit && state.messages > 0; seq++) {
      const stored = await this.get(jsm, seq);
      if (!stored || (wantedSubject && stored.subject !== wantedSubject)) continue;
      found.push({ id: seq, ...stored.json<DeadLetterRecord>() });
    }
    return found;
  }

  /**
   * Republishes the event to its original subject, marked for the consumer that gave up on it (other
   * consumers ignore the copy), then removes the dead letter. Failing again dead-letters it again.
   */
  async retry(id: number): Promise<void> {
    const jsm = await this.manager();
    const stored = await this.get(jsm, id);
    if (!stored) throw new Error(`No dead letter ${id}`);
    const record = stored.json<DeadLetterRecord>();
    const h = headers();
    h.set(TransportHeaders.source, record.source);
    h.set(TransportHeaders.sourceSequence, String(record.sequence));
    h.set(TransportHeaders.globalPosition, String(record.event.globalPosition));
    h.set(TransportHeaders.retryFor, record.consumer);
    await jetstream(this.connection).publish(record.subject, JSON.stringify(record.event), {
      msgID: `retry:${record.consumer}:${record.event.eventId}:${id}`,
      headers: h,
    });
    await jsm.streams.deleteMessage(DEAD_LETTERS_STREAM, id, false);
  }

  async discard(id: number): Promise<void> {
    const jsm = await this.manager();
    await jsm.streams.deleteMessage(DEAD_LETTERS_STREAM, id, false);
  }

  private async get(jsm: JetStreamManager, seq: number) {
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
