import { type NewEvent, orgStreamId } from '@liangxin/contracts';
import { FIVE_STANDARDS_RUBRIC, startTestSystem, type TestSystem } from './testing';

const FUNDING_CONSUMER = 'funding';

const DISTRICT = '430104';

const orgFormed = (orgId: string): NewEvent => ({
  type: 'OrgFormed',
  schemaVersion: 1,
  occurredAt: '2024-06-01T02:00:00.000Z',
  data: {
    orgId,
    district: DISTRICT,
    automatic: true,
    name: `${orgId} 党支部`,
    mode: 'standalone',
    level: 'branch',
    committeeSize: 0,
    enterprises: [{ creditCode: '91430104MA4L000001', fullMembers: 3, probationaryMembers: 0 }],
    fullMembers: 3,
    probationaryMembers: 0,
  },
  metadata: { actor: 'system:formation', district: DISTRICT },
});

const rubric = FIVE_STANDARDS_RUBRIC;

describe('funding and evaluation over HTTP, in front of the real services (embedded system)', () => {
  let system: TestSystem;
  let officer: string;
  let otherOfficer: string;
  let admin: string;
  let events: TestSystem['eventStore'];
  let bus: TestSystem['bus'];
  /** the OrgFormed of org-1: what justifies paying it */
  let formedEventId: string;

  beforeAll(async () => {
    system = await startTestSystem();
    events = system.eventStore;
    bus = system.bus;
    admin = system.adminToken;
    const issue = async (subject: string, districts: string[]) =>
      (await system.call('/api/admin/tokens', { method: 'POST', json: { subject, role: 'officer', districts } })).body.token as string;
    officer = await issue('zhang', [DISTRICT]);
    otherOfficer = await issue('li', ['430105']);
  });

  afterAll(async () => {
    await system.shutdown();
  });

  async function call(method: string, path: string, token: string, body?: object, headers: Record<string, string> = {}) {
    const response = await system.call(path, { method, token, json: body, headers });
    return { status: response.status, body: response.body as Record<string, unknown> & { position: number } };
  }
  const read = (path: string, token: string, minPosition: number) => call('GET', path, token, undefined, { 'x-min-position': String(minPosition) });

  it('allocates a budget, pays the formation subsidy by itself when an organisation is formed, and shows what is used and left', async () => {
    const allocated = await call('POST', '/api/funding/budgets', officer, { district: DISTRICT, year: 2024, amountFen: 25_000_00 });
    expect(allocated).toEqual({ status: 201, body: { position: expect.any(Number) } });

    const formed = await events.append(orgStreamId('org-1'), [orgFormed('org-1')], { expected: 'no_stream' });
    formedEventId = formed.events[0].eventId;
    await bus.waitUntilApplied(FUNDING_CONSUMER, formed.lastPosition, 5_000);
    const head = await events.headPosition();

    const org = await read('/api/funding/orgs/org-1', officer, head);
    expect(org.status).toBe(200);
    expect(org.body).toMatchObject({ orgId: 'org-1', receivedFen: 10_000_00, grants: [{ item: 'formation', status: 'paid', justifiedBy: [formed.events[0].eventId] }] });
    const budgets = await read(`/api/funding/budgets?district=${DISTRICT}&year=2024`, officer, head);
    expect(budgets.body.items).toEqual([expect.objectContaining({ district: DISTRICT, year: 2024, allocatedFen: 25_000_00, usedFen: 10_000_00, leftFen: 15_000_00 })]);
  });

  it('refuses a grant beyond what is left with 409 BUDGET_EXCEEDED, and a district outside the officer’s with 403', async () => {
    const grant = { district: DISTRICT, year: 2024, orgId: 'org-1', item: 'venue_construction', venueScale: 'large', justifiedBy: [formedEventId] };
    const refused = await call('POST', '/api/funding/grants', officer, grant);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'BUDGET_EXCEEDED', details: [{ field: 'amountFen' }] });

    expect((await call('POST', '/api/funding/grants', otherOfficer, grant)).status).toBe(403);
    expect((await call('POST', '/api/funding/budgets', officer, { district: DISTRICT, year: 2024, amountFen: 1.5 })).status).toBe(400);
  });

  it('claws back a grant named in the path, returning the money to the budget', async () => {
    const paid = await call('POST', '/api/funding/grants', officer, { district: DISTRICT, year: 2024, orgId: 'org-1', item: 'member_activity', amountFen: 500_00, justifiedBy: [formedEventId] });
    expect(paid.status).toBe(201);
    // what justifies it: the record shows the members fell (the organisation's forming would not do)
    const recount: NewEvent = {
      type: 'OrgMembersRecounted',
      schemaVersion: 1,
      data: { orgId: 'org-1', district: DISTRICT, creditCode: '91430104MA4L000001', fullMembers: 3, probationaryMembers: 0, fullMembersTotal: 3, probationaryMembersTotal: 0 },
      metadata: { actor: 'test', correlationId: 'recount-of-org-1' },
    };
    const [recounted] = (await events.append(orgStreamId('org-1'), [recount], { expected: 'any' })).events;
    const clawBack = { district: DISTRICT, year: 2024, reason: 'activity cancelled' };
    const refused = await call('POST', `/api/funding/grants/${String(paid.body['grantId'])}/claw-back`, officer, { ...clawBack, justifiedBy: [formedEventId] });
    expect(refused).toMatchObject({ status: 400, body: { error: 'JUSTIFICATION_NOT_ACCEPTED' } });
    const clawed = await call('POST', `/api/funding/grants/${String(paid.body['grantId'])}/claw-back`, officer, { ...clawBack, justifiedBy: [recounted.eventId] });
    expect(clawed.status).toBe(200);

    const org = await read('/api/funding/orgs/org-1', officer, clawed.body.position);
    expect(org.body['grants']).toEqual(expect.arrayContaining([expect.objectContaining({ grantId: paid.body['grantId'], status: 'clawed_back', clawBackReason: 'activity cancelled' })]));
  });

  it('rates an organisation against the published rubric, summarises its district and makes its secretary eligible for the post subsidy', async () => {
    expect((await call('PUT', '/api/evaluation/rubric', officer, rubric)).status).toBe(403);
    const published = await call('PUT', '/api/evaluation/rubric', admin, rubric);
    expect(published).toMatchObject({ status: 200, body: { rubricId: 'five-standards', version: 1 } });

    const assessed = await call('POST', '/api/evaluation/assessments', officer, { orgId: 'org-1', district: DISTRICT, year: 2024, rubricId: 'five-standards', scores: { 'organisation-life': 80, 'role-played': 90 } });
    expect(assessed).toMatchObject({ status: 201, body: { totalScore: 85, stars: 5, passed: true } });

    const summary = await read(`/api/evaluation/districts/${DISTRICT}?year=2024`, officer, assessed.body.position);
    expect(summary.body).toMatchObject({ assessed: 1, passed: 1, passRate: 1, distribution: { '5': 1 } });
    const org = await read('/api/evaluation/orgs/org-1', officer, assessed.body.position);
    expect(org.body['years']).toEqual([expect.objectContaining({ year: 2024, stars: 5 })]);

    await bus.waitUntilApplied(FUNDING_CONSUMER, assessed.body.position, 5_000);
    const funding = await read('/api/funding/orgs/org-1', officer, await events.headPosition());
    expect(funding.body['secretaryPostEligibleYears']).toEqual([2024]);

    const corrected = await call('POST', '/api/evaluation/assessments/corrections', otherOfficer, { orgId: 'org-1', year: 2024, rubricId: 'five-standards', scores: { 'organisation-life': 10, 'role-played': 10 }, reason: 'x' });
    expect(corrected.status).toBe(403);
  });

  it('shows an organisation with its stars and the subsidies it received, read together', async () => {
    const head = await system.settled();
    const org = await read('/api/orgs/org-1', officer, head);
    expect(org.status).toBe(200);
    expect(org.body).toMatchObject({ id: 'org-1', stars: { year: 2024, stars: 5, passed: true } });
    const funding = await read('/api/funding/orgs/org-1', officer, head);
    expect(org.body['subsidiesReceivedFen']).toBe(funding.body['receivedFen']);
    expect(org.body['subsidiesReceivedFen']).toBeGreaterThan(0);
  });

  it('audits admin actions in the event log: who issued which token (never the token itself)', async () => {
    const audit = await system.call('/api/admin/audit');
    expect(audit.status).toBe(200);
    const issued = audit.body.items.filter((i: { action: string }) => i.action === 'tokens.issue');
    expect(issued).toEqual(
      expect.arrayContaining([expect.objectContaining({ actor: 'admin:admin', details: expect.objectContaining({ subject: 'zhang', role: 'officer', districts: [DISTRICT] }) })]),
    );
    expect(JSON.stringify(audit.body)).not.toContain(officer);
    expect((await system.call('/api/admin/audit', { token: officer })).status).toBe(403);
  });
});
