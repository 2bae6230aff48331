import { Client } from 'pg';
import { anEvent, createTemporaryPostgresDatabase } from '../testing';
import { PostgresEventStore } from './postgres-event-store';

// A follower reads "everything after my cursor" and moves its cursor to the last position it saw. That is
// only safe if no position can become visible after a higher one: a hole it reads past is lost for good.
//
// With a plain bigserial, a transaction takes its number when it inserts, not when it commits: writer A takes
// n, writer B takes n+1 and commits first, and for as long as A has not committed a reader sees n+1 without n.
// The store instead has every append lock the one-row log head before it numbers its rows, so the next writer
// numbers its rows only after the previous one committed, and visibility follows position order.

const WRITERS = 8;
const CALLERS_PER_WRITER = 4;
const APPENDS_PER_CALLER = 30;

interface Followed {
  snapshots: number;
  snapshotsWithHole: number;
  seen: number[];
}

/**
 * Reads the log after its cursor in a tight loop while `write()` runs, as a follower would, and counts the
 * snapshots that showed a position without the one before it.
 */
const followWhileWriting = async (url: string, selectAfter: string, write: () => Promise<number>): Promise<Followed> => {
  const reader = new Client({ connectionString: url });
  await reader.connect();
  const followed: Followed = { snapshots: 0, snapshotsWithHole: 0, seen: [] };
  let cursor = 0;
  const readOnce = async () => {
    const { rows } = await reader.query<{ position: string }>(selectAfter, [cursor]);
    const positions = rows.map((row) => Number(row.position));
    followed.snapshots += 1;
    if (positions.some((position, i) => position !== cursor + 1 + i)) followed.snapshotsWithHole += 1;
    followed.seen.push(...positions);
    if (positions.length > 0) cursor = positions[positions.length - 1];
  };
  let writing = true;
  const written = write().finally(() => (writing = false));
  try {
    while (writing) await readOnce();
    const total = await written;
    while (cursor < total) {
      const before = cursor;
      await readOnce();
      if (cursor === before) break; // what is left to read is behind a hole the follower already passed
    }
  } finally {
    await reader.end();
  }
  return followed;
};

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

let database: Awaited<ReturnType<typeof createTemporaryPostgresDatabase>>;
beforeAll(async () => {
  database = await createTemporaryPostgresDatabase('test_gap_free');
});
afterAll(() => database.drop());

describe('PostgreSQL log positions under concurrent writers', () => {
  it(`${WRITERS} store instances appending while a follower reads: it sees every position exactly once, in order, never a hole`, async () => {
    // one instance per writer, each with its own writer connection, as separate app processes would have
    const stores = await Promise.all(
      Array.from({ length: WRITERS }, () => PostgresEventStore.connect({ connectionString: database.url, readConnections: 1, pollIntervalMs: 50 })),
    );
    const subscribed: number[] = [];
    const subscription = stores[0].subscribeToAll({ after: 0 }, (event) => {
      subscribed.push(event.globalPosition);
    });
    try {
      const followed = await followWhileWriting(
        database.url,
        'SELECT global_position AS position FROM events WHERE global_position > $1 ORDER BY global_position LIMIT 200',
        async () => {
          await Promise.all(
            stores.flatMap((store, w) =>
              Array.from({ length: CALLERS_PER_WRITER }, async (_, c) => {
                for (let i = 0; i < APPENDS_PER_CALLER; i++) {
                  // one or two events per append, so a commit moves the head by more than one
                  const events = i % 3 === 0 ? [anEvent('A'), anEvent('B')] : [anEvent('A')];
                  await store.append(`gap-${w}-${c}-${i % 5}`, events, { expected: 'any' });
                }
              }),
            ),
          );
          return stores[0].headPosition();
        },
      );
      const total = WRITERS * CALLERS_PER_WRITER * (APPENDS_PER_CALLER + Math.ceil(APPENDS_PER_CALLER / 3));
      expect(await stores[0].headPosition()).toBe(total);
      expect(followed.snapshots).toBeGreaterThan(20);
      expect(followed.snapshotsWithHole).toBe(0);
      expect(followed.seen).toEqual(oneToN(total));

      const deadline = Date.now() + 10_000;
      while (subscribed.length < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(subscribed).toEqual(oneToN(total));
      expect(await stores[0].verify()).toEqual({ ok: true, eventsChecked: total });
      // grouping: the appends of one instance's callers shared commits
      const stats = stores.map((store) => store.stats());
      expect(stats.reduce((sum, s) => sum + s.appends, 0)).toBeGreaterThan(stats.reduce((sum, s) => sum + s.commits, 0));
    } finally {
      await subscription.stop();
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('the same follower reads past holes in a plain bigserial log (why the store does not use one)', async () => {
    const setup = new Client({ connectionString: database.url });
    await setup.connect();
    await setup.query('CREATE TABLE naive_log (position bigserial PRIMARY KEY, payload text NOT NULL)');
    await setup.end();
    const writers = await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        const client = new Client({ connectionString: database.url });
        await client.connect();
        return client;
      }),
    );
    try {
      const followed = await followWhileWriting(
        database.url,
        'SELECT position FROM naive_log WHERE position > $1 ORDER BY position LIMIT 200',
        async () => {
          await Promise.all(
            writers.map(async (client) => {
              for (let i = 0; i < 40; i++) {
                // the position is taken at the INSERT; the commit comes a moment later, as after an append's other work
                await client.query('BEGIN');
                await client.query(`INSERT INTO naive_log (payload) VALUES ('x')`);
                await client.query('SELECT pg_sleep(random() * 0.004)');
                await client.query('COMMIT');
              }
            }),
          );
          return WRITERS * 40;
        },
      );
      expect(followed.snapshotsWithHole).toBeGreaterThan(0);
      expect(followed.seen).not.toEqual(oneToN(WRITERS * 40));
    } finally {
      await Promise.all(writers.map((client) => client.end()));
    }
  });

  it('an append waits while another writer holds the log head, so nothing is numbered past an uncommitted position', async () => {
    const store = await PostgresEventStore.connect({ connectionString: database.url, readConnections: 1 });
    const other = new Client({ connectionString: database.url });
    await other.connect();
    try {
      const head = await store.headPosition();
      await other.query('BEGIN');
      await other.query('SELECT position FROM event_log_head FOR UPDATE');
      let appended = false;
      const appending = store.append('held-1', [anEvent()], { expected: 'any' }).then((result) => {
        appended = true;
        return result;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(appended).toBe(false);
      expect(await store.headPosition()).toBe(head);
      await other.query('COMMIT');
      expect((await appending).lastPosition).toBe(head + 1);
    } finally {
      await other.end();
      await store.close();
    }
  });
});
