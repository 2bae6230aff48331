// Event store throughput: the SQLite adapter beside raw better-sqlite3 doing the same work.
// Run: npm run bench:store   (about a minute; BENCH_SCALE=0.2 for a quick look)
//      npm run bench:store -- --pg   the PostgreSQL adapter beside raw pg instead (bench/pg-store.bench.ts)
// Targets (issues 2 and 6): adapter >= 70 % of raw batched append and of raw read; >= 20 000 appends/s with
// 64 concurrent writers and fsync durability.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { NewEvent } from '@liangxin/contracts';
import { SqliteEventStore, type AppendOptions, type AppendResult } from '@liangxin/event-store';
import { CommitGroupWriter } from '../libs/event-store/src/sqlite/commit-group';
import { prepareAppend, toAppendOutcome, toWireError, type PreparedAppend } from '../libs/event-store/src/sqlite/commit-protocol';
import { openWriteConnection } from '../libs/event-store/src/sqlite/commit-worker';
import { EVENT_COLUMNS, SCHEMA } from '../libs/event-store/src/sqlite/schema';

const scale = Number(process.env['BENCH_SCALE'] ?? 1);
const n = (count: number) => Math.max(1, Math.round(count * scale));
const dir = mkdtempSync(join(tmpdir(), 'liangxin-store-bench-'));
let files = 0;
const freshFile = () => join(dir, `bench-${++files}.db`);

// ~250 bytes stored per event, like a registry event
const event = (i: number): NewEvent => ({
  type: 'MemberCountChanged',
  schemaVersion: 1,
  data: { creditCode: '91350100M000100Y43', fullMembers: i % 17, probationaryMembers: i % 3, reason: 'admission', district: '350100' },
  metadata: { actor: 'bench', district: '350100', correlationId: `c-${i}` },
});

const seconds = async (work: () => Promise<unknown> | unknown): Promise<number> => {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rate = (events: number, s: number) => Math.round(events / s);

interface Row {
  what: string;
  perSecond: number;
  baseline?: number;
}
const rows: Row[] = [];
const report = (what: string, perSecond: number, baseline?: number) => {
  rows.push({ what, perSecond, baseline });
  const ratio = baseline ? `  ${((perSecond / baseline) * 100).toFixed(0)} % of raw` : '';
  console.log(`${what.padEnd(58)} ${String(perSecond).padStart(9)} events/s${ratio}`);
};

const openRaw = (file: string) => {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA);
  const insert = db.prepare(
    `INSERT INTO events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
       occurred_at, recorded_at, command_id, hash, stream_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, x'', x'')`,
  );
  let position = 0;
  const insertEvents = (count: number, streamOf: (i: number) => [string, number]) => {
    const now = new Date().toISOString();
    for (let k = 0; k < count; k++) {
      position += 1;
      const e = event(position);
      const [stream, version] = streamOf(position);
      insert.run(position, randomUUID(), stream, version, e.type, 1, JSON.stringify(e.data), JSON.stringify(e.metadata), now, now);
    }
  };
  return { db, insertEvents };
};

/** raw: BEGIN; 1000 INSERTs; COMMIT (one fsync per 1000 events) */
const rawBatched = (total: number) => {
  const { db, insertEvents } = openRaw(freshFile());
  const commitBatch = db.transaction((count: number) => insertEvents(count, (p) => [`enterprise-${Math.floor((p - 1) / 1000)}`, (p - 1) % 1000]));
  const s = (() => {
    const start = process.hrtime.bigint();
    for (let done = 0; done < total; done += 1000) commitBatch(Math.min(1000, total - done));
    return Number(process.hrtime.bigint() - start) / 1e9;
  })();
  db.close();
  return rate(total, s);
};

/**
 * raw: transactions shaped like a group commit of `writers` single-event commands to `writers` streams
 * (with command ids), one fsync each: the ceiling for the adapter's concurrent-writer figures on this disk.
 */
const rawGroups = (writers: number, perWriter: number) => {
  const { db } = openRaw(freshFile());
  const insert = db.prepare(
    `INSERT INTO events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
       occurred_at, recorded_at, command_id, hash, stream_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, x'', x'')`,
  );
  let position = 0;
  const commitGroup = db.transaction((version: number) => {
    const now = new Date().toISOString();
    for (let w = 0; w < writers; w++) {
      position += 1;
      const e = event(position);
      insert.run(position, randomUUID(), `org-${w}`, version, e.type, 1, JSON.stringify(e.data), JSON.stringify(e.metadata), now, now, `w${w}-${version}`);
    }
  });
  const start = process.hrtime.bigint();
  for (let version = 0; version < perWriter; version++) commitGroup(version);
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  db.close();
  return rate(writers * perWriter, s);
};

