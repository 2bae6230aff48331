import type { RecordedEvent } from '@liangxin/contracts';
import type { EventStore } from '@liangxin/event-store';
import { handles, type Projection } from '../projection';
import { UnitOfWork } from '../runner/unit-of-work';
import type { DocumentBody, ReadModelStore } from '../store/port';

export type AsOf = { position: number } | { timestamp: string };

const REPLAY_BATCH = 2_000;

/**
 * Answers "what did this projection say at position p (or at time t)". It starts from the nearest
 * snapshot at or before that point (taken by the runner every N events) and replays only the events
 * between the snapshot and p, in memory; nothing is written.
 *
 * A timestamp means transaction time: the log as it was recorded by then (recordedAt), which is what
 * a dashboard showed at that moment.
 */
export class TimeTravel {
  constructor(
    private readonly events: EventStore,
    private readonly store: ReadModelStore,
  ) {}

  /** Global position of the last event recorded at or before `timestamp` (0 when none). */
  async positionAt(projection: Projection, timestamp: string): Promise<number> {
    const mark = await this.store.nearestSnapshot(projection.name, { recordedAt: timestamp });
    let position = mark?.position ?? 0;
    for (;;) {
      const batch = await this.events.readAll({ after: position, limit: REPLAY_BATCH });
      for (const event of batch) {
        if (event.recordedAt > timestamp) return position;
        position = event.globalPosition;
      }
      if (batch.length < REPLAY_BATCH) return position;
    }
  }

  async documentAsOf<T extends object = DocumentBody>(projection: Projection, collection: string, id: string, asOf: AsOf): Promise<T | undefined> {
    const unit = await this.replay(projection, asOf, (event) => projection.mayAffect?.(event, collection, id) ?? true);
    return (await unit.load<T>(collection, id))?.body;
  }

  /** Several documents of one projection as of the same moment (one replay). */
  async documentsAsOf<T extends object = DocumentBody>(projection: Projection, collection: string, ids: readonly string[], asOf: AsOf): Promise<Map<string, T | undefined>> {
    const unit = await this.replay(projection, asOf);
    const answer = new Map<string, T | undefined>();
    for (const id of ids) answer.set(id, (await unit.load<T>(collection, id))?.body);
    return answer;
  }

  private async replay(projection: Projection, asOf: AsOf, relevant: (event: RecordedEvent) => boolean = () => true): Promise<UnitOfWork> {
    const position = 'position' in asOf ? asOf.position : await this.positionAt(projection, asOf.timestamp);
    const snapshot = (await this.store.nearestSnapshot(projection.name, { position }))?.position ?? 0;
    const unit = new UnitOfWork((collection, id) => (snapshot > 0 ? this.store.getAtSnapshot(collection, id, snapshot) : Promise.resolve(undefined)));
    let cursor = snapshot;
    while (cursor < position) {
      const batch = await this.events.readAll({ after: cursor, until: position, limit: REPLAY_BATCH });
      if (batch.length === 0) break;
      for (const event of batch) if (handles(projection, event) && relevant(event)) await projection.apply(event, unit);
      cursor = batch[batch.length - 1].globalPosition;
    }
    return unit;
  }
}
