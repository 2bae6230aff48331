import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { DEAD_LETTERS_STREAM, DEAD_LETTERS_SUBJECT_ROOT, EVENTS_STREAM, EVENTS_SUBJECT_ROOT } from './subjects';

export interface TopologyOptions {
  /** how long JetStream remembers a msgID to drop a re-published copy (default 2 minutes) */
  duplicateWindowMs?: number;
  /** copies of each stream: 3 on a three-node cluster, so one node's lost or corrupted file loses nothing (default 1) */
  replicas?: number;
  /** how long the events stream keeps a message (default 7 days); a consumer away longer backfills from the store */
  maxAgeMs?: number;
  /** most bytes the events stream keeps, oldest dropped first (default 1 GiB) */
  maxBytes?: number;
}

export const DEFAULT_EVENTS_MAX_AGE_MS = 7 * 24 * 3_600_000;
export const DEFAULT_EVENTS_MAX_BYTES = 1024 ** 3;

const isStreamNotFound = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && /stream not found/i.test(String((error as Error).message));

/**
 * Creates the two streams if they are missing. Every party (forwarder, server, admin) calls it, so
 * whichever starts first sets the broker up; existing streams are left as the operator configured them,
 * except the dead-letter stream's one message per subject, which dead-letter idempotency rests on.
 */
export const ensureTopology = async (jsm: JetStreamManager, options: TopologyOptions = {}): Promise<void> => {
  const wanted = [
    // the store is the history: the broker keeps a window of it
    { name: EVENTS_STREAM, subjects: [`${EVENTS_SUBJECT_ROOT}.>`], max_age: nanos(options.maxAgeMs ?? DEFAULT_EVENTS_MAX_AGE_MS), max_bytes: options.maxBytes ?? DEFAULT_EVENTS_MAX_BYTES },
    // dead letters exist nowhere else (kept until an operator retries or drops them); one per (consumer, source, event)
    // subject: parking an event again replaces its record
    { name: DEAD_LETTERS_STREAM, subjects: [`${DEAD_LETTERS_SUBJECT_ROOT}.>`], max_msgs_per_subject: 1 },
  ];
  for (const stream of wanted) {
    try {
      const { config } = await jsm.streams.info(stream.name);
      // a correctness setting, not tuning: a dead-letter stream created by an older version gets it too
      if (stream.max_msgs_per_subject !== undefined && config.max_msgs_per_subject !== stream.max_msgs_per_subject) {
        await jsm.streams.update(stream.name, { ...config, max_msgs_per_subject: stream.max_msgs_per_subject });
      }
    } catch (error) {
      if (!isStreamNotFound(error)) throw error;
      try {
        await jsm.streams.add({
          ...stream,
          storage: StorageType.File,
          retention: RetentionPolicy.Limits,
          discard: DiscardPolicy.Old,
          duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
          num_replicas: options.replicas ?? 1,
        });
      } catch (addError) {
        // another process created it between our info and add
        if (!/already in use|already exists/i.test(String((addError as Error).message))) throw addError;
      }
    }
  }
};
