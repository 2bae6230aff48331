import type { CheckpointStore } from './checkpoint-store';

/** Checkpoints kept in memory, for tests and for consumers that rebuild on every start. */
export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly values = new Map<string, unknown>();

  async load<T>(name: string): Promise<T | undefined> {
    const value = this.values.get(name);
    // copies both ways, as a durable store would: nobody shares a reference with the store
    return value === undefined ? undefined : (structuredClone(value) as T);
  }

  async save<T>(name: string, value: T): Promise<void> {
    this.values.set(name, structuredClone(value));
  }
}
