import { DEFAULT_FORMATION_POLICY } from '@liangxin/formation-domain';
import { generateCreditCode } from '@liangxin/registry-domain';
import { startTestSystem, type TestSystem } from './testing';

const DISTRICT = '430104';
const OTHER_DISTRICT = '430105';
const LIMIT = DEFAULT_FORMATION_POLICY.maxWorkCoverageCaseload;
const wang = { personId: 'p-wang', name: '王指导员' };
const li = { personId: 'p-li', name: '李挂点干部' };

describe('work coverage over HTTP (embedded system): officers assign who covers an enterprise, within an honest caseload', () => {
  let system: TestSystem;
  let officerOfOtherDistrict: string;
  beforeAll(async () => {
    system = await startTestSystem();
    const issued = await system.call('/api/admin/tokens', { method: 'POST', json: { subject: 'officer-b', role: 'officer', districts: [OTHER_DISTRICT] } });
    officerOfOtherDistrict = issued.body.token;
  });
  afterAll(async () => {
    await system.shutdown();
  });

  const codeOf = (serial: number) => generateCreditCode(DISTRICT, serial);
  const register = async (serial: number, fullMembers = 0) => {
    const created = await system.call('/api/enterprises', {
      method: 'POST',
      json: { creditCode: codeOf(serial), name: `长沙无党员企业${serial}有限公司`, kind: 'enterprise', employees: 12, fullMembers, probationaryMembers: 0 },
    });
    expect(created.status).toBe(201);
  };
  const assign = (serial: number, assignee: { personId: string; name: string }, extra: object = {}, token?: string) =>
    system.call(`/api/enterprises/${codeOf(serial)}/work-coverage`, { method: 'PUT', json: { coveredBy: 'instructor', assignee, ...extra }, ...(token && { token }) });
  const caseload = async (personId: string) => {
    const answer = await system.call(`/api/instructors/${personId}/caseload`, { headers: { 'X-Min-Position': String(await system.settled()) } });
    expect(answer.status).toBe(200);
    return answer.body as { personId: string; caseload: number; items: { creditCode: string; coveredBy: string; coverageReason: string }[] };
  };

  it('covers an enterprise with no members by work, names its instructor, refuses one past the caseload limit, and frees the caseload once it forms a branch', async () => {
    await register(1);
    await system.settled();
    const before = await system.call(`/api/enterprises/${codeOf(1)}`);
    // nobody named yet: not covered (DOMAIN.md: work coverage means a named person is assigned)
    expect(before.body).toMatchObject({ coverage: 'none', notCoveredReason: 'needs-assignee', coverageReason: 'no-party-members' });

    // another district's officer may not assign here; nothing is appended
    const head = await system.settled();
    const outside = await assign(1, wang, {}, officerOfOtherDistrict);
    expect(outside.status).toBe(403);
    expect(await system.eventStore.headPosition()).toBe(head);

    const assigned = await assign(1, wang, { reason: '挂点联系企业' });
    expect(assigned.status).toBe(200);
    expect(assigned.body.position).toBeGreaterThan(head);
    const after = await system.call(`/api/enterprises/${codeOf(1)}`, { headers: { 'X-Min-Position': String(assigned.body.position) } });
    expect(after.body).toMatchObject({ coverage: 'work', coverageReason: 'no-party-members', workCoverage: { coveredBy: 'instructor', assignee: wang.personId } });

    // fill the caseload to the policy's limit, then one more
    for (let serial = 2; serial <= LIMIT + 1; serial++) await register(serial);
    await system.settled();
    for (let serial = 2; serial <= LIMIT; serial++) expect((await assign(serial, wang)).status).toBe(200);
    expect((await caseload(wang.personId)).caseload).toBe(LIMIT);
    const full = await system.settled();
    const refused = await assign(LIMIT + 1, wang);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('CASELOAD_EXCEEDED');
    expect(refused.body.details.map((d: { field: string }) => d.field)).toContain('assignee');
    expect(refused.body.message).toContain(`already gives work coverage to ${LIMIT} enterprises`);
    expect(await system.eventStore.headPosition()).toBe(full);

    // three full members: the enterprise forms its own branch, and its instructor's caseload drops by one
    const members = await system.call(`/api/enterprises/${codeOf(1)}/member-count`, { method: 'POST', json: { fullMembers: 3, probationaryMembers: 0, reason: 'admission' } });
    expect(members.status).toBeLessThan(300);
    await system.settled();
    const organised = await system.call(`/api/enterprises/${codeOf(1)}`);
    expect(organised.body).toMatchObject({ coverage: 'organisational', orgMode: 'standalone', workCoverage: null });
    const dropped = await caseload(wang.personId);
    expect(dropped.caseload).toBe(LIMIT - 1);
    expect(dropped.items.map((i) => i.creditCode)).not.toContain(codeOf(1));
    expect((await assign(LIMIT + 1, wang)).status).toBe(200);
    expect((await caseload(wang.personId)).caseload).toBe(LIMIT);

    // organisationally covered now: its instructor is assigned on the organisation instead
    const covered = await assign(1, li);
    expect(covered.status).toBe(409);
    expect(covered.body.error).toBe('ENTERPRISE_ORGANISATIONALLY_COVERED');
  });

  it('replaces the person covering an enterprise, moving it from one caseload to the other', async () => {
    const serial = 100;
    await register(serial);
    await system.settled();
    expect((await assign(serial, li, { coveredBy: 'liaison' })).status).toBe(200);
    expect((await caseload(li.personId)).items).toEqual([expect.objectContaining({ creditCode: codeOf(serial), coveredBy: 'liaison', coverageReason: 'no-party-members' })]);
    const replacement = { personId: 'p-zhao', name: '赵干部' };
    expect((await assign(serial, replacement, { coveredBy: 'liaison', reason: '人员调整' })).status).toBe(200);
    expect((await caseload(li.personId)).caseload).toBe(0);
    expect((await caseload(replacement.personId)).caseload).toBe(1);
    const unknown = await system.call(`/api/enterprises/${generateCreditCode(DISTRICT, 999)}/work-coverage`, { method: 'PUT', json: { coveredBy: 'liaison', assignee: li } });
    expect(unknown.status).toBe(404);
    const malformed = await system.call(`/api/enterprises/${codeOf(serial)}/work-coverage`, { method: 'PUT', json: { coveredBy: 'mentor', assignee: { personId: '' } } });
    expect(malformed.status).toBe(400);
  });
});
