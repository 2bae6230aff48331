// PostgreSQL event store throughput beside raw pg, measured in the same run, several runs with the load average.
// Run: npm run bench:pg-store   (about a minute; BENCH_SCALE=0.3 for a quick look, BENCH_RUNS=3)
// Needs the PostgreSQL server of the tests (POSTGRES_TEST_URL, default postgres://postgres@127.0.0.1:5432/postgres);
// it works in a database of its own and drops it.
//
// Baselines, one commit (one WAL flush) per command:
// - raw INSERT: a plain single-row INSERT into a bigserial table, autocommit, one connection per writer (≤ 16);
// - raw head: the store's transaction shape without grouping: BEGIN; log head FOR UPDATE; INSERT; UPDATE head; COMMIT.
// The store groups the appends of concurrent callers into one transaction over one connection.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { Client, Pool } from 'pg';
import type { NewEvent } from '@liangxin/contracts';
import { PostgresEventStore } from '@liangxin/event-store';
import { createTemporaryPostgresDatabase } from '../libs/event-store/src/testing/temporary-postgres-database';

const scale = Number(process.env['BENCH_SCALE'] ?? 1);
const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const durationMs = Math.max(300, Math.round(2_000 * scale));
const WRITER_COUNTS = [1, 8, 64];
const MAX_RAW_CONNECTIONS = 16;

// ~250 bytes stored per event, like a registry event
const event = (i: number): NewEvent => ({
  type: 'MemberCountChanged',
  schemaVersion: 1,
  data: { creditCode: '91350100M000100Y43', fullMembers: i % 17, probationaryMembers: i % 3, reason: 'admission', district: '350100' },
  metadata: { actor: 'bench', district: '350100', correlationId: `c-${i}` },
});

/** Closed loop: `writers` callers each run `once` back to back until the time is up; events per second. */
const closedLoop = async (writers: number, once: (writer: number, i: number) => Promise<unknown>): Promise<number> => {
  const deadline = Date.now() + durationMs;
  let done = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; Date.now() < deadline; i++) {
        await once(w, i);
        done += 1;
      }
    }),
  );
  return Math.round(done / (Number(process.hrtime.bigint() - start) / 1e9));
};

const RAW_TABLE = `
CREATE TABLE raw_events (
  position bigserial PRIMARY KEY, event_id text NOT NULL UNIQUE, stream_id text NOT NULL, type text NOT NULL,
  data json NOT NULL, metadata json NOT NULL, recorded_at text NOT NULL
);
CREATE TABLE raw_head (singleton boolean PRIMARY KEY, position bigint NOT NULL);
INSERT INTO raw_head VALUES (true, 0);`;

const rawInsert = (pool: Pool, writers: number) =>
  closedLoop(writers, (w, i) => {
    const e = event(i);
    return pool.query('INSERT INTO raw_events (event_id, stream_id, type, data, metadata, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      randomUUID(), `org-${w}`, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), new Date().toISOString(),
    ]);
  });

const rawHead = (pool: Pool, writers: number) =>
  closedLoop(writers, async (w, i) => {
    const e = event(i);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT position FROM raw_head FOR UPDATE');
      await client.query('INSERT INTO raw_events (event_id, stream_id, type, data, metadata, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        randomUUID(), `org-${w}`, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), new Date().toISOString(),
      ]);
      await client.query('UPDATE raw_head SET position = position + 1');
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  });

const storeAppends = async (store: PostgresEventStore, writers: number) => {
  const tag = randomUUID().slice(0, 8);
  const before = store.stats();
  const perSecond = await closedLoop(writers, (w, i) =>
    store.append(`org-${tag}-${w}`, [event(i)], { expected: i === 0 ? 'no_stream' : i - 1, commandId: `${tag}-${w}-${i}` }),
  );
  const after = store.stats();
  return { perSecond, appendsPerCommit: (after.appends - before.appends) / Math.max(1, after.commits - before.commits) };
};