/** raw: one event per transaction, one fsync each */
const rawSingle = (total: number) => {
  const { db, insertEvents } = openRaw(freshFile());
  const commitOne = db.transaction(() => insertEvents(1, (p) => ['enterprise-single', p - 1]));
  const start = process.hrtime.bigint();
  for (let i = 0; i < total; i++) commitOne();
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  db.close();
  return rate(total, s);
};

const adapterBatched = async (total: number) => {
  const store = SqliteEventStore.open({ file: freshFile(), durability: 'fsync' });
  const batches = Math.ceil(total / 1000);
  const s = await seconds(async () => {
    for (let b = 0; b < batches; b++) {
      await store.append(`enterprise-${b}`, Array.from({ length: 1000 }, (_, i) => event(b * 1000 + i)), { expected: 'no_stream' });
    }
  });
  await store.close();
  return rate(batches * 1000, s);
};

type Append = (streamId: string, events: NewEvent[], options: AppendOptions) => Promise<AppendResult>;

const concurrentWriters = async (append: Append, writers: number, perWriter: number) => {
  const s = await seconds(() =>
    Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          await append(`org-${w}`, [event(i)], { expected: i === 0 ? 'no_stream' : i - 1, commandId: `w${w}-${i}` });
        }
      }),
    ),
  );
  return rate(writers * perWriter, s);
};

const withAdapter = async <T>(work: (store: SqliteEventStore) => Promise<T>) => {
  const store = SqliteEventStore.open({ file: freshFile(), durability: 'fsync' });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
};

/**
 * The design the adapter replaced, kept here for comparison: the writer connection on the main thread,
 * group-committing whatever queued up during the previous (blocking) commit.
 */
