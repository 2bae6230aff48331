/**
 * Where a consumer remembers how far it got. One named value per consumer (usually `{ position }`),
 * written after the consumer has applied what the value claims: losing a save only causes
 * redelivery, never loss, because consumers are idempotent.
 */
export interface CheckpointStore {
  load<T>(name: string): Promise<T | undefined>;
  save<T>(name: string, value: T): Promise<void>;
}

/** The checkpoint shape the event consumers of this library store. */
export interface ConsumerCheckpoint {
  /** globalPosition of the last event the consumer applied (or parked as a dead letter) */
  position: number;
}
