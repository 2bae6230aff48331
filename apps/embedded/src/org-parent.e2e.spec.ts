import { generateCreditCode } from '@liangxin/registry-domain';
import { startTestSystem, type TestSystem } from './testing';

// Building the organisation tree by hand over HTTP: an officer forms an industry-chain committee with no enterprises
// of its own, places two organisations (formed automatically at registration) under it, sees them roll up in
// GET /api/orgs/{id}/tree, cannot make a cycle, detaches one again, and dissolving the committee moves what is beneath it up.
const DISTRICT_A = '430104';
const DISTRICT_B = '430105';
const REASON = '纳入工程机械产业链党委管理';

interface Totals {
  organisations: number;
  enterprises: number;
  fullMembers: number;
  probationaryMembers: number;
}
interface Node {
  id: string;
  own: Totals;
  subtree: Totals;
  children: Node[];
}

describe('POST /api/orgs/{id}/parent: the organisation tree by hand (embedded system)', () => {
  let system: TestSystem;
  let officerA: string;
  let officerB: string;
  let auditor: string;
  let position = 0;
  const ids = { committee: '', first: '', second: '' };
  /** a moment when both organisations were beneath the committee */
  let placedAt = '';

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are whatever JSON the route returns
  async function call(method: 'GET' | 'POST', path: string, token: string, json?: object): Promise<{ status: number; body: any }> {
    const response = await system.call(path, { method, token, json, headers: { 'x-min-position': String(position) } });
    if (typeof response.body?.position === 'number') position = Math.max(position, response.body.position);
    return response;
  }
  const place = (orgId: string, parentOrgId: string | null, token = officerA, reason: unknown = REASON) => call('POST', `/api/orgs/${orgId}/parent`, token, { parentOrgId, reason });

  beforeAll(async () => {
    system = await startTestSystem();
    const issue = async (principal: object) => (await system.call('/api/admin/tokens', { method: 'POST', json: principal })).body.token as string;
    officerA = await issue({ subject: 'parent-officer-a', role: 'officer', districts: [DISTRICT_A] });
    officerB = await issue({ subject: 'parent-officer-b', role: 'officer', districts: [DISTRICT_B] });
    auditor = await issue({ subject: 'parent-auditor', role: 'auditor', districts: [DISTRICT_A, DISTRICT_B] });
    // two enterprises with 3+ full members: each gets its standalone branch at registration (rule 1)
    const codes = [generateCreditCode(DISTRICT_A, 11), generateCreditCode(DISTRICT_A, 12)];
    for (const [i, creditCode] of codes.entries()) {
      const created = await call('POST', '/api/enterprises', officerA, { creditCode, name: `产业链企业${i}`, kind: 'enterprise', employees: 30, fullMembers: 3 + i, probationaryMembers: 1, industryChain: 'engineering-machinery' });
      if (created.status !== 201) throw new Error(`registering ${creditCode} failed: ${created.status} ${JSON.stringify(created.body)}`);
    }
    position = await system.settled();
    [ids.first, ids.second] = await Promise.all(codes.map(async (code) => (await call('GET', `/api/enterprises/${code}`, officerA)).body.orgId as string));
    if (!ids.first || !ids.second) throw new Error('the enterprises were not organised at registration');
  });

  afterAll(async () => {
    await system.shutdown();
  });

  it('forms a committee over other organisations with no enterprises of its own, and refuses a plain branch without enterprises', async () => {
    const before = await system.settled();
    const branch = await call('POST', '/api/orgs', officerA, { mode: 'building-shared', name: '空支部', district: DISTRICT_A, enterprises: [] });
    expect(branch.status).toBe(400);
    expect(branch.body).toMatchObject({ error: 'NO_ENTERPRISES', details: [{ field: 'enterprises' }] });
    const noDistrict = await call('POST', '/api/orgs', officerA, { mode: 'industry-chain-joint', name: '无区党委', enterprises: [], level: 'primary-committee' });
    expect(noDistrict.status).toBe(400);
    expect(noDistrict.body.details).toEqual([expect.objectContaining({ field: 'district' })]);
    expect(await system.eventStore.headPosition()).toBe(before);

    const committee = await call('POST', '/api/orgs', officerA, { mode: 'industry-chain-joint', name: '工程机械产业链党委', district: DISTRICT_A, enterprises: [], level: 'primary-committee' });
    expect(committee.status).toBe(201);
    ids.committee = committee.body.orgId;
    const read = await call('GET', `/api/orgs/${ids.committee}`, officerA);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ level: 'primary-committee', enterprises: [], fullMembers: 0, parentOrgId: null });
  });

  it('places two organisations under the committee, and the tree adds them up', async () => {
    expect((await place(ids.first, ids.committee)).status).toBe(200);
    expect((await place(ids.second, ids.committee)).status).toBe(200);
    const tree = await call('GET', `/api/orgs/${ids.committee}/tree`, officerA);
    expect(tree.status).toBe(200);
    const root = tree.body as Node;
    expect(root.own).toMatchObject({ organisations: 1, enterprises: 0, fullMembers: 0, probationaryMembers: 0 });
    expect(root.subtree).toMatchObject({ organisations: 3, enterprises: 2, fullMembers: 7, probationaryMembers: 2 });
    expect(root.children.map((c) => c.id).sort()).toEqual([ids.first, ids.second].sort());
    expect(root.children.find((c) => c.id === ids.second)?.subtree).toMatchObject({ organisations: 1, enterprises: 1, fullMembers: 4, probationaryMembers: 1 });
    await system.settled();
    placedAt = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
  });

  it('refuses a cycle, bad input, other districts and auditors, appending nothing', async () => {
    const head = await system.settled();
    const cycle = await place(ids.committee, ids.first);
    expect(cycle.status).toBe(409);
    expect(cycle.body).toMatchObject({ error: 'PARENT_CYCLE', details: [{ field: 'parentOrgId' }] });
    const itself = await place(ids.first, ids.first);
    expect(itself.status).toBe(400);
    expect(itself.body.details).toEqual([expect.objectContaining({ field: 'parentOrgId' })]);
    const unknownParent = await place(ids.first, 'org-unknown');
    expect(unknownParent.status).toBe(404);
    expect(unknownParent.body.details).toEqual([expect.objectContaining({ field: 'parentOrgId' })]);
    expect((await place('org-unknown', ids.committee)).status).toBe(404);
    const again = await place(ids.first, ids.committee);
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('ALREADY_UNDER_PARENT');
    for (const [body, field] of [
      [{ reason: REASON }, 'parentOrgId'],
      [{ parentOrgId: 42, reason: REASON }, 'parentOrgId'],
      [{ parentOrgId: ids.committee }, 'reason'],
      [{ parentOrgId: ids.committee, reason: '' }, 'reason'],
    ] as const) {
      const bad = await call('POST', `/api/orgs/${ids.first}/parent`, officerA, body);
      expect(bad.status).toBe(400);
      expect(bad.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await place(ids.first, null, officerB)).status).toBe(403);
    expect((await place(ids.first, null, auditor)).status).toBe(403);
    expect(await system.eventStore.headPosition()).toBe(head);
  });

  it('detaches an organisation with parentOrgId null', async () => {
    expect((await place(ids.first, null)).status).toBe(200);
    const tree = await call('GET', `/api/orgs/${ids.committee}/tree`, officerA);
    expect((tree.body as Node).children.map((c) => c.id)).toEqual([ids.second]);
    expect((tree.body as Node).subtree).toMatchObject({ organisations: 2, enterprises: 1, fullMembers: 4 });
    expect((await call('GET', `/api/orgs/${ids.first}`, officerA)).body).toMatchObject({ parentOrgId: null });
    // an auditor asks what the tree was before the detachment: both were beneath the committee then
    const then = await call('GET', `/api/orgs/${ids.committee}/tree?asOf=${encodeURIComponent(placedAt)}`, auditor);
    expect(then.status).toBe(200);
    expect(then.body).toMatchObject({ asOf: placedAt, subtree: { organisations: 3, enterprises: 2, fullMembers: 7 } });
    expect((then.body as Node).children.map((c) => c.id).sort()).toEqual([ids.first, ids.second].sort());
    const beforeFormed = await call('GET', `/api/orgs/${ids.committee}/tree?asOf=2000-01-01`, auditor);
    expect(beforeFormed.status).toBe(404);
    expect(beforeFormed.body.details).toEqual([expect.objectContaining({ field: 'id' })]);
    expect((await call('GET', `/api/orgs/${ids.committee}/tree?asOf=yesterday`, auditor)).body.details).toEqual([expect.objectContaining({ field: 'asOf' })]);
    // detached, it is no longer beneath the committee: the committee may now go under it (a branch holds no committee, though)
    expect((await place(ids.committee, ids.first)).body.error).toBe('PARENT_LEVEL_TOO_LOW');
  });

  it('dissolving a committee moves the organisations beneath it up to its own parent, and the audit trail says why', async () => {
    const county = await call('POST', '/api/orgs', officerA, { mode: 'area-unified', name: '两新综合党委', district: DISTRICT_A, enterprises: [], level: 'primary-committee' });
    expect(county.status).toBe(201);
    expect((await place(ids.committee, county.body.orgId)).status).toBe(200);
    const dissolved = await call('POST', `/api/orgs/${ids.committee}/dissolve`, officerA, { reason: '产业链党委撤销' });
    expect(dissolved.status).toBe(200);

    // the reply's position covers the moves: a read at that position already sees them
    expect((await call('GET', `/api/orgs/${ids.second}`, officerA)).body).toMatchObject({ parentOrgId: county.body.orgId });
    const tree = (await call('GET', `/api/orgs/${county.body.orgId}/tree`, officerA)).body as Node;
    expect(tree.children.map((c) => c.id).sort()).toEqual([ids.committee, ids.second].sort());
    expect(tree.subtree).toMatchObject({ enterprises: 1, fullMembers: 4 });
    const trail = await call('GET', `/api/audit/orgs/${ids.second}`, auditor);
    expect(trail.status).toBe(200);
    const move = trail.body.items.at(-1);
    expect(move).toMatchObject({
      type: 'OrgParentChanged',
      metadata: { actor: 'system:formation' },
      data: { parentOrgId: county.body.orgId, previousParentOrgId: ids.committee, reason: 'parent-dissolved', automatic: true },
    });
    expect(move.causationChain[0]).toMatchObject({ type: 'OrgDissolved', actor: 'officer:parent-officer-a' });
  });

  it('is documented in OpenAPI', async () => {
    const docs = await system.call('/api/docs-json', { token: null });
    const post = docs.body.paths['/api/orgs/{id}/parent'].post;
    // the body's schema is generated from ChangeOrgParentDto's validators, as a component
    const schema = post.requestBody.content['application/json'].schema;
    const body = schema.$ref ? docs.body.components.schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;
    expect(body).toMatchObject({ required: expect.arrayContaining(['parentOrgId', 'reason']) });
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '404', '409']));
  });
});