const withMainThreadWriter = async <T>(work: (append: Append) => Promise<T>) => {
  const db = openWriteConnection({ file: freshFile(), durability: 'fsync', busyTimeoutMs: 5_000 });
  const writer = new CommitGroupWriter(db);
  type Waiting = { append: PreparedAppend; resolve: (r: AppendResult) => void; reject: (e: unknown) => void };
  let queue: Waiting[] = [];
  let scheduled = false;
  const commitQueued = () => {
    scheduled = false;
    const group = queue;
    queue = [];
    const outcomes = writer.commit(group.map((w) => w.append.serialized));
    group.forEach((w, i) => {
      const outcome = outcomes[i];
      const settled = toAppendOutcome(w.append, outcome.outcome === 'failed' ? { outcome: 'failed', error: toWireError(outcome.error) } : outcome);
      if (settled.ok) w.resolve(settled.result);
      else w.reject(settled.error);
    });
  };
  const append: Append = (streamId, events, options) =>
    new Promise((resolveAppend, reject) => {
      queue.push({ append: prepareAppend(streamId, events, options), resolve: resolveAppend, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(commitQueued);
      }
    });
  try {
    return await work(append);
  } finally {
    db.close();
  }
};

/** How busy and how blocked the main thread was while `work` ran: what HTTP requests and projections feel. */
const mainThreadLoad = async <T>(work: () => Promise<T>): Promise<{ result: T; utilisation: number; delayP99Ms: number }> => {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const before = performance.eventLoopUtilization();
  const result = await work();
  const utilisation = performance.eventLoopUtilization(before).utilization;
  delay.disable();
  return { result, utilisation, delayP99Ms: delay.percentile(99) / 1e6 };
};
const describeLoad = (load: { utilisation: number; delayP99Ms: number }) =>
  `${''.padEnd(60)}(main thread busy ${(load.utilisation * 100).toFixed(0)} % of the time, event-loop delay p99 ${load.delayP99Ms.toFixed(1)} ms)`;

const rawReadAll = (file: string) => {
  const db = new Database(file, { readonly: true });
  let count = 0;
  const s = (() => {
    const start = process.hrtime.bigint();
    const select = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY global_position`);
    for (const row of select.iterate() as Iterable<{ data: string; metadata: string }>) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
      count += 1;
    }
    return Number(process.hrtime.bigint() - start) / 1e9;
  })();
  db.close();
  return rate(count, s);
};

const adapterReadAll = async (file: string) => {
  const store = SqliteEventStore.open({ file, durability: 'fsync' });
  let count = 0;
  const s = await seconds(async () => {
    for (let after = 0; ; ) {
      const page = await store.readAll({ after, limit: 10_000 });
      if (page.length === 0) break;
      count += page.length;
      after = page[page.length - 1].globalPosition;
    }
  });
  await store.close();
  return rate(count, s);
};

const main = async () => {
  console.log(`Event store bench (scale ${scale}), files in ${dir}\n`);

  const batchedTotal = n(100_000);
  const rawBatch = median([rawBatched(batchedTotal), rawBatched(batchedTotal), rawBatched(batchedTotal)]);
  report('raw better-sqlite3, 1000 events/txn, fsync', rawBatch);
  const adapterBatch = median([await adapterBatched(batchedTotal), await adapterBatched(batchedTotal), await adapterBatched(batchedTotal)]);
  report('adapter append, 1000 events per append, fsync', adapterBatch, rawBatch);

  const singles = n(1_000);
  const rawOne = rawSingle(singles);
  report('raw better-sqlite3, 1 event/txn, fsync each', rawOne);
  report('adapter append, 1 event, awaited one by one', await withAdapter((store) => concurrentWriters(store.append.bind(store), 1, singles)), rawOne);

  for (const writers of [8, 64]) {
    const perWriter = n(writers === 64 ? 600 : 1_000);
    const stats = { commits: 0, appends: 0 };
    const adapter = await withAdapter((store) =>
      mainThreadLoad(async () => {
        const r = await concurrentWriters(store.append.bind(store), writers, perWriter);
        Object.assign(stats, store.stats());
        return r;
      }),
    );
    const rawCeiling = rawGroups(writers, perWriter);
    report(`raw better-sqlite3, ${writers} events to ${writers} streams per txn, fsync`, rawCeiling);
    report(`adapter, ${writers} concurrent writers (group commit in its worker)`, adapter.result, rawCeiling);
    console.log(`${''.padEnd(60)}(${(stats.appends / stats.commits).toFixed(1)} appends per commit)`);
    console.log(describeLoad(adapter));
    const mainThread = await withMainThreadWriter((append) => mainThreadLoad(() => concurrentWriters(append, writers, perWriter)));
    report(`former design: ${writers} writers, commits on the main thread`, mainThread.result, rawCeiling);
    console.log(describeLoad(mainThread));
  }

  const readFile = freshFile();
  const seed = SqliteEventStore.open({ file: readFile, durability: 'os' });
  const readTotal = n(200_000);
  for (let b = 0; b < readTotal / 1000; b++) {
    await seed.append(`enterprise-${b}`, Array.from({ length: 1000 }, (_, i) => event(i)), { expected: 'no_stream' });
  }
  await seed.close();
  const rawRead = median([rawReadAll(readFile), rawReadAll(readFile), rawReadAll(readFile)]);
  report('raw better-sqlite3 read all + JSON.parse', rawRead);
  const adapterRead = median([await adapterReadAll(readFile), await adapterReadAll(readFile), await adapterReadAll(readFile)]);
  report('adapter readAll, pages of 10 000', adapterRead, rawRead);

  const sixtyFour = rows.find((r) => r.what.startsWith('adapter, 64 concurrent writers'))?.perSecond ?? 0;
  console.log('\nTargets:');
  console.log(`  batched append >= 70 % of raw: ${((adapterBatch / rawBatch) * 100).toFixed(0)} % ${adapterBatch >= 0.7 * rawBatch ? 'met' : 'NOT met'}`);
  console.log(`  read all >= 70 % of raw:       ${((adapterRead / rawRead) * 100).toFixed(0)} % ${adapterRead >= 0.7 * rawRead ? 'met' : 'NOT met'}`);
  const ceiling = rows.find((r) => r.what.startsWith('raw better-sqlite3, 64 events'))?.perSecond ?? 0;
  console.log(`  64 writers with fsync >= 20 000/s: ${sixtyFour} ${sixtyFour >= 20_000 ? 'met' : 'NOT met'} (raw ceiling on this disk: ${ceiling})`);
};

if (process.argv.includes('--pg')) {
  rmSync(dir, { recursive: true, force: true });
  require('./pg-store.bench');
} else {
  main()
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(() => rmSync(dir, { recursive: true, force: true }));
}