/** Pages of 1 000 through the whole log, as a rebuild reads it. */
const readAllRate = async (read: (after: number) => Promise<number>): Promise<number> => {
  const start = process.hrtime.bigint();
  let after = 0;
  let total = 0;
  for (;;) {
    const [count, last] = [await read(after), after];
    if (count === 0) break;
    total += count;
    after = last + count; // positions are gap-free in both tables
  }
  return Math.round(total / (Number(process.hrtime.bigint() - start) / 1e9));
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const pad = (text: string, width: number) => text.padEnd(width);

const main = async () => {
  const results = new Map<string, number[]>();
  const record = (what: string, value: number) => results.set(what, [...(results.get(what) ?? []), value]);
  console.log(`PostgreSQL event store bench: ${runs} runs, ${durationMs} ms per measurement, closed-loop writers, one event per append`);

  for (let run = 1; run <= runs; run++) {
    const database = await createTemporaryPostgresDatabase('bench');
    const setup = new Client({ connectionString: database.url });
    await setup.connect();
    await setup.query(RAW_TABLE);
    await setup.end();
    const store = await PostgresEventStore.connect({ connectionString: database.url });
    try {
      const [one, five, fifteen] = loadavg().map((l) => l.toFixed(2));
      console.log(`\nrun ${run}: load average ${one} ${five} ${fifteen}`);
      for (const writers of WRITER_COUNTS) {
        const pool = new Pool({ connectionString: database.url, max: Math.min(writers, MAX_RAW_CONNECTIONS) });
        const insert = await rawInsert(pool, writers);
        const head = await rawHead(pool, writers);
        await pool.end();
        const grouped = await storeAppends(store, writers);
        record(`${writers} raw insert`, insert);
        record(`${writers} raw head`, head);
        record(`${writers} store`, grouped.perSecond);
        console.log(
          `  ${pad(`${writers} writers:`, 12)} raw INSERT ${String(insert).padStart(6)}/s   raw head ${String(head).padStart(6)}/s   ` +
            `store ${String(grouped.perSecond).padStart(6)}/s = ${(grouped.perSecond / insert).toFixed(2)} x raw INSERT ` +
            `(${grouped.appendsPerCommit.toFixed(1)} appends per commit)`,
        );
      }
      const reads = new Pool({ connectionString: database.url, max: 1 });
      const rawRead = await readAllRate(async (after) =>
        (await reads.query('SELECT global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, occurred_at, recorded_at FROM events WHERE global_position > $1 ORDER BY global_position LIMIT 1000', [after])).rowCount ?? 0,
      );
      await reads.end();
      const storeRead = await readAllRate(async (after) => (await store.readAll({ after, limit: 1000 })).length);
      record('read raw', rawRead);
      record('read store', storeRead);
      console.log(`  read all, pages of 1 000: raw ${rawRead}/s   store ${storeRead}/s = ${(storeRead / rawRead).toFixed(2)} x raw`);
    } finally {
      await store.close();
      await database.drop();
    }
  }

  console.log(`\nmedians over ${runs} runs (events/s)`);
  for (const writers of WRITER_COUNTS) {
    const insert = median(results.get(`${writers} raw insert`) ?? []);
    const head = median(results.get(`${writers} raw head`) ?? []);
    const grouped = median(results.get(`${writers} store`) ?? []);
    console.log(
      `  ${pad(`${writers} writers:`, 12)} raw INSERT ${insert}   raw head ${head}   store ${grouped}   ` +
        `ratio store / raw INSERT ${(grouped / insert).toFixed(2)}`,
    );
  }
  const rawRead = median(results.get('read raw') ?? []);
  const storeRead = median(results.get('read store') ?? []);
  console.log(`  read all:    raw ${rawRead}   store ${storeRead}   ratio ${(storeRead / rawRead).toFixed(2)}`);
};

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
