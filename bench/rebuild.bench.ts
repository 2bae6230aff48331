// Rebuild throughput of every projection beside raw read-and-parse of the same log, in one run; peak RSS;
// time of an as-of coverage query (from the nearest snapshot, and from scratch for comparison).
// The log is generated in a child process, so the peak RSS measured here is the rebuild's alone.
// Run: node -r ./tools/register.js bench/rebuild.bench.ts [--events 1000000] [--log DIR] [--workers N] [--no-one-thread] [--no-each] [--breakdown N] [--keep]
//      (--log DIR reuses the events.db a --keep run left in DIR)
import 'reflect-metadata'; // the contracts' DTO decorators need it loaded first
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import type { RecordedEvent } from '@liangxin/contracts';
import { SqliteEventStore } from '@liangxin/event-store';
import {
  allProjections,
  COVERAGE,
  handles,
  coverageId,
  coverageProjection,
  type Coverage,
  type Projection,
  type RebuildProgress,
  type RebuildResult,
  rebuildInWorkers,
  rebuildProjections,
  SqliteReadModelStore,
  TimeTravel,
  UnitOfWork,
} from '@liangxin/read-models';
import { appendLoad, generateLoad } from '@liangxin/read-models/testing';

const options = new Command()
  .option('--events <n>', 'events in the log', (v) => Number(v), 200_000)
  .option('--snapshot-every <n>', 'events between time-travel snapshots', (v) => Number(v), 10_000)
  .option('--batch <n>', 'events per page read from the log (by the raw read too)', (v) => Number(v), 10_000)
  .option('--flush-every <n>', 'events a rebuild applies in memory between writes (one transaction per flush)', (v) => Number(v), 50_000)
  .option('--cache <n>', 'documents a rebuild keeps in memory', (v) => Number(v), 200_000)
  .option('--log <dir>', 'reuse the events.db in this directory instead of generating one')
  .option('--generate-into <dir>', '(internal) only generate and append the log into this directory')
  .option('--workers <n>', 'worker threads the rebuild is shared between', (v) => Number(v), availableParallelism())
  .option('--no-one-thread', 'skip the rebuild of all projections in this one thread')
  .option('--no-each', 'skip rebuilding each projection on its own')
  .option('--breakdown <n>', 'events the cost breakdown applies in memory (after the one-thread rebuild)', (v) => Number(v), 200_000)
  .option('--keep', 'keep the data directory')
  .parse()
  .opts<{
    events: number;
    snapshotEvery: number;
    batch: number;
    flushEvery: number;
    cache: number;
    log?: string;
    generateInto?: string;
    workers: number;
    oneThread: boolean;
    each: boolean;
    breakdown: number;
    keep?: boolean;
  }>();

let dataDir = '';
/** the one-thread rebuild also times its writes, so the breakdown can say what a written document costs */
const writes = { documents: 0, seconds: 0, events: 0 };
let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const sampler = setInterval(sampleRss, 50);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const elapsed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const result = await work();
  return [result, (performance.now() - start) / 1000];
};

async function generateInto(dir: string) {
  const events = SqliteEventStore.open({ file: join(dir, 'events.db'), durability: 'os' });
  console.log(`log: ${fmt(options.events)} generated registry + formation events (seed 1), data in ${dir}`);

  const bar = new SingleBar({ format: '{phase} [{bar}] {value}/{total} {rate} ev/s', hideCursor: true, noTTYOutput: false }, undefined);
  bar.start(options.events, 0, { phase: 'append ', rate: 0 });
  const [appended, appendSeconds] = await elapsed(async () => {
    let done = 0;
    const chunk = function* () {
      for (const g of generateLoad({ seed: 1, events: options.events })) {
        yield g;
        if (++done % 5_000 === 0) bar.update(done, { rate: 0 });
      }
    };
    return appendLoad(events, chunk(), 1_000);
  });
  bar.update(appended);
  bar.stop();
  console.log(`appended ${fmt(appended)} events in ${appendSeconds.toFixed(1)} s (${fmt(appended / appendSeconds)} events/s)`);
  await events.close();
}

/**
 * Where a rebuild's time goes, per event of the log: reading and parsing it, each projection's apply in memory
 * (nothing written; over the first `--breakdown` events), and writing the documents (timed inside the
 * one-thread rebuild). Their sum bounds what any rebuild of this design can reach against the raw rate.
 */
