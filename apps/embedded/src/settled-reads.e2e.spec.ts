import type { RecordedEvent } from '@liangxin/contracts';
import { generateCreditCode } from '@liangxin/registry-domain';
import { InProcessServer, openConsumerStateDatabase, SqliteCheckpointStore, SqliteDeadLetterStore } from '@liangxin/transport';
import { join } from 'node:path';
import { startTestSystem, type TestSystem } from './testing';

const DISTRICT = '430104';
/** the budget year the formation subsidy is paid from: the year in Beijing when the organisation is formed */
const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
const FORMATION_SUBSIDY_FEN = 10_000_00;

/**
 * X-Consistency: settled. A write's position covers the write only; what the services do in reaction (formation
 * forms a branch, funding pays its subsidy) is appended moments later. A settled read waits for all of it.
 */
describe('settled reads: a read after a write shows what the write caused (embedded system)', () => {
  let system: TestSystem;
  let officer: string;
  let serial = 100;

  beforeAll(async () => {
    system = await startTestSystem();
    officer = (await system.call('/api/admin/tokens', { method: 'POST', json: { subject: 'settled-officer', role: 'officer', districts: [DISTRICT] } })).body.token;
  });
  afterAll(async () => {
    await system.shutdown();
  });

  const register = async (fullMembers: number) => {
    const creditCode = generateCreditCode(DISTRICT, serial++);
    const created = await system.call('/api/enterprises', {
      method: 'POST',
      token: officer,
      json: { creditCode, name: `长沙结算企业${serial}有限公司`, kind: 'enterprise', employees: 60, fullMembers, probationaryMembers: 1 },
    });
    expect(created.status).toBe(201);
    return { creditCode, position: created.body.position as number };
  };
  const settledRead = (path: string, position: number) => system.call(path, { token: officer, headers: { 'X-Min-Position': String(position), 'X-Consistency': 'settled' } });

  it('shows an enterprise registered with 4 full members covered by its standalone branch in the read that follows the registration', async () => {
    // several officers at once, so the formation service has a queue of registrations to react to
    const registered = await Promise.all(Array.from({ length: 40 }, () => register(4)));
    const reads = await Promise.all(registered.map(({ creditCode, position }) => settledRead(`/api/enterprises/${creditCode}`, position)));
    expect(reads.map((read) => read.status)).toEqual(registered.map(() => 200));
    expect(reads.map((read) => read.body)).toEqual(registered.map(({ creditCode }) => expect.objectContaining({ creditCode, coverage: 'organisational', orgMode: 'standalone', orgId: expect.any(String) })));
    for (const [i, read] of reads.entries()) expect(Number(read.headers.get('x-settled-position'))).toBeGreaterThan(registered[i].position);
  });

  it('shows a cascade of two levels in one settled read: formation forms the branch, funding pays its formation subsidy from the budget', async () => {
    const allocated = await system.call('/api/funding/budgets', { method: 'POST', token: officer, json: { district: DISTRICT, year: YEAR, amountFen: 100 * FORMATION_SUBSIDY_FEN } });
    expect(allocated.status).toBe(201);
    // the allocation itself pays the formation subsidies refused earlier for want of a budget: settle that first
    const before = await settledRead(`/api/funding/budgets?district=${DISTRICT}&year=${YEAR}`, allocated.body.position);
    const usedBefore: number = before.body.items[0].usedFen;
    const { creditCode, position } = await register(5);

    const budgets = await settledRead(`/api/funding/budgets?district=${DISTRICT}&year=${YEAR}`, position);
    expect(budgets.status).toBe(200);
    expect(budgets.body.items).toEqual([expect.objectContaining({ usedFen: usedBefore + FORMATION_SUBSIDY_FEN, usedByItem: { formation: usedBefore + FORMATION_SUBSIDY_FEN } })]);
    const enterprise = await settledRead(`/api/enterprises/${creditCode}`, position);
    const funding = await settledRead(`/api/funding/orgs/${enterprise.body.orgId}`, position);
    expect(funding.body).toMatchObject({ grants: [expect.objectContaining({ item: 'formation', status: 'paid' })] });
  });

  it('settles while other users keep writing: it follows the cascade of its own position, not the global head', async () => {
    let writing = true;
    const others = (async () => {
      while (writing) await register(3);
    })();
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { creditCode, position } = await register(4);
      const read = await settledRead(`/api/enterprises/${creditCode}`, position);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ coverage: 'organisational', orgMode: 'standalone' });
      const settledAt = Number(read.headers.get('x-settled-position'));
      expect(settledAt).toBeGreaterThan(position);
      // what the others wrote meanwhile lies beyond: the wait stopped at the end of this registration's cascade
      expect(await system.eventStore.headPosition()).toBeGreaterThan(settledAt);
    } finally {
      writing = false;
      await others;
    }
  });

  it('answers 503 when a consumer cannot handle the events in time, and 200 once it has', async () => {
    // A consumer stuck on a registration, as a service would be behind a slow or failing event.
    const database = openConsumerStateDatabase(join(system.dataDir, 'stuck-consumer.sqlite'));
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const server = new InProcessServer({
      consumer: 'stuck',
      store: system.eventStore,
      checkpoints: new SqliteCheckpointStore({ db: database }),
      deadLetters: new SqliteDeadLetterStore({ db: database }),
      bus: system.bus,
    });
    const startedAt = await system.eventStore.headPosition();
    server.addHandler('EnterpriseRegistered', (event: RecordedEvent) => (event.globalPosition > startedAt ? stuck : Promise.resolve()), true);
    await new Promise<void>((resolve, reject) => void server.listen((error?: unknown) => (error ? reject(error) : resolve())));
    try {
      const { creditCode, position } = await register(4);
      const began = Date.now();
      const read = await settledRead(`/api/enterprises/${creditCode}`, position);
      expect(read.status).toBe(503);
      expect(read.body).toMatchObject({ details: [{ field: 'X-Consistency' }] });
      expect(read.body.message).toMatch(/stuck/);
      expect(Date.now() - began).toBeGreaterThanOrEqual(9_000);

      release();
      const again = await settledRead(`/api/enterprises/${creditCode}`, position);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ coverage: 'organisational', orgMode: 'standalone' });
    } finally {
      release();
      await server.close();
      database.close();
    }
  }, 30_000);

  it('refuses X-Consistency without X-Min-Position, or with another value, with 400 naming the header', async () => {
    const code = generateCreditCode(DISTRICT, 1);
    const alone = await system.call(`/api/enterprises/${code}`, { token: officer, headers: { 'X-Consistency': 'settled' } });
    expect(alone).toMatchObject({ status: 400, body: { details: [{ field: 'X-Min-Position' }] } });
    const other = await system.call(`/api/enterprises/${code}`, { token: officer, headers: { 'X-Min-Position': '1', 'X-Consistency': 'eventual' } });
    expect(other).toMatchObject({ status: 400, body: { details: [{ field: 'X-Consistency' }] } });
  });
});
