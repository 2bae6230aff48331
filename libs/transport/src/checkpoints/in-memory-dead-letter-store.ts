import { DEFAULT_DEAD_LETTER_SOURCE, type DeadLetter, type DeadLetterStore, type ParkRequest } from './dead-letter-store';

/** Dead letters kept in memory, for tests and throw-away runs; one per (consumer, source, event id) as in the durable stores. */
export class InMemoryDeadLetterStore implements DeadLetterStore {
  private readonly letters = new Map<number, DeadLetter>();
  private nextId = 1;

  async park({ consumer, source = DEFAULT_DEAD_LETTER_SOURCE, event, error, attempts }: ParkRequest): Promise<DeadLetter> {
    const now = new Date().toISOString();
    const existing = [...this.letters.values()].find((l) => l.consumer === consumer && l.source === source && l.event.eventId === event.eventId);
    const letter: DeadLetter = existing
      ? { ...existing, error, attempts: existing.attempts + attempts, lastAttemptAt: now }
      : { id: this.nextId++, consumer, source, event: structuredClone(event), error, attempts, parkedAt: now, lastAttemptAt: now };
    this.letters.set(letter.id, letter);
    return structuredClone(letter);
  }

  async list(consumer?: string): Promise<DeadLetter[]> {
    return [...this.letters.values()].filter((l) => consumer === undefined || l.consumer === consumer).map((l) => structuredClone(l));
  }

  async get(id: number): Promise<DeadLetter | undefined> {
    const letter = this.letters.get(id);
    return letter && structuredClone(letter);
  }

  async recordFailedRetry(id: number, error: string, attempts: number): Promise<void> {
    const letter = this.letters.get(id);
    if (letter) this.letters.set(id, { ...letter, error, attempts, lastAttemptAt: new Date().toISOString() });
  }

  async remove(id: number): Promise<void> {
    this.letters.delete(id);
  }
}
