import type { DeadLetter, DeadLetterStore } from '../checkpoints/dead-letter-store';
import {
  DEFAULT_DEAD_LETTER_LIST_LIMIT,
  DeadLetterNotFound,
  parseDeadLetterId,
  type DeadLetterAdmin,
  type DeadLetterFilter,
  type DeadLetterView,
  type RetryOutcome,
} from '../dead-letters';
import type { InProcessBus } from './in-process-bus';

export interface InProcessDeadLettersOptions {
  /** the process's one bus: a retry runs through the consumer that parked the event */
  bus: InProcessBus;
  /** where the consumers park their dead letters */
  deadLetters: DeadLetterStore;
}

const toView = (letter: DeadLetter): DeadLetterView => ({
  id: String(letter.id),
  consumer: letter.consumer,
  eventType: letter.event.type,
  eventId: letter.event.eventId,
  globalPosition: letter.event.globalPosition,
  error: letter.error,
  attempts: letter.attempts,
  firstParkedAt: letter.parkedAt,
  lastAttemptAt: letter.lastAttemptAt,
});

/** The embedded mode's dead letters: read from the consumers' store, retried by the running consumer itself. */
export class InProcessDeadLetters implements DeadLetterAdmin {
  constructor(private readonly options: InProcessDeadLettersOptions) {}

  async list(filter: DeadLetterFilter = {}): Promise<DeadLetterView[]> {
    const letters = await this.options.deadLetters.list(filter.consumer);
    return letters.slice(0, filter.limit ?? DEFAULT_DEAD_LETTER_LIST_LIMIT).map(toView);
  }

  /** Runs the handler now and says how it went; rejects when the consumer is not running in this process. */
  async retry(id: string): Promise<RetryOutcome> {
    const letter = await this.find(id);
    return this.options.bus.retryDeadLetter(letter.consumer, letter.id);
  }

  async discard(id: string): Promise<void> {
    const letter = await this.find(id);
    await this.options.deadLetters.remove(letter.id);
  }

  private async find(id: string): Promise<DeadLetter> {
    const letter = await this.options.deadLetters.get(parseDeadLetterId(id));
    if (!letter) throw new DeadLetterNotFound(id);
    return letter;
  }
}
