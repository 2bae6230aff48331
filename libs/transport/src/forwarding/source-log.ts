import type { RecordedEvent } from '@liangxin/contracts';
import type { EventStore } from '@liangxin/event-store';

/** A place in one source's filtered log: the store's globalPosition and the gap-free per-source sequence. */
export interface SourcePosition {
  /** globalPosition (in the source's store) of the last event handled; 0 before the first */
  position: number;
  /** how many events of the source's filtered log have been handled: the sequence of the last one */
  sequence: number;
}

export const START_OF_SOURCE: SourcePosition = Object.freeze({ position: 0, sequence: 0 });

/**
 * One service's outgoing events: the part of its event store whose stream ids start with one of
 * `streamPrefixes` (e.g. registry: ['enterprise-']). The n-th event of that filtered log carries
 * sequence n, everywhere: the forwarder stamps it on the NATS message and a consumer backfilling from
 * the store counts the same way, so both agree without coordination.
 */
export interface SourceLog {
  name: string;
  store: EventStore;
  streamPrefixes: readonly string[];
}

export interface SequencedEvent {
  event: RecordedEvent;
  sequence: number;
}

/** Reads the source's events after `from`, numbering them from `from.sequence + 1`. */
export const readSourceLog = async (source: SourceLog, from: SourcePosition, limit = 500): Promise<SequencedEvent[]> => {
  const events = await source.store.readAll({ after: from.position, streamPrefixes: source.streamPrefixes, limit });
  return events.map((event, i) => ({ event, sequence: from.sequence + 1 + i }));
};
