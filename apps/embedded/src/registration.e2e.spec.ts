import { generateCreditCode } from '@liangxin/registry-domain';
import { startTestSystem, type TestSystem } from './testing';

const DISTRICT = '430104';

describe('registering an enterprise over HTTP (embedded system)', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system.shutdown();
  });

  const registration = (serial: number, overrides: Record<string, unknown> = {}) => ({
    creditCode: generateCreditCode(DISTRICT, serial),
    name: `长沙测试企业${serial}有限公司`,
    kind: 'enterprise',
    employees: 60,
    fullMembers: 4,
    probationaryMembers: 1,
    industryChain: 'engineering-machinery',
    ...overrides,
  });

  it('answers /health with 200 once the store, transport and read models are up', async () => {
    const health = await system.call('/health', { token: null });
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
  });

  it('registers, returns the position, and the read model shows it to a read with X-Min-Position', async () => {
    const body = registration(1);
    const created = await system.call('/api/enterprises', { method: 'POST', json: body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ creditCode: body.creditCode, district: DISTRICT });
    expect(created.body.position).toBeGreaterThan(0);

    const read = await system.call(`/api/enterprises/${body.creditCode}`, { headers: { 'X-Min-Position': String(created.body.position) } });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ creditCode: body.creditCode, name: body.name, district: DISTRICT, employees: 60, fullMembers: 4, probationaryMembers: 1, operatingStatus: 'normal' });
  });

  it('refuses a duplicate registration with 409 and appends nothing', async () => {
    const body = registration(2);
    expect((await system.call('/api/enterprises', { method: 'POST', json: body })).status).toBe(201);
    const head = await system.settled();
    const again = await system.call('/api/enterprises', { method: 'POST', json: body });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('ENTERPRISE_ALREADY_REGISTERED');
    expect(await system.eventStore.headPosition()).toBe(head);
  });

  it.each([
    ['malformed JSON', { body: '{"creditCode": ', headers: { 'content-type': 'application/json' } }, 'body'],
    ['a missing name', { json: registration(3, { name: undefined }) }, 'name'],
    ['a wrong check character', { json: registration(4, { creditCode: '91350100M000100Y44' }) }, 'creditCode'],
    ['negative members', { json: registration(5, { fullMembers: -1 }) }, 'fullMembers'],
    ['fractional employees', { json: registration(6, { employees: 2.5 }) }, 'employees'],
    ['an unknown field', { json: registration(7, { memberz: 3 }) }, 'memberz'],
    ['an unknown kind', { json: registration(8, { kind: 'state-owned' }) }, 'kind'],
  ])('answers 400 naming the field for %s, and appends nothing', async (_case, init, field) => {
    const head = await system.settled();
    const response = await system.call('/api/enterprises', { method: 'POST', ...init });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(response.body.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await system.eventStore.headPosition()).toBe(head);
  });

  it('answers 404 for an unknown enterprise and 400 for a malformed code in the path', async () => {
    const unknown = generateCreditCode(DISTRICT, 999);
    expect((await system.call(`/api/enterprises/${unknown}`)).status).toBe(404);
    const member = await system.call(`/api/enterprises/${unknown}/member-count`, { method: 'POST', json: { fullMembers: 1, probationaryMembers: 0, reason: 'admission' } });
    expect(member.status).toBe(404);
    const bad = await system.call('/api/enterprises/NOT-A-CODE');
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('code');
  });

  it('refuses requests without a valid token', async () => {
    expect((await system.call('/api/enterprises', { method: 'POST', json: registration(9), token: null })).status).toBe(401);
    expect((await system.call('/api/enterprises', { method: 'POST', json: registration(9), token: 'forged' })).status).toBe(401);
  });

  it('makes a retried POST with the same Idempotency-Key apply once', async () => {
    const body = registration(10);
    const first = await system.call('/api/enterprises', { method: 'POST', json: body, headers: { 'Idempotency-Key': 'k-10' } });
    const head = await system.settled();
    const retry = await system.call('/api/enterprises', { method: 'POST', json: body, headers: { 'Idempotency-Key': 'k-10' } });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.position).toBe(first.body.position);
    expect(await system.eventStore.headPosition()).toBe(head);
  });
});
