import type { NewEvent } from '@liangxin/contracts';
import { generateCreditCode } from '@liangxin/registry-domain';
import { startTestSystem, type TestSystem } from './testing';

// Issue #13 item 7: work coverage means a named person is assigned (DOMAIN.md). Logs already hold automatic work
// coverage naming nobody (assignee absent, null, [] or blank); the read side must count those as not covered, with
// the reason an officer acts on, and list them on a paged worklist.
const DISTRICT = '361100';
const OTHER_DISTRICT = '361102';
const wang = { personId: 'p-wang', name: '王指导员' };

describe('honest coverage over HTTP (embedded system)', () => {
  let system: TestSystem;
  let officerElsewhere: string;
  let officerHere: string;
  const codeOf = (serial: number) => generateCreditCode(DISTRICT, serial);

  const register = async (serial: number, fields: { fullMembers?: number; employees?: number; ownership?: string; park?: string } = {}) => {
    const { fullMembers = 0, employees = 12, ...ledger } = fields;
    const created = await system.call('/api/enterprises', {
      method: 'POST',
      json: { creditCode: codeOf(serial), name: `上饶企业${serial}有限公司`, kind: 'enterprise', employees, fullMembers, probationaryMembers: 0, ...ledger },
    });
    expect(created.status).toBe(201);
  };
  /** work coverage as the formation service recorded it before it required a person: what the log already holds */
  const legacyWorkCoverage = async (serial: number, assignee: unknown) => {
    const event = {
      type: 'WorkCoverageAssigned',
      schemaVersion: 1,
      data: { creditCode: codeOf(serial), district: DISTRICT, automatic: true, coveredBy: 'liaison', assignee, reason: 'no-party-members', mustBeOrganisationallyCovered: false, policyVersion: 'legacy' },
      metadata: { actor: 'system:formation', district: DISTRICT },
    } as unknown as NewEvent;
    await system.eventStore.append(`legacy-work-coverage-${codeOf(serial)}`, [event], { expected: 'any' });
  };
  const read = async (path: string, token?: string) => system.call(path, { headers: { 'X-Min-Position': String(await system.settled()) }, ...(token && { token }) });

  beforeAll(async () => {
    system = await startTestSystem();
    officerElsewhere = (await system.call('/api/admin/tokens', { method: 'POST', json: { subject: 'officer-elsewhere', role: 'officer', districts: [OTHER_DISTRICT] } })).body.token;
    officerHere = (await system.call('/api/admin/tokens', { method: 'POST', json: { subject: 'officer-here', role: 'officer', districts: [DISTRICT] } })).body.token;
    // six enterprises without members, one of 80 employees with a member (rule 5), one more with a member: together short of 3 full members, both wait for joint members
    for (let serial = 1; serial <= 6; serial++) await register(serial, { ownership: serial <= 2 ? 'foreign' : 'domestic-private', park: 'etdz' });
    await register(7, { fullMembers: 1, employees: 80 });
    await register(8, { fullMembers: 1 });
    await system.settled();
    await legacyWorkCoverage(2, null);
    await legacyWorkCoverage(3, []);
    await legacyWorkCoverage(4, { personId: '   ', name: '' });
    const assigned = await system.call(`/api/enterprises/${codeOf(5)}/work-coverage`, { method: 'PUT', json: { coveredBy: 'liaison', assignee: wang } });
    expect(assigned.status).toBe(200);
    await system.settled();
  });
  afterAll(async () => {
    await system.shutdown();
  });

  it('counts work coverage only where a named person is assigned; the rest is not covered, each with its reason', async () => {
    const coverage = await read(`/api/coverage?district=${DISTRICT}`);
    expect(coverage.status).toBe(200);
    expect(coverage.body).toMatchObject({
      enterprises: 8,
      withMembers: 2,
      organisational: 0,
      work: 1,
      none: 7,
      notCoveredReasons: { 'needs-assignee': 5, 'needs-organisation': 1, 'awaiting-joint-members': 1 },
      overallRate: 0.125,
      meetsTarget: false,
      uncoveredLarge: [codeOf(7)],
    });
    const covered = await read(`/api/enterprises/${codeOf(5)}`);
    expect(covered.body).toMatchObject({ coverage: 'work', notCoveredReason: null, workCoverage: { coveredBy: 'liaison', assignee: wang.personId } });
    for (const serial of [1, 2, 3, 4]) {
      const nobody = await read(`/api/enterprises/${codeOf(serial)}`);
      expect(nobody.body).toMatchObject({ coverage: 'none', notCoveredReason: 'needs-assignee' });
    }
    expect((await read(`/api/enterprises/${codeOf(7)}`)).body).toMatchObject({ coverage: 'none', notCoveredReason: 'needs-organisation', mustBeOrganisationallyCovered: true });
    expect((await read(`/api/enterprises/${codeOf(8)}`)).body).toMatchObject({ coverage: 'none', notCoveredReason: 'awaiting-joint-members' });
  });

  it('lists the worklist of a district a page at a time, with its total, every line once', async () => {
    const seen: { creditCode: string; reason: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await read(`/api/coverage/worklist?district=${DISTRICT}&limit=3${cursor ? `&cursor=${cursor}` : ''}`, officerHere);
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ district: DISTRICT, total: 7, limit: 3 });
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    const expected = [
      ...[1, 2, 3, 4, 6].map((serial) => ({ creditCode: codeOf(serial), reason: 'needs-assignee' })),
      { creditCode: codeOf(7), reason: 'needs-organisation' },
      { creditCode: codeOf(8), reason: 'awaiting-joint-members' },
    ];
    expect(seen.map(({ creditCode, reason }) => ({ creditCode, reason })).sort((a, b) => a.creditCode.localeCompare(b.creditCode))).toEqual(
      expected.sort((a, b) => a.creditCode.localeCompare(b.creditCode)),
    );
    const large = await read(`/api/coverage/worklist?district=${DISTRICT}&reason=needs-organisation`);
    expect(large.body).toMatchObject({ total: 1, nextCursor: null, items: [{ creditCode: codeOf(7), employees: 80, fullMembers: 1, name: '上饶企业7有限公司' }] });
  });

  it('keeps the worklist to the caller’s districts and refuses what it cannot answer, naming the field', async () => {
    expect((await read(`/api/coverage/worklist?district=${DISTRICT}`, officerElsewhere)).status).toBe(403);
    const cases: [string, string][] = [
      ['/api/coverage/worklist', 'district'],
      [`/api/coverage/worklist?district=${DISTRICT}&limit=0`, 'limit'],
      [`/api/coverage/worklist?district=${DISTRICT}&limit=abc`, 'limit'],
      [`/api/coverage/worklist?district=${DISTRICT}&reason=lazy`, 'reason'],
      [`/api/coverage/worklist?district=${DISTRICT}&cursor=bm90LW1pbmU`, 'cursor'],
    ];
    for (const [path, field] of cases) {
      const refused = await system.call(path);
      expect(refused.status).toBe(400);
      expect(refused.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('answers coverage by ownership (the foreign-funded enterprises) with the same field names as district and park coverage', async () => {
    const foreign = await read('/api/coverage/ownership/foreign');
    expect(foreign.status).toBe(200);
    expect(foreign.body).toMatchObject({ scope: 'ownership', key: 'foreign', enterprises: 2, work: 0, none: 2 });
    const park = await read('/api/coverage/park/etdz');
    const district = await read(`/api/coverage?district=${DISTRICT}`);
    const figures = (body: object) => Object.keys(body).filter((k) => k !== 'district').sort();
    expect(figures(foreign.body)).toEqual(figures(district.body));
    expect(figures(park.body)).toEqual(figures(district.body));
    expect((await system.call('/api/coverage/ownership/nowhere')).status).toBe(404);
  });
});
