import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { generateCreditCode } from '@liangxin/registry-domain';
import { FIVE_STANDARDS_RUBRIC, startTestSystem, type TestSystem } from './testing';

// The seeds' statistics tables over HTTP, each checked against a district built here with known facts (issue #18
// items 3–5): every expected figure is counted from the scenario below, not written down.
const D = '430111'; // 雨花区
const E = '430112'; // 望城区
const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();

type Coverage = 'org' | 'work' | 'none';
interface Planned {
  key: string;
  district: string;
  fullMembers: number;
  ownership?: string;
  park?: string;
  building?: string;
  covered: Coverage;
  workBy?: { coveredBy: 'instructor' | 'liaison'; personId: string };
}
const PLAN: Planned[] = [
  { key: 'm1', district: D, fullMembers: 3, ownership: 'foreign', park: 'stats-park', building: 'stats-tower', covered: 'org' },
  { key: 'm2', district: D, fullMembers: 3, ownership: 'foreign', building: 'stats-tower', covered: 'org' },
  { key: 'm3', district: D, fullMembers: 3, ownership: 'domestic-private', park: 'stats-park', covered: 'org' },
  { key: 'm4', district: D, fullMembers: 3, ownership: 'domestic-private', covered: 'org' },
  { key: 'z1', district: D, fullMembers: 0, ownership: 'foreign', building: 'stats-tower', covered: 'work', workBy: { coveredBy: 'liaison', personId: 'p-liaison-1' } },
  { key: 'z2', district: D, fullMembers: 0, ownership: 'domestic-private', covered: 'work', workBy: { coveredBy: 'instructor', personId: 'p-instructor-1' } },
  { key: 'z3', district: D, fullMembers: 0, covered: 'none' },
  { key: 'pu', district: D, fullMembers: 0, covered: 'org' },
  { key: 'e1', district: E, fullMembers: 3, ownership: 'foreign', covered: 'org' },
];

/** the coverage counts of a group of planned enterprises, as the tables name them */
const countsOf = (group: Planned[]) => ({
  enterprises: group.length,
  withMembers: group.filter((p) => p.fullMembers > 0).length,
  organisational: group.filter((p) => p.covered === 'org').length,
  work: group.filter((p) => p.covered === 'work').length,
  none: group.filter((p) => p.covered === 'none').length,
});

