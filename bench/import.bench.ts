// A register file imported end to end in embedded mode (DURABILITY=fsync): a generated file uploaded over HTTP
// (POST /api/imports), each row through the registry's command path, formation reacting to every registration, until
// the services and read models have applied everything (rows → events → formation decisions → projections current).
// Beside it, in the same run: raw batched append of the very events the import produced (better-sqlite3, 1 000 per
// fsynced transaction, no checks). Prints rows/s, total seconds, the ratio, and the peak RSS of this process.
// Run: npm run bench:import                 40 000 rows, one district (target: under 10 s)
//      npm run bench:import -- --city       300 000 rows over ten districts of one city (target: peak RSS under 1 GB)
//      npm run bench:import -- --rows 5000  any size
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startEmbeddedSystem } from '../apps/embedded/src/embedded-system';
import { loadConfig } from '@liangxin/platform';
import { generateRegister, registerCsv, type RegisterRow } from '@liangxin/register-import';

const ADMIN_TOKEN = 'bench-admin-token';
const args = process.argv.slice(2);
const city = args.includes('--city');
const rowsArg = args.indexOf('--rows');
const ROWS = rowsArg >= 0 ? Number(args[rowsArg + 1]) : city ? 300_000 : 40_000;
/** Changsha's districts (GB/T 2260): a city file spreads its rows over them */
const CITY_DISTRICTS = ['430102', '430103', '430104', '430105', '430111', '430112', '430121', '430181', '430182', '430123'];

/** Shangrao's proportions (DOMAIN.md, 004): 136 of 436 enterprises with members, 52 of those with 3 or more */
function register(rows: number): RegisterRow[] {
  const districts = city ? CITY_DISTRICTS : ['430104'];
  const per = Math.ceil(rows / districts.length);
  return districts.flatMap((district, d) => {
    const n = Math.min(per, rows - d * per);
    return n <= 0 ? [] : generateRegister({ district, enterprises: n, withMembers: Math.round((n * 136) / 436), standalone: Math.round((n * 52) / 436) });
  });
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'liangxin-bench-import-'));
  const file = registerCsv(register(ROWS));
  console.log(`bench:import — ${ROWS} rows (${city ? `city, ${CITY_DISTRICTS.length} districts` : 'one district'}), ${mb(file.length)} CSV, DURABILITY=fsync, 2-core machine shared`);
  const config = loadConfig({ DATA_DIR: dataDir, ADMIN_TOKEN, JWT_SECRET: 'bench-secret', WRITES_PER_SECOND: '1000000', WRITE_BURST: '1000000' });
  const system = await startEmbeddedSystem(config, { port: 0, logger: ['error'] });
  try {
    const started = performance.now();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(file)]), 'register.csv');
    const upload = await fetch(`${system.url}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const { id } = (await upload.json()) as { id: string };
    let job: { status: string; counts?: Record<string, number>; progress: { done: number }; error?: string };
    let lastPrint = 0;
    for (;;) {
      job = await (await fetch(`${system.url}/api/imports/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
      if (job.status !== 'running') break;
      if (performance.now() - lastPrint > 2_000) {
        lastPrint = performance.now();
        process.stderr.write(`  … ${job.progress.done} rows, ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const rowsDone = (performance.now() - started) / 1000;
    if (job.status !== 'succeeded') throw new Error(`the import failed: ${job.error}`);
    const head = await system.settled(30 * 60_000);
    const total = (performance.now() - started) / 1000;

    const events = await system.eventStore.readAll({ after: 0, limit: head + 1 });
    const byType = new Map<string, number>();
    for (const event of events) byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
    const raw = rawBatchedAppend(events, dataDir);

    console.log(`  rows: ${JSON.stringify(job.counts)}`);
    console.log(`  events: ${events.length} (${[...byType].map(([type, n]) => `${type} ${n}`).join(', ')})`);
    console.log(`  rows decided by the registry (job finished):   ${rowsDone.toFixed(1)} s, ${Math.round(ROWS / rowsDone)} rows/s`);
    console.log(`  end to end (formation and projections current): ${total.toFixed(1)} s, ${Math.round(ROWS / total)} rows/s, ${Math.round(events.length / total)} events/s`);
    console.log(`  raw batched append of the same ${events.length} events: ${raw.toFixed(2)} s, ${Math.round(events.length / raw)} events/s`);
    console.log(`  ratio end to end / raw: ${(raw / total).toFixed(3)} of raw speed (${(total / raw).toFixed(1)}x the raw time)`);
    console.log(`  peak RSS of this process: ${mb(Math.max(peakRss, process.resourceUsage().maxRSS * 1024))}`);
    if (ROWS === 40_000 && !city) console.log(`  target under 10 s for 40 000 rows: ${total < 10 ? 'met' : 'NOT met'}`);
    if (city) console.log(`  target peak RSS under 1 GB: ${Math.max(peakRss, process.resourceUsage().maxRSS * 1024) < 1024 ** 3 ? 'met' : 'NOT met'}`);
  } finally {
    clearInterval(sampler);
    await system.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The same events into a bare table: 1 000 per transaction, WAL, synced at each commit. Seconds taken. */
function rawBatchedAppend(events: { streamId: string; streamVersion: number; type: string; data: unknown; metadata: unknown }[], dir: string): number {
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE events (position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, version INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream_id, version))');
  const insert = db.prepare('INSERT INTO events (stream_id, version, type, data, metadata) VALUES (?, ?, ?, ?, ?)');
  const batch = db.transaction((slice: typeof events) => {
    for (const e of slice) insert.run(e.streamId, e.streamVersion, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata));
  });
  const started = performance.now();
  for (let i = 0; i < events.length; i += 1_000) batch(events.slice(i, i + 1_000));
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return seconds;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
