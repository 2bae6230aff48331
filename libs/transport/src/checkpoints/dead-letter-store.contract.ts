import type { RecordedEvent } from '@liangxin/contracts';
import type { DeadLetterStore } from './dead-letter-store';

type OpenedStore = DeadLetterStore & { close(): Promise<void> };

/** An event as a consumer would have received it, at a given position. */
export const deadLetterTestEvent = (globalPosition: number): RecordedEvent => ({
  type: 'EnterpriseRegistered',
  schemaVersion: 1,
  data: { creditCode: '91350100M000100Y43' },
  eventId: `e-${globalPosition}`,
  streamId: 'enterprise-91350100M000100Y43',
  streamVersion: 0,
  globalPosition,
  occurredAt: '2024-01-01T00:00:00.000Z',
  recordedAt: '2024-01-01T00:00:00.000Z',
  metadata: { actor: 'system:test' },
});

/**
 * What every DeadLetterStore must do, run against each implementation. `open` returns a store over the same durable
 * storage each time, so the suite can check that a dead letter outlives the store object that parked it.
 */
export function deadLetterStoreContract(open: () => Promise<OpenedStore>): void {
  const event = deadLetterTestEvent;
  let store: OpenedStore;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(() => store.close());

  it('parks an event with its consumer, error and attempts, and lists it after reopening', async () => {
    const parked = await store.park({ consumer: 'formation', event: event(5), error: 'boom', attempts: 3 });
    await store.close();
    store = await open();
    const [listed] = await store.list('formation');
    expect(listed).toEqual(parked);
    expect(listed).toMatchObject({ consumer: 'formation', error: 'boom', attempts: 3, event: event(5) });
  });

  it('parking the same event again for the same consumer updates it instead of duplicating', async () => {
    await store.park({ consumer: 'funding', event: event(7), error: 'first', attempts: 3 });
    await store.park({ consumer: 'funding', event: event(7), error: 'second', attempts: 3 });
    await store.park({ consumer: 'evaluation', event: event(7), error: 'other consumer', attempts: 1 });
    const funding = await store.list('funding');
    expect(funding).toHaveLength(1);
    expect(funding[0]).toMatchObject({ error: 'second', attempts: 6 });
    expect(await store.list('evaluation')).toHaveLength(1);
  });

  it('keeps one dead letter per event id and source: a retried letter failing again, cycle after cycle, adds none', async () => {
    // nats-server 2.9 ignores term(reason): a dead-lettered message comes back after ack_wait and is parked again
    const first = await store.park({ consumer: 'funding', source: 'registry', event: event(11), error: 'cycle 1', attempts: 5 });
    for (let cycle = 2; cycle <= 4; cycle++) {
      await store.park({ consumer: 'funding', source: 'registry', event: event(11), error: `cycle ${cycle}`, attempts: 5 });
    }
    // the same position in another source's store is another event
    const other = { ...event(11), eventId: 'e-other-store' };
    await store.park({ consumer: 'funding', source: 'formation', event: other, error: 'elsewhere', attempts: 1 });
    // and the same event id from another source is kept apart too
    await store.park({ consumer: 'funding', source: 'formation', event: { ...event(12), eventId: event(11).eventId }, error: 'same id', attempts: 1 });

    const letters = await store.list('funding');
    expect(letters.filter((l) => l.source === 'registry')).toEqual([expect.objectContaining({ id: first.id, error: 'cycle 4', attempts: 20 })]);
    expect(letters.filter((l) => l.source === 'formation')).toHaveLength(2);
  });

  it('records failed retries and removes a letter once retried successfully', async () => {
    const parked = await store.park({ consumer: 'registry', event: event(9), error: 'x', attempts: 2 });
    await store.recordFailedRetry(parked.id, 'still broken', 3);
    expect(await store.get(parked.id)).toMatchObject({ error: 'still broken', attempts: 3 });
    await store.remove(parked.id);
    expect(await store.get(parked.id)).toBeUndefined();
  });
}
