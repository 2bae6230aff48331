import { readYourWritesCaller, startTestSystem, type TestSystem } from './testing';

// The lifecycle's first step over HTTP (docs/domain.md: proposed → approved/formed): one officer proposes an
// industry-chain committee, the same officer cannot approve it, another officer of the district does and the
// organisation exists; a second proposal is rejected with its reason; the list shows how long each waited.
const DISTRICT_A = '430104';
const DISTRICT_B = '430105';
const committee = (name: string) => ({ mode: 'industry-chain-joint', name, district: DISTRICT_A, enterprises: [], level: 'primary-committee', note: '产业链企业集聚' });

describe('POST /api/org-proposals: proposing, approving and rejecting organisations (embedded system)', () => {
  let system: TestSystem;
  let call: ReturnType<typeof readYourWritesCaller>['call'];
  const tokens = { li: '', wang: '', officerB: '', auditor: '' };
  const ids = { approved: '', rejected: '' };

  beforeAll(async () => {
    system = await startTestSystem();
    call = readYourWritesCaller(system).call;
    const issue = async (principal: object) => (await system.call('/api/admin/tokens', { method: 'POST', json: principal })).body.token as string;
    tokens.li = await issue({ subject: 'li', role: 'officer', districts: [DISTRICT_A] });
    tokens.wang = await issue({ subject: 'wang', role: 'officer', districts: [DISTRICT_A] });
    tokens.officerB = await issue({ subject: 'officer-b', role: 'officer', districts: [DISTRICT_B] });
    tokens.auditor = await issue({ subject: 'proposal-auditor', role: 'auditor', districts: [DISTRICT_A, DISTRICT_B] });
  });

  afterAll(async () => {
    await system.shutdown();
  });

  it('records a proposal without forming anything, and lists it as pending', async () => {
    const proposed = await call('POST', '/api/org-proposals', tokens.li, committee('工程机械产业链党委'));
    expect(proposed).toMatchObject({ status: 201, body: { orgId: expect.any(String), position: expect.any(Number) } });
    ids.approved = proposed.body.orgId;
    expect((await call('GET', `/api/orgs/${ids.approved}`, tokens.li)).status).toBe(404);
    const list = await call('GET', `/api/org-proposals?district=${DISTRICT_A}`, tokens.auditor);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ district: DISTRICT_A, pending: 1, items: [{ orgId: ids.approved, status: 'pending', proposedBy: 'officer:li', note: '产业链企业集聚', daysToDecision: null }] });
    // its audit trail already holds the proposal, for its district only
    const trail = await call('GET', `/api/audit/orgs/${ids.approved}`, tokens.wang);
    expect(trail.body.items).toEqual([expect.objectContaining({ type: 'OrgProposed', metadata: expect.objectContaining({ actor: 'officer:li' }) })]);
    expect((await call('GET', `/api/audit/orgs/${ids.approved}`, tokens.officerB)).status).toBe(403);
  });

  it('refuses the approval by the proposer and by an officer of another district, appending nothing', async () => {
    const head = await system.settled();
    const self = await call('POST', `/api/org-proposals/${ids.approved}/approve`, tokens.li, {});
    expect(self.status).toBe(403);
    expect(self.body).toMatchObject({ error: 'APPROVER_IS_PROPOSER', details: [{ field: 'orgId' }] });
    expect((await call('POST', `/api/org-proposals/${ids.approved}/approve`, tokens.officerB, {})).status).toBe(403);
    expect((await call('POST', `/api/org-proposals/${ids.approved}/approve`, tokens.auditor, {})).status).toBe(403);
    expect(await system.eventStore.headPosition()).toBe(head);
  });

  it('forms the organisation when another officer approves, and shows who decided and after how many days', async () => {
    const approved = await call('POST', `/api/org-proposals/${ids.approved}/approve`, tokens.wang, { note: '同意' });
    expect(approved.status).toBe(200);
    const org = await call('GET', `/api/orgs/${ids.approved}`, tokens.li);
    expect(org.status).toBe(200);
    expect(org.body).toMatchObject({ name: '工程机械产业链党委', level: 'primary-committee', status: 'active' });
    expect((await call('GET', `/api/org-proposals/${ids.approved}`, tokens.li)).body).toMatchObject({ status: 'approved', decidedBy: 'officer:wang', daysToDecision: 0 });
    const again = await call('POST', `/api/org-proposals/${ids.approved}/approve`, tokens.wang, {});
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('ORG_ALREADY_EXISTS');
  });

  it('rejects a proposal with its reason; a rejection needs one, and a rejected proposal cannot be approved', async () => {
    const proposed = await call('POST', '/api/org-proposals', tokens.li, committee('新材料产业链党委'));
    ids.rejected = proposed.body.orgId;
    const noReason = await call('POST', `/api/org-proposals/${ids.rejected}/reject`, tokens.wang, {});
    expect(noReason.status).toBe(400);
    expect(new Set(noReason.body.details.map((d: { field: string }) => d.field))).toEqual(new Set(['reason']));
    expect(noReason.body.details).toContainEqual({ field: 'reason', reason: 'say why the proposal is rejected' });
    expect((await call('POST', `/api/org-proposals/${ids.rejected}/reject`, tokens.wang, { reason: '该产业链企业不足' })).status).toBe(200);
    expect((await call('POST', `/api/org-proposals/${ids.rejected}/approve`, tokens.wang, {})).body.error).toBe('PROPOSAL_REJECTED');
    const rejected = await call('GET', `/api/org-proposals?district=${DISTRICT_A}&status=rejected`, tokens.wang);
    expect(rejected.body.items).toEqual([expect.objectContaining({ orgId: ids.rejected, status: 'rejected', rejectionReason: '该产业链企业不足', decidedBy: 'officer:wang' })]);
    expect((await call('GET', `/api/org-proposals?district=${DISTRICT_A}`, tokens.wang)).body.pending).toBe(0);
  });

  it('refuses bad input with the field and reason, appending nothing', async () => {
    const head = await system.settled();
    const badMode = await call('POST', '/api/org-proposals', tokens.li, { ...committee('x'), mode: 'nonsense' });
    expect(badMode.status).toBe(400);
    expect(badMode.body.details.map((d: { field: string }) => d.field)).toContain('mode');
    const branchWithout = await call('POST', '/api/org-proposals', tokens.li, { ...committee('空支部'), level: undefined, mode: 'building-shared' });
    expect(branchWithout.status).toBe(400);
    expect(branchWithout.body).toMatchObject({ error: 'NO_ENTERPRISES', details: [{ field: 'enterprises' }] });
    expect((await call('GET', `/api/org-proposals?district=${DISTRICT_A}&status=maybe`, tokens.li)).status).toBe(400);
    expect(await system.eventStore.headPosition()).toBe(head);
  });

  it('is documented in OpenAPI', async () => {
    const docs = await system.call('/api/docs-json', { token: null });
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/api/org-proposals', '/api/org-proposals/{id}/approve', '/api/org-proposals/{id}/reject', '/api/org-proposals/{id}']));
    expect(docs.body.paths['/api/org-proposals/{id}/reject'].post.requestBody.content['application/json'].schema).toBeDefined();
  });
});