async function costBreakdown(projections: Projection[], readRate: number): Promise<number> {
  const events = SqliteEventStore.openReader({ file: join(dataDir, 'events.db') });
  const sample: RecordedEvent[] = [];
  for (let after = 0; sample.length < options.breakdown; ) {
    const page = await events.readAll({ after, limit: Math.min(options.batch, options.breakdown - sample.length) });
    if (page.length === 0) break;
    sample.push(...page);
    after = page[page.length - 1].globalPosition;
  }
  await events.close();
  const micros = (seconds: number, count: number) => `${((seconds * 1e6) / count).toFixed(2).padStart(6)} µs`;
  console.log(`where the time goes, per event (apply measured over the first ${fmt(sample.length)} events, in memory):`);
  console.log(`  read + parse                          ${micros(1 / readRate, 1)}`);
  let applyTotal = 0;
  for (const projection of projections) {
    const unit = new UnitOfWork(async () => undefined);
    const [, seconds] = await elapsed(async () => {
      for (const event of sample) if (handles(projection, event)) await projection.apply(event, unit);
    });
    applyTotal += seconds / sample.length;
    console.log(`  apply ${projection.name.padEnd(32)}${micros(seconds, sample.length)}`);
  }
  console.log(`  apply, all projections                ${micros(applyTotal, 1)}`);
  if (writes.documents > 0) {
    const perEvent = writes.seconds / writes.events;
    console.log(`  write documents                       ${micros(perEvent, 1)}  (${(writes.documents / writes.events).toFixed(2)} documents per event, ${micros(writes.seconds, writes.documents)} each, flushes with snapshots included)`);
    const floor = 1 / readRate + applyTotal + perEvent;
    console.log(`  sum: one thread can reach at most ${(100 / (floor * readRate)).toFixed(0)} % of the raw rate; two threads that each read the whole log at most ${(100 / ((1 / readRate + (applyTotal + perEvent) / 2) * readRate)).toFixed(0)} %`);
  }
  return applyTotal;
}

/**
 * The least any rebuild of these projections must write, measured with raw better-sqlite3 in this run: each document
 * the one-thread rebuild left, once, and each of its time-travel history rows, once, both in key order in one
 * transaction (the most favourable order), serialised from objects as a rebuild must, and nothing else: no apply, no
 * rewrites across flushes. Its sum with the raw read bounds any SQLite rebuild that keeps this history.
 */