describe('statistics tables (embedded system)', () => {
  let system: TestSystem;
  let officerD = '';
  let officerE = '';
  const code: Record<string, string> = {};
  const orgOf: Record<string, string> = {};
  let publicUnitOrg = '';
  /** the moment after the first facts, and the tables then */
  let before = '';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- table bodies are JSON
  const tablesBefore: Record<string, any> = {};

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies
  const read = async (path: string, token?: string): Promise<{ status: number; body: any; headers: Headers }> =>
    system.call(path, { ...(token && { token }), headers: { 'x-min-position': String(await system.settled()) } });
  const ok = async (answer: Promise<{ status: number; body: unknown }>) => {
    const { status, body } = await answer;
    if (status >= 300) throw new Error(`${status} ${JSON.stringify(body)}`);
    return body as Record<string, unknown>;
  };
  const post = (path: string, json: unknown, method: 'POST' | 'PUT' = 'POST') => ok(system.call(path, { method, json }));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- table rows are JSON
  const rowWhere = (table: any, field: string, value: unknown) => table.rows.find((row: Record<string, unknown>) => row[field] === value);

  beforeAll(async () => {
    system = await startTestSystem();
    const issue = async (subject: string, district: string) => (await post('/api/admin/tokens', { subject, role: 'officer', districts: [district] })).token as string;
    officerD = await issue('stats-officer-d', D);
    officerE = await issue('stats-officer-e', E);
    await post('/api/evaluation/rubric', FIVE_STANDARDS_RUBRIC, 'PUT');
    let serial = 0;
    for (const p of PLAN) {
      code[p.key] = generateCreditCode(p.district, 700 + ++serial);
      await post('/api/enterprises', {
        creditCode: code[p.key],
        name: `统计企业${p.key}`,
        kind: 'enterprise',
        employees: 30,
        fullMembers: p.fullMembers,
        probationaryMembers: 0,
        ...(p.ownership && { ownership: p.ownership }),
        ...(p.park && { park: p.park }),
        ...(p.building && { building: p.building }),
      });
    }
    await system.settled();
    for (const p of PLAN.filter((p) => p.fullMembers >= 3)) orgOf[p.key] = (await read(`/api/enterprises/${code[p.key]}`)).body.orgId;
    publicUnitOrg = (await post('/api/orgs', { mode: 'building-shared', name: '区税务局党支部', district: D, enterprises: [code.pu], publicUnit: true })).orgId as string;
    for (const p of PLAN.filter((p) => p.workBy)) {
      const by = p.workBy as NonNullable<Planned['workBy']>;
      await post(`/api/enterprises/${code[p.key]}/work-coverage`, { coveredBy: by.coveredBy, assignee: { personId: by.personId, name: `人员${by.personId}` } }, 'PUT');
    }
    await post(`/api/orgs/${orgOf.m1}/instructor`, { person: { personId: 'p-instructor-1', name: '王指导员' } }, 'PUT');
    for (const key of ['m1', 'm2']) await post(`/api/orgs/${orgOf[key]}/pairings`, { publicUnitOrgId: publicUnitOrg });
    for (const [key, score] of [['m1', 95], ['m2', 75], ['m3', 40]] as const) {
      await post('/api/evaluation/assessments', { orgId: orgOf[key], district: D, year: YEAR, rubricId: FIVE_STANDARDS_RUBRIC.rubricId, scores: { 'organisation-life': score, 'role-played': score } });
    }
    // requests: r1 accepted (due next year), r2 resolved, r3 confirmed, r4 only received
    const requests: string[] = [];
    for (let i = 1; i <= 4; i++) requests.push((await post('/api/requests', { creditCode: code.m1, category: 'other', description: `统计需求${i}` })).requestId as string);
    const accept = { owner: { kind: 'service-group', id: 'group-1', name: '第一服务组' }, dueDate: `${YEAR + 1}-01-31` };
    for (const id of requests.slice(0, 3)) await post(`/api/requests/${id}/accept`, accept);
    for (const id of requests.slice(1, 3)) {
      await post(`/api/requests/${id}/start`, {});
      await post(`/api/requests/${id}/resolve`, { resolution: '已办理' });
    }
    await post(`/api/requests/${requests[2]}/confirm`, {});
    await system.settled();

    for (const table of ['formation', 'coverage?by=ownership', 'requests', 'pairings']) tablesBefore[table] = (await read(`/api/statistics/${table}${table.includes('?') ? '&' : '?'}district=${D}`)).body;
    before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // after `before`: one organisation dissolved, one more foreign enterprise, one more request
    await post(`/api/orgs/${orgOf.m4}/dissolve`, { reason: '企业迁出' });
    await post('/api/enterprises', { creditCode: generateCreditCode(D, 799), name: '统计企业后来', kind: 'enterprise', employees: 5, fullMembers: 0, probationaryMembers: 0, ownership: 'foreign' });
    await post('/api/requests', { creditCode: code.m2, category: 'other', description: '统计需求5' });
    await system.settled();
  }, 120_000);
  afterAll(async () => {
    await system?.shutdown();
  });

  it('coverage by ownership counts the district’s enterprises of each ownership, names the ownership in Chinese and the district by its GB/T 2260 name', () => {
    const table = tablesBefore['coverage?by=ownership'];
    expect(table.districts).toEqual([{ code: D, name: '雨花区', fullName: '湖南省长沙市雨花区' }]);
    const inD = PLAN.filter((p) => p.district === D);
    for (const ownership of ['foreign', 'domestic-private']) {
      const group = inD.filter((p) => p.ownership === ownership);
      const counts = countsOf(group);
      expect(rowWhere(table, 'key', ownership)).toMatchObject({ ...counts, overallRate: (counts.organisational + counts.work) / counts.enterprises });
    }
    expect(rowWhere(table, 'key', 'foreign').name).toBe('外资');
    expect(rowWhere(table, 'name', '（未填写）')).toMatchObject(countsOf(inD.filter((p) => !p.ownership)));
    expect(rowWhere(table, 'name', '合计')).toMatchObject(countsOf(inD));
  });

  it.each([
    ['park', 'park'],
    ['building', 'building'],
    ['district', 'district'],
  ] as const)('coverage by %s counts the same enterprises the plan put there', async (by, field) => {
    const table = (await read(`/api/statistics/coverage?by=${by}&district=${D}&asOf=${encodeURIComponent(before)}`)).body;
    const inD = PLAN.filter((p) => p.district === D);
    const keys = [...new Set(inD.map((p) => (field === 'district' ? p.district : p[field])).filter((k): k is string => !!k))];
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(rowWhere(table, 'key', key)).toMatchObject(countsOf(inD.filter((p) => (field === 'district' ? p.district : p[field]) === key)));
    if (by === 'district') expect(rowWhere(table, 'key', D).name).toBe('雨花区');
  });

  it('answers GET /api/coverage/ownership/foreign?district= to an officer of that district with that district’s foreign-funded enterprises only (it spans D and E)', async () => {
    const inD = PLAN.filter((p) => p.district === D && p.ownership === 'foreign');
    const asOfBefore = await read(`/api/coverage/ownership/foreign?district=${D}&asOf=${encodeURIComponent(before)}`, officerD);
    expect(asOfBefore.status).toBe(200);
    expect(asOfBefore.body).toMatchObject({ scope: 'ownership', key: 'foreign', district: D, ...countsOf(inD) });
    // one more foreign enterprise registered since, not covered
    const now = await read(`/api/coverage/ownership/foreign?district=${D}`, officerD);
    expect(now.body).toMatchObject({ enterprises: inD.length + 1, none: countsOf(inD).none + 1 });
    expect((await read(`/api/coverage/ownership/foreign?district=${D}`, officerE)).status).toBe(403);
    // without the district it would sum D and E: still refused to D's officer, naming the way out
    const whole = await read('/api/coverage/ownership/foreign', officerD);
    expect(whole.status).toBe(403);
    expect(whole.body.message).toContain('?district=');
    expect((await read('/api/coverage/ownership/foreign')).body.enterprises).toBe(PLAN.filter((p) => p.ownership === 'foreign').length + 1);
  });

  it('formation: organisations formed per mode this year as the organisations list has them, and the one dissolved after `before` counted only now', async () => {
    const orgs = (await read(`/api/orgs?district=${D}`)).body.items as { mode: string; status: string }[];
    const table = (await read(`/api/statistics/formation?district=${D}`, officerD)).body;
    for (const mode of new Set(orgs.map((o) => o.mode))) {
      expect(table.rows.find((r: Record<string, unknown>) => r.year === YEAR && r.mode === mode)).toMatchObject({ formed: orgs.filter((o) => o.mode === mode).length });
    }
    const total = table.rows.find((r: Record<string, unknown>) => r.year === YEAR && r.mode === null);
    expect(total).toMatchObject({ modeName: '合计', formed: orgs.length, dissolved: orgs.filter((o) => o.status === 'dissolved').length });
    expect(total.dissolved).toBeGreaterThanOrEqual(1);
    expect(rowWhere(table, 'mode', 'building-shared')).toMatchObject({ modeName: '楼宇共建', formed: 1 });

    const then = (await read(`/api/statistics/formation?district=${D}&asOf=${encodeURIComponent(before)}`)).body;
    expect(then.rows).toEqual(tablesBefore.formation.rows);
    expect(then.rows.find((r: Record<string, unknown>) => r.mode === null).dissolved).toBe(0);
    expect(then.asOf).toBe(before);
  });

  it('instructors and liaison cadres with their organisations and caseloads', async () => {
    const table = (await read(`/api/statistics/assignees?district=${D}`, officerD)).body;
    const instructor = rowWhere(table, 'personId', 'p-instructor-1');
    const workOf = (personId: string) => PLAN.filter((p) => p.workBy?.personId === personId).length;
    expect(instructor).toMatchObject({ name: '王指导员', orgsInstructed: 1, enterprisesInstructed: workOf('p-instructor-1'), caseload: workOf('p-instructor-1') });
    expect(rowWhere(table, 'personId', 'p-liaison-1')).toMatchObject({ role: '联络员', orgsInstructed: 0, enterprisesLiaised: workOf('p-liaison-1'), caseload: workOf('p-liaison-1') });
    expect(table.notes[0]).toContain('党建指导员 1 名，联络员 1 名');
  });

  it('pairings: the public unit with the organisations paired with it', () => {
    const table = tablesBefore.pairings;
    expect(table.rows).toEqual([{ publicUnitOrgId: publicUnitOrg, publicUnitName: '区税务局党支部', pairedOrgs: 2, pairedNames: expect.any(String) }]);
    expect(table.notes[0]).toContain('1 个机关事业单位党组织与 2 个两新党组织结对');
  });

  it('stars: the distribution and pass rate counted from each organisation’s rating', async () => {
    const ratings = await Promise.all(['m1', 'm2', 'm3'].map(async (key) => (await read(`/api/evaluation/orgs/${orgOf[key]}`)).body.latest as { stars: number; passed: boolean }));
    const table = (await read(`/api/statistics/stars?district=${D}&year=${YEAR}`)).body;
    const row = rowWhere(table, 'district', D);
    for (let stars = 1; stars <= 6; stars++) expect(row[`stars${stars}`]).toBe(ratings.filter((r) => r.stars === stars).length);
    const passed = ratings.filter((r) => r.passed).length;
    expect(row).toMatchObject({ name: '雨花区', assessed: 3, passed, passRate: Math.round((passed / 3) * 10_000) / 10_000 });
    expect(passed).toBeGreaterThan(0);
    expect(passed).toBeLessThan(3);
  });

  it('requests: received, closed, in progress, awaiting confirmation; overdue on a later as-of day; the earlier moment without the later request', async () => {
    const now = rowWhere((await read(`/api/statistics/requests?district=${D}`, officerD)).body, 'district', D);
    expect(now).toMatchObject({ received: 5, closed: 1, inProgress: 3, awaitingConfirmation: 1, overdue: 0 });
    const then = rowWhere((await read(`/api/statistics/requests?district=${D}&asOf=${encodeURIComponent(before)}`)).body, 'district', D);
    expect(then).toMatchObject({ received: 4, closed: 1, inProgress: 2, awaitingConfirmation: 1 });
    expect(then).toEqual(rowWhere(tablesBefore.requests, 'district', D));
    // two years on, the accepted request is past its due date
    const later = rowWhere((await read(`/api/statistics/requests?district=${D}&asOf=${YEAR + 2}-01-01`)).body, 'district', D);
    expect(later).toMatchObject({ received: 5, overdue: 1 });
  });

  it('targets: each district’s coverage against the policy target and deadline, and the three 100 % checks', async () => {
    const table = (await read(`/api/statistics/targets?district=${D}&asOf=${encodeURIComponent(before)}`)).body;
    const inD = countsOf(PLAN.filter((p) => p.district === D));
    const rate = Math.round(((inD.organisational + inD.work) / inD.enterprises) * 10_000) / 10_000;
    expect(rowWhere(table, 'district', D)).toMatchObject({
      name: '雨花区',
      enterprises: inD.enterprises,
      overallRate: rate,
      targetRate: 0.75,
      standing: rate >= 0.75 ? '已达标' : expect.stringContaining('未达标'),
      // z3 has no one: not every enterprise covered; every enterprise with members is in an organisation
      'work-coverage': '否',
      'members-organised': '是',
      'large-organised': '是',
      threeHundredPercent: '否',
    });
    expect(table.columns.map((c: { zh: string }) => c.zh)).toContain('两新组织党的工作覆盖率100%');
  });

  it('keeps each caller to its districts: E’s officer gets E only, and is refused D', async () => {
    expect((await read(`/api/statistics/coverage?district=${D}`, officerE)).status).toBe(403);
    const own = (await read('/api/statistics/coverage', officerE)).body;
    expect(own.districts.map((d: { code: string }) => d.code)).toEqual([E]);
    expect(own.rows).toEqual([expect.objectContaining({ key: E, ...countsOf(PLAN.filter((p) => p.district === E)) })]);
    expect((await read('/api/statistics/coverage?by=floor')).status).toBe(400);
    expect((await read('/api/statistics/coverage?unknown=1')).status).toBe(400);
  });

  it('exports a table to XLSX and CSV that parse back with Chinese headers, the district name and the as-of time, and prints it on A4', async () => {
    const path = `/api/statistics/coverage?by=ownership&district=${D}&asOf=${encodeURIComponent(before)}`;
    const xlsx = await fetch(`${system.url}${path}&format=xlsx`, { headers: { authorization: `Bearer ${officerD}` } });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-disposition')).toContain(`coverage-by-ownership_${D}_`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await xlsx.arrayBuffer()) as ExcelJS.Buffer);
    const sheet = book.worksheets[0];
    expect(sheet.getRow(2).values).toEqual([undefined, '行政区划', `${D} 雨花区`]);
    expect(sheet.getRow(3).values).toEqual([undefined, '截至时间', before]);
    expect((sheet.getRow(5).values as unknown[]).slice(1, 4)).toEqual(['投资性质', '名称', '企业数']);
    const foreignLine = (sheet.getRow(6).values as unknown[]).slice(1);
    expect(foreignLine.slice(0, 3)).toEqual(['domestic-private', '内资民营', countsOf(PLAN.filter((p) => p.district === D && p.ownership === 'domestic-private')).enterprises]);

    const csv = await fetch(`${system.url}${path}&format=csv`, { headers: { authorization: `Bearer ${officerD}` } });
    const lines = parse(Buffer.from(await csv.arrayBuffer()), { bom: true, relax_column_count: true }) as string[][];
    expect(lines[1]).toEqual(['行政区划', `${D} 雨花区`]);
    expect(lines[2]).toEqual(['截至时间', before]);
    expect(lines[4][0]).toBe('投资性质');
    expect(lines.find((l) => l[0] === 'foreign')?.slice(1, 3)).toEqual(['外资', String(PLAN.filter((p) => p.district === D && p.ownership === 'foreign').length)]);

    const html = await fetch(`${system.url}/api/statistics/targets?district=${D}&format=html`, { headers: { authorization: `Bearer ${officerD}` } });
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await html.text();
    expect(page).toContain('@page { size: A4');
    expect(page).toContain('<h1>党组织覆盖目标完成情况</h1>');
    expect(page).toContain(`${D} 雨花区`);
  });
});
