import type { RecordedEvent } from '@liangxin/contracts';
import { createTemporaryPostgresDatabase } from '@liangxin/event-store/testing';
import { checkpointStoreContract } from './checkpoint-store.contract';
import { PostgresCheckpointStore } from './postgres-checkpoint-store';
import { PostgresDeadLetterStore } from './postgres-dead-letter-store';

let database: Awaited<ReturnType<typeof createTemporaryPostgresDatabase>>;
beforeAll(async () => {
  database = await createTemporaryPostgresDatabase('test_consumer_state');
});
afterAll(() => database.drop());

describe('PostgresCheckpointStore', () => {
  checkpointStoreContract(() => PostgresCheckpointStore.open({ connectionString: database.url }));

  it('two instances starting together both create the table without failing', async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresCheckpointStore.open({ connectionString: database.url })));
    await stores[0].save('shared', { position: 5 });
    expect(await stores[3].load('shared')).toEqual({ position: 5 });
    await Promise.all(stores.map((store) => store.close()));
  });
});

const event = (globalPosition: number): RecordedEvent => ({
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

describe('PostgresDeadLetterStore', () => {
  let store: PostgresDeadLetterStore;
  beforeEach(async () => {
    store = await PostgresDeadLetterStore.open({ connectionString: database.url });
  });
  afterEach(() => store.close());

  it('parks an event with its consumer, error and attempts, and lists it after reopening', async () => {
    const parked = await store.park({ consumer: 'formation', event: event(5), error: 'boom', attempts: 3 });
    await store.close();
    store = await PostgresDeadLetterStore.open({ connectionString: database.url });
    const [listed] = await store.list('formation');
    expect(listed).toEqual(parked);
    expect(listed).toMatchObject({ consumer: 'formation', error: 'boom', attempts: 3, event: event(5) });
    expect(new Date(listed.parkedAt).toISOString()).toBe(listed.parkedAt);
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

  it('records failed retries and removes a letter once retried successfully', async () => {
    const parked = await store.park({ consumer: 'registry', event: event(9), error: 'x', attempts: 2 });
    await store.recordFailedRetry(parked.id, 'still broken', 3);
    expect(await store.get(parked.id)).toMatchObject({ error: 'still broken', attempts: 3 });
    await store.remove(parked.id);
    expect(await store.get(parked.id)).toBeUndefined();
  });
});
