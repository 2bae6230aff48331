import type { EventStore } from '@liangxin/event-store';
import type { GeneratedEvent } from './generate-events';

/**
 * Appends generated events in log order. Appends of one chunk are issued together so the store can
 * group-commit them; the next chunk starts once the previous one is acknowledged.
 */
export async function appendLoad(store: EventStore, events: Iterable<GeneratedEvent>, chunk = 500): Promise<number> {
  let pending: Promise<unknown>[] = [];
  let count = 0;
  for (const { streamId, event } of events) {
    pending.push(store.append(streamId, [event], { expected: 'any' }));
    count += 1;
    if (pending.length >= chunk) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  return count;
}
