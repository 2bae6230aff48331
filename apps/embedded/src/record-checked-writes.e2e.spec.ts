import { fundingBudgetStreamId, orgStreamId } from '@liangxin/contracts';
import { TokenService } from '@liangxin/gateway-api';
import { generateCreditCode } from '@liangxin/registry-domain';
import { FIVE_STANDARDS_RUBRIC, readYourWritesCaller, startTestSystem, type TestSystem } from './testing';

// Issue #13, items 2–5 and the funding half of 6: every write is decided against the record — the district of the
// organisation, instructor or enterprise as the store holds it, whether it exists and was active — never the body's word.
const A = '430104';
const B = '430105';
/** the year now in China: a budget of this year pays, a later one does not exist yet */
const THIS_YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();

describe('writes checked against the record (issue #13 items 2–6, embedded system)', () => {
  let system: TestSystem;
  let http: ReturnType<typeof readYourWritesCaller>;
  const tokens = { admin: '', officerA: '', officerB: '', auditorA: '' };
  /** an organisation of district B, formed at registration */
  let orgOfB = '';
  let orgOfA = '';

  const issue = async (principal: object) => {
    const answer = await system.call('/api/admin/tokens', { method: 'POST', json: principal });
    if (answer.status !== 201) throw new Error(`issuing a token failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.token as string;
  };
  /** registers an enterprise with 3 full members: its standalone branch is formed at once; gives the branch's id */
  const branchOf = async (district: string, serial: number, extra: object = {}) => {
    const creditCode = generateCreditCode(district, serial);
    const registered = await http.call('POST', '/api/enterprises', tokens.admin, { creditCode, name: `记录核对企业${serial}`, kind: 'enterprise', employees: 30, fullMembers: 3, probationaryMembers: 0, ...extra });
    expect(registered.status).toBe(201);
    await http.settle();
    const enterprise = await http.call('GET', `/api/enterprises/${creditCode}`, tokens.admin);
    expect(enterprise.body.orgId).toEqual(expect.any(String));
    return { creditCode, orgId: enterprise.body.orgId as string };
  };
  const formedEventOf = async (orgId: string) => (await system.eventStore.readStream(orgStreamId(orgId))).find((e) => e.type === 'OrgFormed')?.eventId as string;
  const budgetEvents = (district: string, year = THIS_YEAR) => system.eventStore.readStream(fundingBudgetStreamId(district, year));

  beforeAll(async () => {
    system = await startTestSystem();
    http = readYourWritesCaller(system);
    tokens.admin = system.adminToken;
    tokens.officerA = await issue({ subject: 'record-officer-a', role: 'officer', districts: [A] });
    tokens.officerB = await issue({ subject: 'record-officer-b', role: 'officer', districts: [B] });
    tokens.auditorA = await issue({ subject: 'record-auditor-a', role: 'auditor', districts: [A] });
    expect((await http.call('PUT', '/api/evaluation/rubric', tokens.admin, FIVE_STANDARDS_RUBRIC)).status).toBe(200);
    for (const district of [A, B]) expect((await http.call('POST', '/api/funding/budgets', tokens.admin, { district, year: THIS_YEAR, amountFen: 100_000_00 })).status).toBe(201);
    orgOfB = (await branchOf(B, 1, { park: 'park-only-in-b' })).orgId;
    orgOfA = (await branchOf(A, 1)).orgId;
  });
  afterAll(async () => {
    await system.shutdown();
  });

  describe('item 2: tenancy decided by the record, not by the body', () => {
    it("refuses an officer of A paying a grant to B's organisation from A's budget, appending nothing", async () => {
      const before = await budgetEvents(A);
      const grant = await http.call('POST', '/api/funding/grants', tokens.officerA, {
        district: A,
        year: THIS_YEAR,
        orgId: orgOfB,
        item: 'operating_funds',
        amountFen: 1_000_00,
        justifiedBy: [await formedEventOf(orgOfB)],
      });
      expect(grant.status).toBe(403);
      expect(grant.body.details).toEqual([expect.objectContaining({ field: 'orgId' })]);
      expect(await budgetEvents(A)).toEqual(before);
    });

    it("refuses an officer of A rating B's organisation, and B still rates it afterwards", async () => {
      const scores = { 'organisation-life': 90, 'role-played': 90 };
      const byA = await http.call('POST', '/api/evaluation/assessments', tokens.officerA, { orgId: orgOfB, district: A, year: THIS_YEAR, rubricId: 'five-standards', scores });
      expect(byA.status).toBe(403);
      const byB = await http.call('POST', '/api/evaluation/assessments', tokens.officerB, { orgId: orgOfB, district: B, year: THIS_YEAR, rubricId: 'five-standards', scores });
      expect(byB.status).toBe(201);
    });

    it("refuses an officer of A renaming B's instructor through a review, whether B reviewed them or assigned them", async () => {
      const reviewedByB = await http.call('POST', '/api/instructors/p-record-b/reviews', tokens.officerB, { name: '赵指导员', district: B, year: THIS_YEAR - 1, rating: 'competent' });
      expect(reviewedByB.status).toBe(201);
      const renamed = await http.call('POST', '/api/instructors/p-record-b/reviews', tokens.officerA, { name: '被改名', district: A, year: THIS_YEAR, rating: 'incompetent' });
      expect(renamed.status).toBe(403);
      const reviews = await http.call('GET', '/api/instructors/p-record-b/reviews', tokens.officerB);
      expect(reviews.body).toMatchObject({ name: '赵指导员', reviews: [expect.objectContaining({ district: B })] });

      // a liaison cadre B assigned to one of its enterprises, never reviewed yet
      const noMembers = generateCreditCode(B, 2);
      expect((await http.call('POST', '/api/enterprises', tokens.officerB, { creditCode: noMembers, name: '无党员企业', kind: 'enterprise', employees: 5, fullMembers: 0, probationaryMembers: 0 })).status).toBe(201);
      await http.settle();
      const assigned = await http.call('PUT', `/api/enterprises/${noMembers}/work-coverage`, tokens.officerB, { coveredBy: 'liaison', assignee: { personId: 'p-liaison-b', name: '钱干部' } });
      expect(assigned.status).toBe(200);
      const reviewedByA = await http.call('POST', '/api/instructors/p-liaison-b/reviews', tokens.officerA, { name: '被改名', district: A, year: THIS_YEAR, rating: 'excellent' });
      expect(reviewedByA.status).toBe(403);
    });

    it('refuses an officer of A acting on an enterprise or a request of B, checked by the services whatever the gateway lets through', async () => {
      const ofB = generateCreditCode(B, 1);
      expect((await http.call('POST', `/api/enterprises/${ofB}/employee-count`, tokens.officerA, { employees: 1 })).status).toBe(403);
      expect((await http.call('POST', '/api/requests', tokens.officerA, { creditCode: ofB, category: 'other', description: '代提需求' })).status).toBe(403);
    });
  });

  describe('item 3: coverage of an area spanning districts', () => {
    it("refuses an auditor of A the coverage of a park only in B; an admin reads it", async () => {
      const byAuditor = await http.call('GET', '/api/coverage/park/park-only-in-b', tokens.auditorA);
      expect(byAuditor.status).toBe(403);
      expect(byAuditor.body.details).toEqual([expect.objectContaining({ field: 'key' })]);
      expect((await http.call('GET', '/api/coverage/park/park-only-in-b', tokens.officerB)).status).toBe(200);
      expect((await http.call('GET', '/api/coverage/park/park-only-in-b', tokens.admin)).status).toBe(200);
    });
  });

  describe('item 4: tokens name their districts', () => {
    it.each([
      ['null districts', { subject: 'x', role: 'officer', districts: null }, 'districts'],
      ['no districts', { subject: 'x', role: 'auditor' }, 'districts'],
      ['empty districts', { subject: 'x', role: 'officer', districts: [] }, 'districts'],
      ['a malformed district', { subject: 'x', role: 'officer', districts: ['4301'] }, 'districts'],
      ['a blank subject', { subject: '   ', role: 'officer', districts: [A] }, 'subject'],
      ['an overlong subject', { subject: 'x'.repeat(101), role: 'officer', districts: [A] }, 'subject'],
      ['an enterprise without its code', { subject: 'x', role: 'enterprise' }, 'creditCode'],
    ])('refuses %s with 400 naming the field', async (_case, json, field) => {
      const answer = await system.call('/api/admin/tokens', { method: 'POST', json });
      expect(answer.status).toBe(400);
      expect(answer.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('trims the subject', async () => {
      const answer = await system.call('/api/admin/tokens', { method: 'POST', json: { subject: '  wang  ', role: 'officer', districts: [A] } });
      expect(answer.status).toBe(201);
      const audit = await system.call('/api/admin/audit');
      expect(audit.body.items[0].details).toMatchObject({ subject: 'wang' });
    });

    it('lets a token issued before districts were required see nothing, never everything', async () => {
      const legacy = new TokenService({ jwtSecret: 'e2e-secret' }).issue({ subject: 'old-officer', role: 'officer' });
      expect((await http.call('GET', `/api/coverage?district=${A}`, legacy)).status).toBe(403);
      expect((await http.call('GET', `/api/enterprises/${generateCreditCode(A, 1)}`, legacy)).status).toBe(403);
      expect((await http.call('GET', '/api/orgs', legacy)).body.items).toEqual([]);
      expect((await http.call('GET', '/api/coverage/districts', legacy)).body.items).toEqual([]);
      const grant = await http.call('POST', '/api/funding/budgets', legacy, { district: A, year: THIS_YEAR, amountFen: 1 });
      expect(grant.status).toBe(403);
    });
  });

  describe('item 5: nothing recorded that is not so', () => {
    const operatingFunds = (orgId: string, justifiedBy: string[], year = THIS_YEAR) => ({ district: A, year, orgId, item: 'operating_funds', amountFen: 1_000_00, justifiedBy });

    it('refuses a grant to a ghost organisation, for a year to come, or justified by events that do not exist or do not fit, and money stays', async () => {
      const formed = await formedEventOf(orgOfA);
      const before = await budgetEvents(A);
      const ghost = await http.call('POST', '/api/funding/grants', tokens.officerA, operatingFunds('ghost-org', [formed]));
      expect(ghost).toMatchObject({ status: 404, body: { error: 'ORG_NOT_FOUND', details: [{ field: 'orgId' }] } });
      const future = await http.call('POST', '/api/funding/grants', tokens.officerA, operatingFunds(orgOfA, [formed], 2031));
      expect(future).toMatchObject({ status: 400, body: { details: [{ field: 'year' }] } });
      const unrecorded = await http.call('POST', '/api/funding/grants', tokens.officerA, operatingFunds(orgOfA, ['no-such-event']));
      expect(unrecorded).toMatchObject({ status: 400, body: { error: 'JUSTIFYING_EVENT_NOT_FOUND', details: [{ field: 'justifiedBy' }] } });
      const wrongKind = await http.call('POST', '/api/funding/grants', tokens.officerA, { ...operatingFunds(orgOfA, [formed]), item: 'secretary_post', amountFen: undefined });
      expect(wrongKind).toMatchObject({ status: 400, body: { error: 'JUSTIFICATION_NOT_ACCEPTED' } });
      expect(await budgetEvents(A)).toEqual(before);

      const paid = await http.call('POST', '/api/funding/grants', tokens.officerA, operatingFunds(orgOfA, [formed]));
      expect(paid.status).toBe(201);
    });

    it('refuses six stars for a ghost and an assessment of a year to come', async () => {
      const scores = { 'organisation-life': 100, 'role-played': 100 };
      const ghost = await http.call('POST', '/api/evaluation/assessments', tokens.officerA, { orgId: 'ghost-org', district: A, year: THIS_YEAR, rubricId: 'five-standards', scores });
      expect(ghost).toMatchObject({ status: 404, body: { error: 'ORG_NOT_FOUND' } });
      const future = await http.call('POST', '/api/evaluation/assessments', tokens.officerA, { orgId: orgOfA, district: A, year: 2031, rubricId: 'five-standards', scores });
      expect(future).toMatchObject({ status: 400, body: { details: [{ field: 'year' }] } });
      expect(await system.eventStore.readStream('evaluation-org-ghost-org')).toEqual([]);
    });

    it('refuses the secretary post subsidy to an organisation with no secretary, even after a passed review', async () => {
      const passed = await http.call('POST', '/api/evaluation/assessments', tokens.officerA, { orgId: orgOfA, district: A, year: THIS_YEAR, rubricId: 'five-standards', scores: { 'organisation-life': 90, 'role-played': 90 } });
      expect(passed.status).toBe(201);
      await http.settle();
      const assessed = (await system.eventStore.readStream(`evaluation-org-${orgOfA}`))[0].eventId;
      const post = await http.call('POST', '/api/funding/grants', tokens.officerA, { district: A, year: THIS_YEAR, orgId: orgOfA, item: 'secretary_post', justifiedBy: [assessed] });
      expect(post).toMatchObject({ status: 409, body: { error: 'SECRETARY_NOT_ASSIGNED', details: [{ field: 'orgId' }] } });
    });
  });

  describe('item 6, funding: one formation subsidy per enterprise; refused ones paid when money comes', () => {
    it('pays one formation subsidy for an enterprise whatever branches are formed for it', async () => {
      const { creditCode, orgId } = await branchOf(A, 6);
      for (const status of ['abnormal', 'normal', 'abnormal', 'normal']) {
        expect((await http.call('POST', `/api/enterprises/${creditCode}/operating-status`, tokens.officerA, { status })).status).toBe(200);
        await http.settle();
      }
      const formationGrants = (await budgetEvents(A)).filter((e) => e.type === 'SubsidyGranted' && e.data['item'] === 'formation');
      const forEnterprise = [];
      for (const grant of formationGrants) {
        const formed = (await system.eventStore.readStream(orgStreamId(grant.data['orgId'] as string))).find((e) => e.type === 'OrgFormed');
        if ((formed?.data['enterprises'] as { creditCode: string }[]).some((e) => e.creditCode === creditCode)) forEnterprise.push(grant.data['orgId']);
      }
      expect(forEnterprise).toEqual([orgId]);
    });

    it('pays the formation subsidy refused for want of a budget once the budget is allocated', async () => {
      const district = '430111';
      const officer = await issue({ subject: 'record-officer-c', role: 'officer', districts: [district] });
      const { orgId } = await branchOf(district, 1);
      expect((await budgetEvents(district)).map((e) => [e.type, e.data['reason']])).toEqual([['SubsidyRefused', 'budget_not_allocated']]);

      const allocated = await http.call('POST', '/api/funding/budgets', officer, { district, year: THIS_YEAR, amountFen: 50_000_00 });
      expect(allocated.status).toBe(201);
      const funding = await http.call('GET', `/api/funding/orgs/${orgId}`, officer);
      expect(funding.body).toMatchObject({ orgId, grants: [expect.objectContaining({ item: 'formation', status: 'paid' })] });
    });
  });
});
