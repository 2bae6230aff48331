import type { RecordedEvent } from '@liangxin/contracts';
import { PostgresEventStore } from '@liangxin/event-store';
import { anEvent, createTemporaryPostgresDatabase } from '@liangxin/event-store/testing';
import { type Projection, PostgresReadModelStore } from '@liangxin/read-models';
import { Client } from 'pg';
import { startProjectionRunner } from '../start-gateway';

/** counts what this gateway's instance of the projection applied, so the test sees who projected */
const countingProjection = () => {
  const applied: number[] = [];
  const projection: Projection = {
    name: 'lock-counter',
    collections: ['lock-counter.events'],
    eventTypes: 'all',
    snapshots: false,
    async apply(event: RecordedEvent, context) {
      applied.push(event.globalPosition);
      context.save('lock-counter.events', String(event.globalPosition), { type: event.type }, event.globalPosition);
    },
  };
  return { projection, applied };
};

const eventually = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe("the gateway's projections over a shared PostgreSQL read-model database (distributed mode, several gateways)", () => {
  let eventsDb: Awaited<ReturnType<typeof createTemporaryPostgresDatabase>>;
  let readModelsDb: Awaited<ReturnType<typeof createTemporaryPostgresDatabase>>;
  beforeAll(async () => {
    eventsDb = await createTemporaryPostgresDatabase('test_lock_events');
    readModelsDb = await createTemporaryPostgresDatabase('test_lock_read_models');
  });
  afterAll(async () => {
    await eventsDb.drop();
    await readModelsDb.drop();
  });

  const gateway = async () => {
    const events = await PostgresEventStore.connect({ connectionString: eventsDb.url, pollIntervalMs: 50, readConnections: 1 });
    const store = await PostgresReadModelStore.connect(readModelsDb.url, { connections: 2 });
    const { projection, applied } = countingProjection();
    const lockLost: unknown[] = [];
    const runner = await startProjectionRunner(events, store, [projection], { pollIntervalMs: 20, onProjectionLockLost: (error) => lockLost.push(error) });
    return {
      events,
      store,
      runner,
      applied,
      lockLost,
      async stop() {
        await runner.stop();
        await store.close();
        await events.close();
      },
    };
  };

  it('projects each event once, by the lock holder; the other follows the checkpoint and takes over when the holder stops', async () => {
    const first = await gateway();
    await eventually(() => first.runner.projecting, 'the first gateway holds the lock');
    const second = await gateway();
    try {
      const { lastPosition } = await first.events.append('s-1', [anEvent('A'), anEvent('B'), anEvent('C')], { expected: 'no_stream' });
      await first.runner.waitForPosition(lastPosition, 5_000);
      // the second gateway does not project, yet answers a wait for the position from the stored checkpoint
      await second.runner.waitForPosition(lastPosition, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(first.applied).toEqual([1, 2, 3]);
      expect(second.applied).toEqual([]);
      expect(second.runner.projecting).toBe(false);

      await first.stop(); // as when the holder dies: its lock session closes
      const { lastPosition: later } = await second.events.append('s-2', [anEvent('D'), anEvent('E')], { expected: 'no_stream' });
      await second.runner.waitForPosition(later, 10_000);
      expect(second.runner.projecting).toBe(true);
      expect(second.applied).toEqual([4, 5]);
      expect(await second.store.checkpoint('lock-counter')).toBe(later);
      expect((await second.store.find('lock-counter.events', {})).map((d) => d.position)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await first.stop().catch(() => undefined);
      await second.stop();
    }
  });

  it("stops projecting when the lock's session is lost, and projects again once it holds the lock anew", async () => {
    const only = await gateway();
    try {
      await eventually(() => only.runner.projecting, 'the gateway holds the lock');
      // what a dropped connection or a restarted database does to the lock's session
      const client = new Client({ connectionString: readModelsDb.url });
      await client.connect();
      try {
        const { rowCount } = await client.query(
          "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        );
        expect(rowCount).toBe(1);
      } finally {
        await client.end();
      }
      await eventually(() => only.lockLost.length === 1, 'the runner is told its lock session is gone', 5_000);
      await eventually(() => only.runner.projecting, 'the runner takes the lock again');
      const { lastPosition } = await only.events.append('s-3', [anEvent('F')], { expected: 'no_stream' });
      await only.runner.waitForPosition(lastPosition, 5_000);
      expect(only.applied).toContain(lastPosition);
    } finally {
      await only.stop();
    }
  });
});
