import { formationEnterpriseStreamId, orgStreamId } from '@liangxin/contracts';
import { generateCreditCode } from '@liangxin/registry-domain';
import { startTestSystem, type TestSystem } from './testing';

const DISTRICT_A = '430104';
const DISTRICT_B = '430105';

/**
 * Issue #13, formation side: every formation write is decided against the record (the enterprises' ledger districts,
 * the organisations' recorded districts), identifiers are checked at the boundary, an enterprise nobody covers is not
 * "work-covered", and a status flip no longer dissolves and re-forms a branch.
 */
describe('formation commands checked against the record (embedded system)', () => {
  let system: TestSystem;
  let officerA: string;
  let officerB: string;
  let serial = 0;

  beforeAll(async () => {
    system = await startTestSystem();
    const issue = async (subject: string, district: string) =>
      (await system.call('/api/admin/tokens', { method: 'POST', json: { subject, role: 'officer', districts: [district] } })).body.token as string;
    officerA = await issue('officer-a', DISTRICT_A);
    officerB = await issue('officer-b', DISTRICT_B);
  });
  afterAll(async () => {
    await system.shutdown();
  });

  const register = async (district: string, fullMembers: number, probationaryMembers = 0): Promise<string> => {
    const creditCode = generateCreditCode(district, 9000 + ++serial);
    const created = await system.call('/api/enterprises', {
      method: 'POST',
      json: { creditCode, name: `测试企业${serial}有限公司`, kind: 'enterprise', employees: 12, fullMembers, probationaryMembers },
    });
    expect(created.status).toBe(201);
    await system.settled();
    return creditCode;
  };
  const fields = (body: { details?: { field: string }[] }) => (body.details ?? []).map((d) => d.field);
  /** the request is refused with `status`, naming `field`, and nothing is appended to the log */
  const refused = async (request: () => Promise<{ status: number; body: { details?: { field: string }[]; error?: string } }>, status: number, field: string, error?: string) => {
    const head = await system.settled();
    const answer = await request();
    expect({ status: answer.status, fields: fields(answer.body) }).toEqual({ status, fields: expect.arrayContaining([field]) });
    if (error) expect(answer.body.error).toBe(error);
    expect(await system.eventStore.headPosition()).toBe(head);
    return answer;
  };
  const org = async (orgId: string) => (await system.call(`/api/orgs/${orgId}`, { headers: { 'X-Min-Position': String(await system.settled()) } })).body;
  /** an organisation of a public unit in district A, holding an enterprise of A without members */
  const publicUnitOrgOfA = async (name = '区税务局党支部') => {
    const formed = await system.call('/api/orgs', { method: 'POST', token: officerA, json: { mode: 'building-shared', name, district: DISTRICT_A, enterprises: [await register(DISTRICT_A, 0)], publicUnit: true } });
    expect(formed.status).toBe(201);
    return formed.body.orgId as string;
  };

  describe('item 1: tenancy decided by the enterprises’ and organisations’ recorded districts', () => {
    it('an officer of A cannot put B’s enterprise into an organisation of A, by forming one (any mode) or adding to one', async () => {
      const ofB = await register(DISTRICT_B, 0);
      const form = (token: string | undefined, mode: string) =>
        system.call('/api/orgs', { method: 'POST', ...(token && { token }), json: { mode, name: '楼宇联合党支部', district: DISTRICT_A, enterprises: [ofB], publicUnit: true } });
      for (const mode of ['building-shared', 'area-combined', 'industry-chain-joint']) await refused(() => form(officerA, mode), 403, 'enterprises[0]', 'OUTSIDE_YOUR_DISTRICTS');
      // not even an admin: an organisation holds enterprises of its own district only, whatever the mode
      await refused(() => form(undefined, 'building-shared'), 400, 'enterprises[0]', 'ENTERPRISE_IN_ANOTHER_DISTRICT');

      const orgOfA = await publicUnitOrgOfA();
      const add = (token?: string) => system.call(`/api/orgs/${orgOfA}/enterprises`, { method: 'POST', ...(token && { token }), json: { creditCode: ofB } });
      await refused(() => add(officerA), 403, 'creditCode', 'OUTSIDE_YOUR_DISTRICTS');
      await refused(() => add(), 400, 'creditCode', 'ENTERPRISE_IN_ANOTHER_DISTRICT');
      // B's officer cannot act on A's organisation either
      await refused(() => system.call(`/api/orgs/${orgOfA}/dissolve`, { method: 'POST', token: officerB, json: { reason: '撤销' } }), 403, 'orgId');
    });

    it('a formation refused for its second enterprise claims nothing: the first can still be placed elsewhere', async () => {
      const free = await register(DISTRICT_A, 0);
      const held = await register(DISTRICT_A, 0);
      const holder = await system.call('/api/orgs', { method: 'POST', token: officerA, json: { mode: 'building-shared', name: '楼宇联合党支部', district: DISTRICT_A, enterprises: [held], publicUnit: true } });
      expect(holder.status).toBe(201);
      await refused(
        () => system.call('/api/orgs', { method: 'POST', token: officerA, json: { mode: 'building-shared', name: '另一个联合党支部', district: DISTRICT_A, enterprises: [free, held], publicUnit: true } }),
        409,
        'enterprises[1]',
        'ENTERPRISE_IN_ANOTHER_ORG',
      );
      expect((await system.eventStore.readStream(formationEnterpriseStreamId(free))).filter((e) => e.type === 'EnterprisePlacementClaimed')).toEqual([]);
      const later = await system.call('/api/orgs', { method: 'POST', token: officerA, json: { mode: 'building-shared', name: '第三个联合党支部', district: DISTRICT_A, enterprises: [free], publicUnit: true } });
      expect(later.status).toBe(201);
    });

    it('an enterprise that was never registered is 404, naming the field', async () => {
      const [registered, ghost] = [await register(DISTRICT_A, 0), generateCreditCode(DISTRICT_A, 8999)];
      await refused(
        () => system.call('/api/orgs', { method: 'POST', token: officerA, json: { mode: 'building-shared', name: '楼宇党支部', district: DISTRICT_A, enterprises: [registered, ghost], publicUnit: true } }),
        404,
        'enterprises[1]',
        'ENTERPRISE_NOT_REGISTERED',
      );
    });
  });

  describe('item 8: identifiers checked at the boundary, pairings against the record', () => {
    it.each(['abc', '-1', '000000', '430000', '4301\u200b04', '4301041', ''])('never forms an organisation in district %j', async (district) => {
      await refused(
        () => system.call('/api/orgs', { method: 'POST', json: { mode: 'industry-chain-joint', name: '产业链党委', district, enterprises: [], level: 'primary-committee' } }),
        400,
        'district',
      );
    });

    it('refuses over-long or unsafe ids and names', async () => {
      const base = { mode: 'industry-chain-joint', name: '产业链党委', district: DISTRICT_A, enterprises: [], level: 'primary-committee' };
      await refused(() => system.call('/api/orgs', { method: 'POST', json: { ...base, parentOrgId: 'x'.repeat(1000) } }), 400, 'parentOrgId');
      await refused(() => system.call('/api/orgs', { method: 'POST', json: { ...base, parentOrgId: 'a b' } }), 400, 'parentOrgId');
      await refused(() => system.call('/api/orgs', { method: 'POST', json: { ...base, name: '\u200b\u200b' } }), 400, 'name');
      await refused(() => system.call(`/api/orgs/${'y'.repeat(65)}/dissolve`, { method: 'POST', json: { reason: '撤销' } }), 400, 'id');
      const orgOfA = await publicUnitOrgOfA('区法院党支部');
      await refused(() => system.call(`/api/orgs/${orgOfA}/secretary`, { method: 'PUT', json: { person: { personId: 'p'.repeat(65), name: '李书记' } } }), 400, 'person.personId');
      await refused(() => system.call(`/api/orgs/${orgOfA}/secretary`, { method: 'PUT', json: { person: [] } }), 400, 'person');
    });

    it('pairs only with an existing public unit’s organisation, once', async () => {
      const privateOrg = `standalone-${await register(DISTRICT_A, 3)}-1`;
      const publicUnit = await publicUnitOrgOfA('区财政局党支部');
      const anotherPrivateOrg = `standalone-${await register(DISTRICT_A, 4)}-1`;
      const pair = (publicUnitOrgId: string, token = officerA) => system.call(`/api/orgs/${privateOrg}/pairings`, { method: 'POST', token, json: { publicUnitOrgId } });
      await refused(() => pair('ghost-unit'), 404, 'publicUnitOrgId', 'PUBLIC_UNIT_NOT_FOUND');
      await refused(() => pair(anotherPrivateOrg), 409, 'publicUnitOrgId', 'NOT_A_PUBLIC_UNIT');
      const paired = await pair(publicUnit);
      expect(paired.status).toBe(201);
      await refused(() => pair(publicUnit), 409, 'publicUnitOrgId', 'ALREADY_PAIRED');
      expect((await org(privateOrg)).pairedWith).toEqual([{ orgId: publicUnit, name: '区财政局党支部' }]);
    });
  });

  describe('item 7: work coverage means a named person', () => {
    it('an enterprise with no members is recorded as needing someone, not as covered by nobody', async () => {
      const code = await register(DISTRICT_A, 0);
      const coverage = await system.eventStore.readStream(formationEnterpriseStreamId(code));
      expect(coverage.map((e) => e.type)).toEqual(['WorkCoverageNeeded']);
      expect(coverage[0].data).toMatchObject({ coveredBy: 'liaison', reason: 'no-party-members' });
      expect(coverage[0].data).not.toHaveProperty('assignee');
      expect((await system.call(`/api/enterprises/${code}`)).body.coverage).not.toBe('work');
    });

    it.each([
      ['missing', {}],
      ['null', { assignee: null }],
      ['an empty list', { assignee: [] }],
      ['blank', { assignee: '' }],
      ['spaces', { assignee: '   ' }],
    ])('PUT work-coverage with the assignee %s is 400 naming assignee', async (_case, assignee) => {
      const code = await register(DISTRICT_A, 0);
      await refused(() => system.call(`/api/enterprises/${code}/work-coverage`, { method: 'PUT', json: { coveredBy: 'liaison', ...assignee } }), 400, 'assignee');
    });
  });

  describe('item 6: an operating-status flip changes nothing of the organisation', () => {
    it('abnormal → normal three times keeps the one branch with its secretary; its dissolution waits for an officer after the grace period', async () => {
      const code = await register(DISTRICT_A, 4);
      const orgId = `standalone-${code}-1`;
      expect((await system.call(`/api/orgs/${orgId}/secretary`, { method: 'PUT', token: officerA, json: { person: { personId: 'p-li', name: '李书记' } } })).status).toBe(200);
      const flip = async (status: string) => {
        expect((await system.call(`/api/enterprises/${code}/operating-status`, { method: 'POST', json: { status } })).status).toBeLessThan(300);
        await system.settled();
      };
      for (let i = 0; i < 3; i++) {
        await flip('abnormal');
        await flip('normal');
      }
      const stream = await system.eventStore.readStream(orgStreamId(orgId));
      expect(stream.map((e) => e.type)).toEqual(['OrgFormed', 'SecretaryAssigned', ...Array(3).fill(['OrgDissolutionPending', 'OrgDissolutionCancelled']).flat()]);
      for (let n = 2; n <= 4; n++) expect(await system.eventStore.readStream(orgStreamId(`standalone-${code}-${n}`))).toEqual([]);
      expect(await org(orgId)).toMatchObject({ status: 'active', secretary: { personId: 'p-li' }, enterprises: [code] });

      // abnormal again: pending; an officer may not confirm inside the grace period, nor confirm what is not pending
      await flip('abnormal');
      await refused(() => system.call(`/api/orgs/${orgId}/dissolution/confirm`, { method: 'POST', token: officerA, json: {} }), 409, 'orgId', 'DISSOLUTION_IN_GRACE_PERIOD');
      await refused(() => system.call(`/api/orgs/${orgId}/dissolution/confirm`, { method: 'POST', token: officerB, json: {} }), 403, 'orgId');
      await flip('normal');
      await refused(() => system.call(`/api/orgs/${orgId}/dissolution/confirm`, { method: 'POST', token: officerA, json: {} }), 409, 'orgId', 'NO_PENDING_DISSOLUTION');
    });
  });

  describe('smaller: names follow the level; a dissolved organisation lists nobody', () => {
    it('230 members make a primary committee named …委员会, 60 a general branch named …总支部', async () => {
      const committee = await org(`standalone-${await register(DISTRICT_A, 200, 30)}-1`);
      expect(committee).toMatchObject({ level: 'primary-committee' });
      expect(committee.name).toMatch(/委员会$/);
      const general = await org(`standalone-${await register(DISTRICT_A, 50, 10)}-1`);
      expect(general).toMatchObject({ level: 'general-branch' });
      expect(general.name).toMatch(/总支部$/);
    });

    it('a dissolved organisation lists no enterprises or members', async () => {
      const orgId = `standalone-${await register(DISTRICT_A, 5)}-1`;
      expect((await system.call(`/api/orgs/${orgId}/dissolve`, { method: 'POST', token: officerA, json: { reason: '企业迁出' } })).status).toBe(200);
      expect(await org(orgId)).toMatchObject({ status: 'dissolved', enterprises: [], members: [], fullMembers: 0, probationaryMembers: 0 });
    });
  });
});