function writeFloor(readRate: number, events: number, apply: number) {
  type Row = { collection: string; window: number; id: string; position: number; body: string };
  const rebuilt = new Database(join(dataDir, 'one-thread.sqlite'), { readonly: true });
  const live = "SELECT collection || '@' || generation FROM rm_live_collections";
  const documents = rebuilt.prepare(`SELECT collection, 0 AS window, id, position, body FROM rm_documents WHERE body IS NOT NULL AND collection IN (${live}) ORDER BY collection, id`);
  const history = rebuilt.prepare(`SELECT collection, snapshot_position AS window, id, position, body FROM rm_snapshot_rows WHERE collection IN (${live}) ORDER BY collection, snapshot_position, id`);
  const file = join(dataDir, 'write-floor.sqlite');
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -131072');
  db.exec(`CREATE TABLE d (collection TEXT NOT NULL, id TEXT NOT NULL, position INTEGER NOT NULL, body TEXT, PRIMARY KEY (collection, id)) WITHOUT ROWID;
           CREATE TABLE h (collection TEXT NOT NULL, window INTEGER NOT NULL, id TEXT NOT NULL, position INTEGER NOT NULL, body TEXT, PRIMARY KEY (collection, window, id)) WITHOUT ROWID;
           CREATE INDEX h_by_document ON h (collection, id, window);`);
  const insertDocument = db.prepare('INSERT INTO d VALUES (?, ?, ?, ?)');
  const insertHistory = db.prepare('INSERT INTO h VALUES (?, ?, ?, ?, ?)');
  // Rows are read and parsed a chunk at a time outside the clock (memory stays small); only serialising and writing are timed.
  let seconds = 0;
  const counts = { documents: 0, history: 0 };
  const writeAll = (rows: Iterable<Row>, write: (row: Row, body: string) => void, count: 'documents' | 'history') => {
    const timed = (work: () => void) => {
      const start = performance.now();
      work();
      seconds += (performance.now() - start) / 1000;
    };
    timed(() => db.exec('BEGIN'));
    let chunk: { row: Row; body: object }[] = [];
    const flush = () => {
      const objects = chunk;
      timed(() => {
        for (const { row, body } of objects) write(row, JSON.stringify(body));
      });
      counts[count] += objects.length;
      chunk = [];
    };
    for (const row of rows) {
      chunk.push({ row, body: JSON.parse(row.body) as object });
      if (chunk.length === 20_000) flush();
    }
    flush();
    timed(() => db.exec('COMMIT'));
  };
  writeAll(documents.iterate() as Iterable<Row>, (r, body) => insertDocument.run(r.collection, r.id, r.position, body), 'documents');
  const documentsOnly = seconds / events;
  writeAll(history.iterate() as Iterable<Row>, (r, body) => insertHistory.run(r.collection, r.window, r.id, r.position, body), 'history');
  rebuilt.close();
  db.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  const perEvent = seconds / events;
  const micros = (perEvent: number) => `${(perEvent * 1e6).toFixed(2).padStart(6)} µs`;
  console.log(`  write floor, documents only (raw)     ${micros(documentsOnly)}  (${fmt(counts.documents)} documents, each written once in key order, no apply)`);
  console.log(`  write floor, with history (raw)       ${micros(perEvent)}  (and ${fmt(counts.history)} time-travel history rows)`);
  // One thread reads, applies and writes in turn. Two threads each read the log and apply half, but SQLite has one
  // writer, so their writes queue: a rebuild takes at least the longer of the two.
  const read = 1 / readRate;
  const percent = (perEventSeconds: number) => `${((100 * read) / perEventSeconds).toFixed(0)} %`;
  const ceilings = (writes: number) => `one thread ${percent(read + apply + writes)}, two ${percent(Math.max(read + apply / 2, writes))}`;
  console.log(`  ceiling with these applies and the floor's writes: ${ceilings(perEvent)} of the raw rate; with no history at all: ${ceilings(documentsOnly)}`);
  console.log(`  ceiling with nothing applied and the floor's writes: one thread ${percent(read + perEvent)}, two ${percent(Math.max(read, perEvent))}`);
}

