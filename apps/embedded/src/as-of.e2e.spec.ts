import { type NewEvent, orgStreamId } from '@liangxin/contracts';
import { generateCreditCode } from '@liangxin/registry-domain';
import { startTestSystem, type TestSystem } from './testing';

// Issue #13 item 13: `asOf` was silently ignored on several GET routes (a committee formed at 14:43 listed as of
// 14:40). Each route either answers as of that time or refuses `asOf` with 400 naming it; a route refuses any
// query parameter it does not read. And (smaller) organisations are listed in the natural order of their names.
const DISTRICT = '430104';

const orgFormed = (orgId: string, name: string, level = 'branch'): NewEvent =>
  ({
    type: 'OrgFormed',
    schemaVersion: 1,
    data: { orgId, district: DISTRICT, automatic: false, name, mode: 'area-combined', level, committeeSize: 0, enterprises: [], fullMembers: 0, probationaryMembers: 0 },
    metadata: { actor: 'officer:as-of-test', district: DISTRICT },
  }) as unknown as NewEvent;

describe('asOf and undeclared query parameters over HTTP (embedded system)', () => {
  let system: TestSystem;
  let before: string;
  let beforeRegistration: string;
  const code = generateCreditCode(DISTRICT, 7);
  const read = async (path: string) => system.call(path, { headers: { 'X-Min-Position': String(await system.settled()) } });
  const pause = () => new Promise((resolve) => setTimeout(resolve, 30));

  beforeAll(async () => {
    system = await startTestSystem();
    beforeRegistration = new Date(Date.now() - 1_000).toISOString();
    const registered = await system.call('/api/enterprises', {
      method: 'POST',
      json: { creditCode: code, name: '芙蓉示例科技有限公司', kind: 'enterprise', employees: 20, fullMembers: 1, probationaryMembers: 0 },
    });
    expect(registered.status).toBe(201);
    await system.eventStore.append(orgStreamId('joint-430104-2'), [orgFormed('joint-430104-2', '中共430104联合支部（第2号）')], { expected: 'no_stream' });
    await system.eventStore.append(orgStreamId('joint-430104-10'), [orgFormed('joint-430104-10', '中共430104联合支部（第10号）')], { expected: 'no_stream' });
    await system.settled();
    await pause();
    before = new Date().toISOString();
    await pause();
    // after `before`: a committee is formed and the enterprise gains members
    await system.eventStore.append(orgStreamId('committee-late'), [orgFormed('committee-late', '中共芙蓉区两新综合委员会', 'primary-committee')], { expected: 'no_stream' });
    const members = await system.call(`/api/enterprises/${code}/member-count`, { method: 'POST', json: { fullMembers: 2, probationaryMembers: 0, reason: 'admission' } });
    expect(members.status).toBeLessThan(300);
    await system.settled();
  });
  afterAll(async () => {
    await system.shutdown();
  });

  it('lists the organisations as they stood at asOf: a committee formed later is not there', async () => {
    const now = await read(`/api/orgs?district=${DISTRICT}`);
    expect(now.body.items.map((o: { id: string }) => o.id)).toContain('committee-late');
    const then = await read(`/api/orgs?district=${DISTRICT}&asOf=${encodeURIComponent(before)}`);
    expect(then.status).toBe(200);
    expect(then.body.asOf).toBe(before);
    expect(then.body.items.map((o: { id: string }) => o.id)).not.toContain('committee-late');
    expect(then.body.items.map((o: { id: string }) => o.id)).toContain('joint-430104-2');
    const activeThen = await read(`/api/orgs?district=${DISTRICT}&status=active&asOf=${encodeURIComponent(before)}`);
    expect(activeThen.body.items.map((o: { id: string }) => o.id)).not.toContain('committee-late');
  });

  it('shows an enterprise as it stood at asOf, and none before it was registered', async () => {
    const now = await read(`/api/enterprises/${code}`);
    expect(now.body).toMatchObject({ fullMembers: 2 });
    const then = await read(`/api/enterprises/${code}?asOf=${encodeURIComponent(before)}`);
    expect(then.status).toBe(200);
    expect(then.body).toMatchObject({ creditCode: code, fullMembers: 1, asOf: before });
    const earlier = await read(`/api/enterprises/${code}?asOf=${encodeURIComponent(beforeRegistration)}`);
    expect(earlier.status).toBe(404);
  });

  it('refuses asOf with 400 naming it where a route cannot answer as of a past time, and any parameter a route does not read', async () => {
    const refused: [string, string][] = [
      [`/api/evaluation/districts/${DISTRICT}?asOf=${encodeURIComponent(before)}`, 'asOf'],
      [`/api/funding/budgets?asOf=${encodeURIComponent(before)}`, 'asOf'],
      [`/api/coverage/districts?asOf=${encodeURIComponent(before)}`, 'asOf'],
      [`/api/orgs/joint-430104-2?asOf=${encodeURIComponent(before)}`, 'asOf'],
      [`/api/coverage?district=${DISTRICT}&distrcit=430105`, 'distrcit'],
      [`/api/requests/summary?district=${DISTRICT}&year=2024`, 'year'],
    ];
    for (const [path, field] of refused) {
      const answer = await read(path);
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      expect(answer.body.details.map((d: { field: string }) => d.field)).toEqual([field]);
    }
    // the parameters a route declares still work
    expect((await read(`/api/evaluation/districts/${DISTRICT}?year=2024`)).status).toBe(200);
    expect((await read(`/api/coverage?district=${DISTRICT}&asOf=${encodeURIComponent(before)}`)).status).toBe(200);
  });

  it('lists organisations in the natural order of their names: 第2号 before 第10号', async () => {
    const names = (await read(`/api/orgs?district=${DISTRICT}`)).body.items.map((o: { name: string }) => o.name) as string[];
    expect(names.indexOf('中共430104联合支部（第2号）')).toBeGreaterThanOrEqual(0);
    expect(names.indexOf('中共430104联合支部（第2号）')).toBeLessThan(names.indexOf('中共430104联合支部（第10号）'));
  });
});
