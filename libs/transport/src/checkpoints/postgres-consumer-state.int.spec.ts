import { createTemporaryPostgresDatabase } from '@liangxin/event-store/testing';
import { checkpointStoreContract } from './checkpoint-store.contract';
import { deadLetterStoreContract, deadLetterTestEvent } from './dead-letter-store.contract';
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

describe('PostgresDeadLetterStore', () => {
  deadLetterStoreContract(() => PostgresDeadLetterStore.open({ connectionString: database.url }));

  it('keeps when a letter was parked as an ISO-8601 instant', async () => {
    const store = await PostgresDeadLetterStore.open({ connectionString: database.url });
    try {
      const parked = await store.park({ consumer: 'requests', event: deadLetterTestEvent(11), error: 'boom', attempts: 1 });
      const [listed] = await store.list('requests');
      expect(listed.id).toBe(parked.id);
      expect(new Date(listed.parkedAt).toISOString()).toBe(listed.parkedAt);
    } finally {
      await store.close();
    }
  });
});
