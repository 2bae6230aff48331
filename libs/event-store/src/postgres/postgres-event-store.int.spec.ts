import { Client } from 'pg';
import { anEvent, createTemporaryPostgresDatabase, describeEventStoreContract } from '../testing';
import { PostgresEventStore } from './postgres-event-store';

let database: Awaited<ReturnType<typeof createTemporaryPostgresDatabase>>;
const opened: PostgresEventStore[] = [];
beforeAll(async () => {
  database = await createTemporaryPostgresDatabase('test_event_store');
});
afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await database.drop();
});
const connect = async (): Promise<PostgresEventStore> => {
  const store = await PostgresEventStore.connect({ connectionString: database.url, pollIntervalMs: 50, readConnections: 2 });
  opened.push(store);
  return store;
};

describeEventStoreContract('PostgreSQL', connect);

describe('PostgresEventStore', () => {
  it('commits appends issued together in one transaction, and a conflicting one fails alone', async () => {
    const store = await connect();
    await store.append('grp-org-1', [anEvent('OrgFormed')], { expected: 'no_stream' });
    const before = store.stats();
    const outcomes = await Promise.allSettled([
      store.append('grp-org-2', [anEvent('OrgFormed')], { expected: 'no_stream' }),
      store.append('grp-org-1', [anEvent('Stale')], { expected: 'no_stream' }),
      store.append('grp-org-1', [anEvent('MemberJoined')], { expected: 0 }),
      store.append('grp-org-3', [anEvent('OrgFormed'), anEvent('MemberJoined')], { expected: 'no_stream' }),
      store.append('grp-org-4', [anEvent('Paid')], { expected: 'no_stream', commandId: 'pay-1' }),
      store.append('grp-org-4', [anEvent('Paid')], { expected: 'no_stream', commandId: 'pay-1' }),
    ]);
    const after = store.stats();
    expect(after.commits - before.commits).toBe(1);
    expect(after.appends - before.appends).toBe(6);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const [first, retry] = outcomes.slice(4).map((o) => (o as PromiseFulfilledResult<Awaited<ReturnType<PostgresEventStore['append']>>>).value);
    expect(retry.idempotentReplay).toBe(true);
    expect(retry.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
    expect((await store.readStream('grp-org-1')).map((e) => e.type)).toEqual(['OrgFormed', 'MemberJoined']);
    expect(await store.readStream('grp-org-4')).toHaveLength(1);
    expect(await store.verify()).toMatchObject({ ok: true });
  });

  it('fails only the append that reuses an event id already in the log, the rest of its group commits', async () => {
    const store = await connect();
    const eventId = '00000000-0000-4000-8000-0000000000d1';
    await store.append('dup-1', [{ ...anEvent(), eventId }], { expected: 'any' });
    const outcomes = await Promise.allSettled([
      store.append('dup-2', [anEvent('Kept')], { expected: 'any' }),
      store.append('dup-3', [anEvent('Lost'), { ...anEvent('Duplicate'), eventId }], { expected: 'any' }),
      store.append('dup-4', [anEvent('Kept')], { expected: 'any' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'DUPLICATE_EVENT_ID', eventId });
    expect(await store.readStream('dup-3')).toEqual([]);
    expect(await store.verify()).toMatchObject({ ok: true });
  });

  it('fails only the append PostgreSQL refuses on insert, retrying the others of its group alone', async () => {
    const store = await connect();
    const outcomes = await Promise.allSettled([
      store.append('refused-1', [anEvent('Kept')], { expected: 'any' }),
      // a NUL character passes every check of the store, but PostgreSQL refuses it in a text column
      store.append('refused-2', [anEvent('Refused\u0000Type')], { expected: 'any' }),
      store.append('refused-3', [anEvent('Kept')], { expected: 'any' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.readAll({ streamPrefixes: ['refused-'] })).map((e) => e.streamId)).toEqual(['refused-1', 'refused-3']);
    expect(await store.verify()).toMatchObject({ ok: true });
  });

  it('verify() names the first row whose stored content was edited after the fact', async () => {
    const store = await connect();
    await store.append('tamper-1', [anEvent('Granted', { amount: 100 })], { expected: 'no_stream' });
    const { events } = await store.append('tamper-1', [anEvent('Granted', { amount: 200 })], { expected: 0 });
    await store.append('tamper-2', [anEvent('Granted', { amount: 300 })], { expected: 'no_stream' });
    expect(await store.verify()).toMatchObject({ ok: true });

    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(`UPDATE events SET data = '{"amount":2000}' WHERE event_id = $1`, [events[0].eventId]);
      expect(await store.verify()).toMatchObject({
        ok: false,
        brokenLink: { globalPosition: events[0].globalPosition, eventId: events[0].eventId, reason: 'global_hash_mismatch' },
      });
    } finally {
      await admin.query(`UPDATE events SET data = '{"amount":200}' WHERE event_id = $1`, [events[0].eventId]);
      await admin.end();
    }
    expect(await store.verify()).toMatchObject({ ok: true });
  });

  it('wakes a subscription of one instance by NOTIFY when another instance appends', async () => {
    // a poll far longer than the test: only the notification can deliver in time
    const reader = await PostgresEventStore.connect({ connectionString: database.url, pollIntervalMs: 60_000, readConnections: 1 });
    opened.push(reader);
    const writer = await connect();
    const start = await reader.headPosition();
    const seen: string[] = [];
    let caughtUp = false;
    const subscription = reader.subscribeToAll({ after: start, streamPrefixes: ['notified-'], onCaughtUp: () => (caughtUp = true) }, (event) => {
      seen.push(event.streamId);
    });
    const deadline = Date.now() + 5_000;
    while (!caughtUp && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    // the LISTEN is issued when the subscription starts: give it a moment before the append
    await new Promise((resolve) => setTimeout(resolve, 200));
    await writer.append('notified-1', [anEvent()], { expected: 'no_stream' });
    while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual(['notified-1']);
    await subscription.stop();
  });

  it('opens its writer and listening connections again after the server ended them', async () => {
    const reader = await PostgresEventStore.connect({ connectionString: database.url, pollIntervalMs: 60_000, readConnections: 1, applicationName: 'reconnecting-reader' });
    opened.push(reader);
    const writer = await PostgresEventStore.connect({ connectionString: database.url, readConnections: 1, applicationName: 'reconnecting-writer' });
    opened.push(writer);
    await writer.append('reconnect-1', [anEvent()], { expected: 'no_stream' });
    const seen: number[] = [];
    const subscription = reader.subscribeToAll({ after: await reader.headPosition(), streamPrefixes: ['reconnect-'] }, (event) => {
      seen.push(event.streamVersion);
    });
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    const until = async (check: () => boolean | Promise<boolean>, ms: number) => {
      const deadline = Date.now() + ms;
      while (!(await check()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    try {
      const listening = async () =>
        (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'reconnecting-reader' AND query LIKE 'LISTEN%'`, [database.name])).rowCount === 1;
      await until(listening, 5_000);
      // as a server restart or a failover would: every connection of both instances ends
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'reconnecting-%'`, [database.name]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await until(listening, 5_000);
      expect(await listening()).toBe(true);
      // the poll is a minute away: only the new LISTEN can deliver this in time
      const { lastPosition } = await writer.append('reconnect-1', [anEvent()], { expected: 0 });
      await until(() => seen.length > 0, 5_000);
      expect(seen).toEqual([1]);
      expect(await reader.headPosition()).toBeGreaterThanOrEqual(lastPosition);
    } finally {
      await subscription.stop();
      await admin.end();
    }
  });
});
