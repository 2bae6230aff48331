// Throughput of each service in the distributed mode as deployed: a private PostgreSQL, a three-node NATS cluster (R3
// streams), each app its own process (npm run start:<app>), one instance each, driven over HTTP through the gateway
// by closed-loop clients. Beside it, in the same run, the PostgreSQL event store appending the same number of events
// directly (no HTTP, no NATS, no service) with as many concurrent writers: the ratio is what the path adds.
// Run: npm run bench:cluster   (about two minutes; BENCH_SCALE=0.3 for a quick look, BENCH_CLIENTS=16)
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { Client } from 'pg';
import type { NewEvent } from '@liangxin/contracts';
import { PostgresEventStore } from '@liangxin/event-store';
import { generateCreditCode } from '@liangxin/registry-domain';
import { startDeployment } from '../apps/embedded/src/cluster-testing';

const scale = Number(process.env['BENCH_SCALE'] ?? 1);
const durationMs = Math.max(1_000, Math.round(8_000 * scale));
const CLIENTS = Number(process.env['BENCH_CLIENTS'] ?? 16);
const DISTRICTS = ['430102', '430103', '430104', '430105', '430111', '430112'];
const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** `clients` callers each run `once` back to back for the duration; completed per second and how many failed. */
const closedLoop = async (clients: number, once: (client: number, i: number) => Promise<boolean>): Promise<{ perSecond: number; failed: number }> => {
  const deadline = Date.now() + durationMs;
  let done = 0;
  let failed = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; Date.now() < deadline; i++) {
        if (await once(c, i)) done += 1;
        else failed += 1;
      }
    }),
  );
  return { perSecond: Math.round(done / (Number(process.hrtime.bigint() - start) / 1e9)), failed };
};

const main = async () => {
  console.log(`cluster bench: ${CLIENTS} closed-loop clients, ${durationMs} ms per measurement; load average at start ${load()}`);
  const started = Date.now();
  const deployment = await startDeployment({ natsNodes: 3, formations: 1, gateways: 1 });
  console.log(`  deployment up in ${Date.now() - started} ms (PostgreSQL, 3 NATS nodes, 6 app processes)`);
  const gateway = deployment.gateways[0];
  const post = async (path: string, token: string, body: object) => {
    const response = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  try {
    const officer = (await post('/api/admin/tokens', deployment.adminToken, { subject: 'bench-officer', role: 'officer', districts: DISTRICTS })).body['token'] as string;
    let serial = 0;
    const register = (fullMembers: number) => async () => {
      const creditCode = generateCreditCode(DISTRICTS[serial % DISTRICTS.length], 100_000 + ++serial);
      return (await post('/api/enterprises', officer, { creditCode, name: `压测企业${serial}`, kind: 'enterprise', employees: 10, fullMembers, probationaryMembers: 0 })).status === 201;
    };
    const results: Record<string, { perSecond: number; failed: number }> = {};

    console.log(`\n  load average ${load()}`);
    results['registry: registrations (no members: no reaction)'] = await closedLoop(CLIENTS, register(0));
    const registered: string[] = [];
    for (let i = 0; i < 40; i++) {
      const creditCode = generateCreditCode('430102', 900_000 + i);
      if ((await post('/api/enterprises', officer, { creditCode, name: `压测需求企业${i}`, kind: 'enterprise', employees: 10, fullMembers: 0, probationaryMembers: 0 })).status === 201) registered.push(creditCode);
    }
    results['requests: service requests submitted'] = await closedLoop(CLIENTS, async (c, i) => {
      const creditCode = registered[(c * 7 + i) % registered.length];
      return (await post('/api/requests', officer, { creditCode, category: 'hiring', description: '压测服务需求' })).status === 201;
    });
    results['funding: budget allocations (one stream per district)'] = await closedLoop(CLIENTS, async (c) => {
      return (await post('/api/funding/budgets', officer, { district: DISTRICTS[c % DISTRICTS.length], year: YEAR, amountFen: 100 })).status === 201;
    });

    // formation reacts to registrations with 3 full members (a standalone branch each): time until all are formed
    const db = new Client({ connectionString: deployment.databaseUrl });
    await db.connect();
    const formedCount = async () => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE type = 'OrgFormed'")).rows[0].n);
    const formedBefore = await formedCount();
    const reactionStart = process.hrtime.bigint();
    const withMembers = await closedLoop(CLIENTS, register(3));
    const expected = formedBefore + Math.round((withMembers.perSecond * durationMs) / 1000);
    let formed = await formedCount();
    for (let waited = 0; formed < expected * 0.98 && waited < 120_000; waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      formed = await formedCount();
    }
    const reactionSeconds = Number(process.hrtime.bigint() - reactionStart) / 1e9;
    results['registry: registrations with 3 members'] = withMembers;
    results['formation: branches formed in reaction (OrgFormed/s, end to end)'] = { perSecond: Math.round((formed - formedBefore) / reactionSeconds), failed: 0 };
    await db.end();

    // the baseline: the store alone, same writers, one event per append, in the deployment's own database
    const store = await PostgresEventStore.connect({ connectionString: deployment.databaseUrl });
    const tag = randomUUID().slice(0, 8);
    const event = (i: number): NewEvent => ({ type: 'BenchEvent', schemaVersion: 1, data: { i, creditCode: '91430102MA4L000011', district: '430102' }, metadata: { actor: 'bench' } });
    results['baseline: PostgresEventStore.append direct'] = await closedLoop(CLIENTS, async (c, i) => {
      await store.append(`bench-${tag}-${c}`, [event(i)], { expected: i === 0 ? 'no_stream' : i - 1 });
      return true;
    });
    await store.close();

    const baseline = results['baseline: PostgresEventStore.append direct'].perSecond;
    console.log(`\n  ${'what'.padEnd(66)} ${'per s'.padStart(7)}  failed  ratio to the store alone`);
    for (const [what, { perSecond, failed }] of Object.entries(results)) {
      console.log(`  ${what.padEnd(66)} ${String(perSecond).padStart(7)}  ${String(failed).padStart(6)}  ${(perSecond / baseline).toFixed(2)}`);
    }
    console.log(`\n  load average at the end ${load()}`);
  } finally {
    await deployment.stop();
  }
};

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