async function main() {
  if (options.generateInto) {
    clearInterval(sampler);
    return generateInto(options.generateInto);
  }
  const dir = (dataDir = options.log ?? mkdtempSync(join(tmpdir(), 'liangxin-rebuild-bench-')));
  const eventsFile = join(dir, 'events.db');
  if (!options.log) {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--generate-into', dir, '--events', String(options.events)], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`generating the log failed (exit ${child.status})`);
  } else if (!existsSync(eventsFile)) throw new Error(`no events.db in ${dir}`);
  // read models from an earlier run on the same log would be rebuilt beside, not from scratch
  for (const name of readdirSync(dir)) if (/^(read-models|one-thread|only-.*|empty)\.sqlite(-wal|-shm)?$/.test(name)) rmSync(join(dir, name));
  const events = SqliteEventStore.openReader({ file: eventsFile });
  const head = await events.headPosition();
  console.log(`log: ${fmt(head)} events in ${eventsFile}`);

  // Baseline: read every event and parse it, in the same batches the rebuild uses. The best of three reads: the
  // first may find the file cold in the OS cache, which the rebuilds after it do not (and noise only slows a read).
  sampleRss();
  const readOnce = async () =>
    (
      await elapsed(async () => {
        let after = 0;
        for (;;) {
          const batch = await events.readAll({ after, limit: options.batch });
          if (batch.length === 0) break;
          after = batch[batch.length - 1].globalPosition;
        }
      })
    )[1];
  const readSeconds = Math.min(await readOnce(), await readOnce(), await readOnce());
  const readRate = head / readSeconds;
  console.log(`raw read + parse of the log (best of 3):    ${fmt(readRate).padStart(9)} events/s  (${readSeconds.toFixed(1)} s)`);

  const settings = { batchSize: options.batch, flushEvery: options.flushEvery, snapshotEvery: options.snapshotEvery, cacheDocuments: options.cache };
  /** runs one rebuild with a progress bar and prints its line: rate, share of the raw rate, CPU, peak RSS */
  const measure = async (label: string, run: (onProgress: (p: RebuildProgress) => void) => Promise<RebuildResult>) => {
    const progress = new SingleBar({ format: `${label.slice(0, 14).padEnd(14)} [{bar}] {value}/{total} {rate} ev/s`, hideCursor: true }, undefined);
    progress.start(head, 0, { rate: 0 });
    peakRss = process.memoryUsage().rss;
    // CPU time beside wall time: on a shared machine the wall time moves with everyone else's load
    const cpuBefore = process.cpuUsage();
    const result = await run((p) => {
      sampleRss();
      progress.setTotal(p.total);
      progress.update(p.done, { rate: fmt(p.eventsPerSecond) });
    });
    progress.stop();
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const line = `rebuild ${label}:`.padEnd(42);
    console.log(`${line} ${fmt(result.eventsPerSecond).padStart(9)} events/s  (${result.seconds.toFixed(1)} s, ${((result.eventsPerSecond / readRate) * 100).toFixed(0)} % of raw read, ${fmt(result.events / cpuSeconds)} events per CPU second, peak RSS ${mb(peakRss)})`);
  };
  const inThisThread = async (label: string, projections: Projection[], fileName: string, timeWrites = false) => {
    const store = SqliteReadModelStore.open(dir, fileName);
    if (timeWrites) {
      const commitAll = store.commitAll.bind(store);
      store.commitAll = async (commits) => {
        for (const commit of commits) writes.documents += commit.changes.length;
        const [, seconds] = await elapsed(() => commitAll(commits));
        writes.seconds += seconds;
      };
    }
    await measure(label, async (onProgress) => {
      const result = await rebuildProjections(events, store, projections, { ...settings, onProgress });
      writes.events = result.events;
      return result;
    });
    await store.close();
  };

  const projections = allProjections();
  // What the system runs on SQLite: the projections shared between worker threads.
  const store = SqliteReadModelStore.open(dir, 'read-models.sqlite');
  await measure(`all (${projections.length}), ${options.workers} worker threads`, (onProgress) =>
    rebuildInWorkers({
      eventsFile,
      readModels: { dataDir: dir, fileName: 'read-models.sqlite' },
      projections: projections.map((p) => p.name),
      workers: options.workers,
      rebuild: settings,
      onProgress,
    }),
  );
  if (options.oneThread) {
    await inThisThread(`all (${projections.length}), one thread`, projections, 'one-thread.sqlite', true);
    const apply = await costBreakdown(projections, readRate);
    writeFloor(readRate, writes.events, apply);
  }
  if (options.each) for (const p of projections) await inThisThread(p.name, [p], `only-${p.name}.sqlite`);

  // As-of coverage: from the nearest snapshot, at random positions, for one district.
  const travel = new TimeTravel(events, store);
  const coverage = projections.find((p) => p.name === 'coverage') ?? coverageProjection();
  const district = (await store.find<Coverage>(COVERAGE, { scope: 'district' }))[0].body.key;
  const id = coverageId('district', district);
  const timings: number[] = [];
  for (let i = 1; i <= 20; i++) {
    const position = Math.floor((head * i) / 21);
    const [, s] = await elapsed(() => travel.documentAsOf(coverage, COVERAGE, id, { position }));
    timings.push(s * 1000);
  }
  timings.sort((a, b) => a - b);
  console.log(
    `as-of coverage of district ${district} (20 positions): median ${timings[10].toFixed(1)} ms, max ${timings[19].toFixed(1)} ms (rebuilt snapshots every ${fmt(Math.max(options.snapshotEvery, options.flushEvery))} events)`,
  );
  const recordedAt = (await events.readAll({ after: Math.floor(head / 2), limit: 1 }))[0].recordedAt;
  const [asOfDate, byDate] = await elapsed(() => travel.documentAsOf<Coverage>(coverage, COVERAGE, id, { timestamp: recordedAt }));
  console.log(`as-of coverage by timestamp ${recordedAt}: ${(byDate * 1000).toFixed(1)} ms (coverage rate ${asOfDate?.overallRate})`);
  const scratch = new TimeTravel(events, SqliteReadModelStore.open(dir, 'empty.sqlite'));
  const [, fromScratch] = await elapsed(() => scratch.documentAsOf(coverage, COVERAGE, id, { position: Math.floor(head / 2) }));
  console.log(`as-of coverage without snapshots (replay from 0 to ${fmt(head / 2)}): ${(fromScratch * 1000).toFixed(0)} ms`);

  console.log(`peak RSS over the run: ${mb(Math.max(peakRss, process.resourceUsage().maxRSS * 1024))}`);
  clearInterval(sampler);
  await store.close();
  await events.close();
  if (!options.keep && !options.log) rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
