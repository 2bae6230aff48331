/**
 * Where a forwarder or a consumer keeps how far it got. Only what the transport needs: the SQLite
 * CheckpointStore of the embedded mode (and any other adapter) satisfies it as it is.
 */
export interface CheckpointStore<T> {
  load(name: string): Promise<T | undefined>;
  save(name: string, value: T): Promise<void>;
}

/** A place in one source's filtered log: the store's globalPosition and the gap-free per-source sequence. */
export interface SourcePosition {
  /** globalPosition (in the source's store) of the last event handled; 0 before the first */
  position: number;
  /** how many events of the source's filtered log have been handled: the sequence of the last one */
  sequence: number;
}

export const START_OF_SOURCE: SourcePosition = Object.freeze({ position: 0, sequence: 0 });

/** A checkpoint store kept in memory, for tests and for consumers that rebuild on every start. */
export class InMemoryCheckpointStore<T> implements CheckpointStore<T> {
  private readonly values = new Map<string, T>();

  async load(name: string): Promise<T | undefined> {
    const value = this.values.get(name);
    return value === undefined ? undefined : structuredClone(value);
  }

  async save(name: string, value: T): Promise<void> {
    this.values.set(name, structuredClone(value));
  }
}
