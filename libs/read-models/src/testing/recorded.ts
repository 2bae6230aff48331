import type { RecordedEvent } from '@liangxin/contracts';

/** A recorded event for unit tests of projections: position and times are made up, the rest is given. */
export const recorded = (globalPosition: number, type: string, data: object, metadata: Partial<RecordedEvent['metadata']> = {}): RecordedEvent => ({
  type,
  schemaVersion: 1,
  data: data as Record<string, unknown>,
  eventId: `e-${globalPosition}`,
  streamId: 'test',
  streamVersion: globalPosition - 1,
  globalPosition,
  occurredAt: new Date(Date.UTC(2025, 0, 1) + globalPosition * 60_000).toISOString(),
  recordedAt: new Date(Date.UTC(2025, 0, 1) + globalPosition * 60_000).toISOString(),
  metadata: { actor: 'test', ...metadata },
});
