import type { RecordedEvent } from '@liangxin/contracts';
import type { DocumentBody, QueriedFields, StoredDocument } from './store/port';

/**
 * What a projection may do while an event is applied: read documents of its own collections
 * (seeing earlier writes of the same batch) and stage new versions. The runner commits the staged
 * documents together with the checkpoint.
 */
export interface ProjectionContext {
  load<T extends object = DocumentBody>(collection: string, id: string): Promise<StoredDocument<T> | undefined>;
  /** stages a new version of a document (null deletes it), written at `position` */
  save(collection: string, id: string, body: object | null, position: number): void;
}

export interface Projection {
  /** stable name: the checkpoint and collections are found by it */
  readonly name: string;
  /**
   * Logical collections this projection owns, the main one first. A store without transactions writes
   * a batch in this order, so list documents derived from others before the ones they derive from.
   */
  readonly collections: readonly string[];
  /**
   * The body fields each of its collections is queried by (`ReadModelStore.find` filters): every store indexes
   * them. A query by a field not listed here scans the whole collection.
   */
  readonly queriedBy?: QueriedFields;
  /** event types the projection reads ('all' for every type); others are skipped without a call */
  readonly eventTypes: ReadonlySet<string> | 'all';
  apply(event: RecordedEvent, context: ProjectionContext): Promise<void>;
  /** false when time travel never needs this projection, so the runner takes no snapshots of it */
  readonly snapshots?: boolean;
  /**
   * Optional, for time travel to one document: false when the event certainly cannot change that
   * document (directly or through the projection's helper documents), so the replay may skip it.
   */
  mayAffect?(event: RecordedEvent, collection: string, id: string): boolean;
}

/**
 * Applies one event to one document with a pure evolve function, unless the document already
 * reflects it (its position is at or past the event): that is what makes redelivery a no-op.
 * `evolve` returns the new document, null to delete it, or undefined when nothing changes.
 */
export async function evolveDocument<D extends object>(
  context: ProjectionContext,
  collection: string,
  id: string,
  event: RecordedEvent,
  evolve: (document: D | undefined, event: RecordedEvent) => D | null | undefined,
): Promise<void> {
  const current = await context.load<D>(collection, id);
  if (current && current.position >= event.globalPosition) return;
  const next = evolve(current?.body, event);
  if (next !== undefined) context.save(collection, id, next, event.globalPosition);
}

export const handles = (projection: Projection, event: { type: string }): boolean =>
  projection.eventTypes === 'all' || projection.eventTypes.has(event.type);
