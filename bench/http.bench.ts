// The gateway over HTTP in embedded mode with DURABILITY=fsync, each figure beside a raw baseline of the same run:
//  (a) command-to-visible latency at a fixed 500 commands/s: POST a member-count change, then GET the enterprise
//      with X-Min-Position at the write's position; latency from the command's scheduled start (open loop, so a
//      slow server is not hidden by a waiting client) to the read that shows it. Beside: a raw fsync append at 500/s.
//  (b) the highest sustained rate whose p99 command-to-visible latency stays under 50 ms, stepping the rate up.
//  (c) registrations/s over HTTP at 64 concurrent clients, beside the store's own append rate at 64 concurrent
//      writers and an HTTP no-op (GET /health) at 64 clients.
// The load generator runs in a worker thread (its own event loop, the second core), the system in the main one.
// Run: node -r ./tools/register.js bench/http.bench.ts     (about two minutes, loopback only)
import 'reflect-metadata';
import { Agent, request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const ADMIN_TOKEN = 'bench-admin-token';
const DISTRICT = '430104';
const CONCURRENCY = 64;
const FIXED_RATE = 500;
const FIXED_RATE_SECONDS = 10;
const P99_LIMIT_MS = 50;
const STEP_SECONDS = 4;
const STEP_RATES = [50, 100, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000];
/** an open-loop step stops short once this many operations are waiting: the server is far behind */
const MAX_IN_FLIGHT = 2_000;

// ------------------------------------------------------------------------------------------------ load generator

type Operation = 'register' | 'member-then-visible' | 'health';
interface LoadRequest {
  operation: Operation;
  /** closed loop: this many clients, each sending its next request when the last is answered */
  concurrency?: number;
  /** open loop: start operations at this rate regardless of answers */
  rate?: number;
  seconds: number;
}
interface LoadResult {
  completed: number;
  failed: number;
  firstFailure?: string;
  elapsedSeconds: number;
  latenciesMs: number[];
  /** of member-then-visible: time from sending the GET to its answer, i.e. the wait for the read models */
  readMs: number[];
  stoppedEarly: boolean;
}
interface WorkerSetup {
  baseUrl: string;
  /** credit codes for registrations; each used once */
  freshCodes: string[];
}

function runLoadGenerator(setup: WorkerSetup): void {
  const url = new URL(setup.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  let nextFresh = 0;
  const registered: string[] = [];
  const visits = new Map<string, number>();
  let nextTarget = 0;

  // The server may close an idle keep-alive socket just as it is reused; a GET is safe to send again once.
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    try {
      return await sendOnce(method, path, body, headers);
    } catch (error) {
      if (method !== 'GET' || (error as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
      return sendOnce(method, path, body, headers);
    }
  };
  const sendOnce = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string; position: number }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpRequest(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), position: Number(res.headers['x-position']) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  const expect = (answer: { status: number; body: string }, status: number, what: string) => {
    if (answer.status !== status) throw new Error(`${what}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
    return answer.body ? JSON.parse(answer.body) : undefined;
  };

  let readMs: number[] = [];
  const operations: Record<Operation, () => Promise<void>> = {
    async register() {
      const creditCode = setup.freshCodes[nextFresh++];
      if (!creditCode) throw new Error('ran out of fresh credit codes');
      const body = { creditCode, name: `压测企业${nextFresh}`, kind: 'enterprise', employees: 30, fullMembers: 1, probationaryMembers: 0 };
      expect(await send('POST', '/api/enterprises', body), 201, 'register');
      registered.push(creditCode);
    },
    async 'member-then-visible'() {
      // Round robin over every registered enterprise, so two commands rarely race on one stream.
      const code = registered[nextTarget++ % registered.length];
      const visit = (visits.get(code) ?? 0) + 1;
      visits.set(code, visit);
      const fullMembers = 1 + (visit % 50); // differs from the previous value, so every command appends
      const written = expect(await send('POST', `/api/enterprises/${code}/member-count`, { fullMembers, probationaryMembers: 0, reason: 'correction' }), 200, 'member-count');
      const readStart = performance.now();
      const read = await send('GET', `/api/enterprises/${code}`, undefined, { 'x-min-position': String(written.position) });
      expect(read, 200, 'read');
      readMs.push(performance.now() - readStart);
      // A later command on the same enterprise may already show (the round robin wraps under overload):
      // what must hold is that the read models had reached this write's position.
      if (!(read.position >= written.position)) throw new Error(`read answered at position ${read.position}, before the write at ${written.position}`);
    },
    async health() {
      expect(await send('GET', '/health'), 200, 'health');
    },
  };

  async function run(load: LoadRequest): Promise<LoadResult> {
    const operation = operations[load.operation];
    const latenciesMs: number[] = [];
    readMs = [];
    let completed = 0;
    let failed = 0;
    let firstFailure: string | undefined;
    let stoppedEarly = false;
    const start = performance.now();
    const deadline = start + load.seconds * 1000;
    const timed = async (scheduledAt: number) => {
      // sent up to 1 ms early (timers cannot wait less): time from the send then, from the schedule when late
      const from = Math.min(scheduledAt, performance.now());
      try {
        await operation();
        latenciesMs.push(performance.now() - from);
        completed++;
      } catch (error) {
        failed++;
        firstFailure ??= error instanceof Error ? error.message : String(error);
      }
    };
    if (load.concurrency) {
      await Promise.all(
        Array.from({ length: load.concurrency }, async () => {
          while (performance.now() < deadline) await timed(performance.now());
        }),
      );
    } else {
      const interval = 1000 / (load.rate ?? 1);
      const running = new Set<Promise<void>>();
      for (let i = 0; ; i++) {
        const scheduledAt = start + i * interval;
        if (scheduledAt >= deadline) break;
        if (running.size >= MAX_IN_FLIGHT) {
          stoppedEarly = true;
          break;
        }
        const wait = scheduledAt - performance.now();
        // setTimeout cannot wait under ~1 ms: start everything that is due, then sleep till the next one.
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        const task = timed(scheduledAt).finally(() => running.delete(task));
        running.add(task);
      }
      await Promise.all(running);
    }
    return { completed, failed, firstFailure, elapsedSeconds: (performance.now() - start) / 1000, latenciesMs, readMs, stoppedEarly };
  }

  parentPort?.on('message', (load: LoadRequest | 'close') => {
    if (load === 'close') {
      agent.destroy();
      parentPort?.close();
      return;
    }
    run(load).then((result) => parentPort?.postMessage(result));
  });
}

// ------------------------------------------------------------------------------------------------ figures

const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (value: number) => `${value.toFixed(1)} ms`;
const perSecond = (count: number, seconds: number) => Math.round(count / seconds);
const ratio = (part: number, whole: number) => `${((part / whole) * 100).toFixed(0)} %`;

function describeFailures(what: string, result: LoadResult): void {
  if (result.failed > 0) console.log(`    ! ${what}: ${result.failed} of ${result.completed + result.failed} failed, first: ${result.firstFailure}`);
}

// ------------------------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  const { generateCreditCode } = await import('@liangxin/registry-domain');
  const { SqliteEventStore } = await import('@liangxin/event-store');
  const { startTestSystem } = await import('../apps/embedded/src/testing');
  const { COMMAND_STAGES, stageTimings } = await import('@liangxin/diagnostics');

  const system = await startTestSystem({ DURABILITY: 'fsync', ADMIN_TOKEN: ADMIN_TOKEN, MAX_DELIVERIES: '5' });
  const freshCodes = Array.from({ length: 100_000 }, (_, i) => generateCreditCode(DISTRICT, i + 1));
  const worker = new Worker(__filename, { workerData: { baseUrl: system.url, freshCodes } satisfies WorkerSetup });
  const load = (request: LoadRequest) =>
    new Promise<LoadResult>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage(request);
    });
  let running = true;
  const shutdown = async () => {
    if (running) await system.shutdown();
    running = false;
  };
  const startedAt = Date.now();
  console.log(`Liangxin HTTP bench: embedded system, DURABILITY=fsync, data in ${system.dataDir}, load generator in a worker thread`);
  const loadAverageAtStart = loadavg();
  console.log(`machine: ${availableParallelism()} cores, load average ${loadAverageAtStart.map((l) => l.toFixed(1)).join(' ')} at start (other work on the machine skews every figure)\n`);

  try {
    // (c) first: its registrations are the enterprises (a) and (b) change.
    await load({ operation: 'health', concurrency: CONCURRENCY, seconds: 1 }); // warm up connections and JIT
    const health = await load({ operation: 'health', concurrency: CONCURRENCY, seconds: 4 });
    const registrations = await load({ operation: 'register', concurrency: CONCURRENCY, seconds: 6 });
    describeFailures('registrations', registrations);
    const registrationsPerSecond = perSecond(registrations.completed, registrations.elapsedSeconds);
    const healthPerSecond = perSecond(health.completed, health.elapsedSeconds);
    await system.waitForReadModels(await system.eventStore.headPosition(), 60_000);

    // Each phase starts with the read models caught up, so one phase's backlog never slows the next.
    const settle = async () => system.waitForReadModels(await system.eventStore.headPosition(), 60_000);

    // (a)
    await load({ operation: 'member-then-visible', rate: 50, seconds: 1 }); // warm-up
    await settle();
    stageTimings.start();
    const fixed = await load({ operation: 'member-then-visible', rate: FIXED_RATE, seconds: FIXED_RATE_SECONDS });
    const breakdown = await stageTimings.collect();
    stageTimings.stop();
    describeFailures('fixed rate', fixed);

    // (b)
    const steps: { rate: number; achieved: number; p50: number; p99: number; readP50: number; ok: boolean }[] = [];
    for (const rate of STEP_RATES) {
      await settle();
      const step = await load({ operation: 'member-then-visible', rate, seconds: STEP_SECONDS });
      describeFailures(`${rate}/s`, step);
      const achieved = perSecond(step.completed, step.elapsedSeconds);
      const p99 = percentile(step.latenciesMs, 99);
      const ok = !step.stoppedEarly && step.failed === 0 && p99 < P99_LIMIT_MS && achieved >= rate * 0.95;
      steps.push({ rate, achieved, p50: percentile(step.latenciesMs, 50), p99, readP50: percentile(step.readMs, 50), ok });
      if (!ok) break;
    }
    const sustained = steps.filter((s) => s.ok).at(-1);

    worker.postMessage('close');
    await shutdown();

    // Raw baselines on a fresh store file with the same durability, nothing else running.
    const dir = mkdtempSync(join(tmpdir(), 'liangxin-http-bench-raw-'));
    const store = SqliteEventStore.open({ file: join(dir, 'events.sqlite'), durability: 'fsync' });
    const rawEvent = (i: number) => ({
      type: 'MemberCountChanged',
      schemaVersion: 1,
      data: { creditCode: freshCodes[i % freshCodes.length], fullMembers: 1 + (i % 50), probationaryMembers: 0, reason: 'correction', district: DISTRICT },
      metadata: { actor: 'bench', district: DISTRICT, correlationId: `raw-${i}` },
    });
    let appended = 0;
    const rawStart = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, writer) => {
        while (performance.now() - rawStart < 4_000) await store.append(`enterprise-raw-${writer}-${appended}`, [rawEvent(appended++)], { expected: 'no_stream' });
      }),
    );
    const rawAppendsPerSecond = perSecond(appended, (performance.now() - rawStart) / 1000);
    const rawLatencies: number[] = [];
    const rawFixedStart = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < FIXED_RATE * 4; i++) {
      const scheduledAt = rawFixedStart + (i * 1000) / FIXED_RATE;
      const wait = scheduledAt - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const from = Math.min(scheduledAt, performance.now());
      pending.push(store.append(`enterprise-fixed-${i}`, [rawEvent(i)], { expected: 'no_stream' }).then(() => rawLatencies.push(performance.now() - from)));
    }
    await Promise.all(pending);
    await store.close();
    rmSync(dir, { recursive: true, force: true });

    const fixedAchieved = perSecond(fixed.completed, fixed.elapsedSeconds);
    console.log('(a) command-to-visible at a fixed rate (POST member-count, then GET with X-Min-Position)');
    if (fixed.stoppedEarly) console.log(`    ! stopped early: ${MAX_IN_FLIGHT} commands were waiting, the server could not keep ${FIXED_RATE}/s`);
    console.log(`    ${FIXED_RATE}/s for ${FIXED_RATE_SECONDS} s: ${fixed.completed} commands (${fixedAchieved}/s), p50 ${ms(percentile(fixed.latenciesMs, 50))}, p99 ${ms(percentile(fixed.latenciesMs, 99))}, max ${ms(percentile(fixed.latenciesMs, 100))}`);
    console.log(`    of which the GET with X-Min-Position (waiting for the read models): p50 ${ms(percentile(fixed.readMs, 50))}, p99 ${ms(percentile(fixed.readMs, 99))}`);
    console.log(`    raw baseline, store append alone at ${FIXED_RATE}/s (fsync): p50 ${ms(percentile(rawLatencies, 50))}, p99 ${ms(percentile(rawLatencies, 99))}`);
    console.log(`    HTTP + command + projection overhead at p50: ${ms(percentile(fixed.latenciesMs, 50) - percentile(rawLatencies, 50))}`);
    console.log('    where the time goes, per stage (server side, each stage timed where it runs):');
    for (const stage of COMMAND_STAGES) {
      const d = breakdown.stages[stage];
      console.log(`      ${stage.padEnd(11)} n=${String(d.count).padStart(6)}  p50 ${ms(d.p50).padStart(9)}  p99 ${ms(d.p99).padStart(9)}  max ${ms(d.max).padStart(9)}`);
    }
    const loop = breakdown.eventLoopDelay;
    console.log(`      event-loop delay (main thread): p50 ${ms(loop.p50)}, p99 ${ms(loop.p99)}, max ${ms(loop.max)}`);
    console.log(`      GC pauses: ${breakdown.gc.count}, total ${ms(breakdown.gc.totalMs)}, p99 ${ms(breakdown.gc.p99)}, max ${ms(breakdown.gc.max)}`);

    console.log(`\n(b) highest sustained rate with p99 command-to-visible under ${P99_LIMIT_MS} ms (steps of ${STEP_SECONDS} s)`);
    for (const s of steps) console.log(`    ${String(s.rate).padStart(5)}/s → achieved ${String(s.achieved).padStart(5)}/s, p50 ${ms(s.p50).padStart(9)}, p99 ${ms(s.p99).padStart(9)} (GET part p50 ${ms(s.readP50)})  ${s.ok ? 'ok' : 'over the limit'}`);
    console.log(`    sustained: ${sustained ? `${sustained.rate}/s (${ratio(sustained.rate, rawAppendsPerSecond)} of the raw append rate at 64 writers)` : `none of the steps (the first, ${STEP_RATES[0]}/s, already missed)`}`);

    console.log(`\n(c) ${CONCURRENCY} concurrent clients, closed loop`);
    console.log(`    registrations over HTTP:         ${String(registrationsPerSecond).padStart(6)}/s (p50 ${ms(percentile(registrations.latenciesMs, 50))}, p99 ${ms(percentile(registrations.latenciesMs, 99))})`);
    console.log(`    raw store append, 64 writers:    ${String(rawAppendsPerSecond).padStart(6)}/s   → HTTP registrations are ${ratio(registrationsPerSecond, rawAppendsPerSecond)} of it`);
    console.log(`    HTTP no-op GET /health:          ${String(healthPerSecond).padStart(6)}/s   → HTTP registrations are ${ratio(registrationsPerSecond, healthPerSecond)} of it`);
    console.log(`\nTotal ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
    // BENCH_JSON=file: the same figures for tools/bench-report.js, which runs the bench several times
    if (process.env.BENCH_JSON) {
      writeFileSync(
        process.env.BENCH_JSON,
        JSON.stringify({
          loadAverageAtStart,
          loadAverageAtEnd: loadavg(),
          fixed: {
            rate: FIXED_RATE,
            achieved: fixedAchieved,
            p50: percentile(fixed.latenciesMs, 50),
            p99: percentile(fixed.latenciesMs, 99),
            max: percentile(fixed.latenciesMs, 100),
            stoppedEarly: fixed.stoppedEarly,
            failed: fixed.failed,
          },
          rawFixed: { p50: percentile(rawLatencies, 50), p99: percentile(rawLatencies, 99) },
          breakdown,
          steps,
          sustainedRate: sustained?.rate ?? 0,
          registrationsPerSecond,
          rawAppendsPerSecond,
          healthPerSecond,
        }),
      );
    }
  } finally {
    await worker.terminate();
    await shutdown();
  }
}

if (isMainThread) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  runLoadGenerator(workerData as WorkerSetup);
}
