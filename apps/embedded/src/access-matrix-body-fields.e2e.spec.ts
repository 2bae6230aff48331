import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jwt from 'jsonwebtoken';
import { generateCreditCode } from '@liangxin/registry-domain';
import { FIVE_STANDARDS_RUBRIC, startTestSystem, type TestSystem } from './testing';

// The access matrix's body-field cells (issue 13 items 1, 2, 4; issue 14 item 2). The path says one district,
// the body names another district's enterprise, organisation, instructor or budget: each write must be refused
// with nothing appended. And tokens whose districts are missing, null or empty must act and read nowhere.
// ACCESS_MATRIX_REPORT_DIR=<folder> gets the cell and leak counts for docs/reliability.md.
const DISTRICT_A = '430104';
const DISTRICT_B = '430105';
const JWT_SECRET = 'e2e-secret';

const OWN = generateCreditCode(DISTRICT_A, 1);
const IN_B = generateCreditCode(DISTRICT_B, 1);
const INSTRUCTOR_B = 'matrix-instructor-b';
const YEAR = 2025;

interface Cell {
  /** what the cell tries, e.g. "grant: A's budget pays B's organisation" */
  name: string;
  route: string;
  method: 'POST' | 'PUT' | 'GET';
  path: () => string;
  json?: () => unknown;
  /** the caller's token, by name */
  caller: string;
}

type Outcome = 'refused' | 'leak: accepted' | 'leak: appended on refusal' | 'refused by validation, not by the rule';

/** Leaks still open: none since the tenancy fixes merged. A cell named here must still leak, or the last test fails. */
const KNOWN_OPEN_FINDINGS: { route: string; cell: string; answer: Outcome; issue: string }[] = [];

const isKnown = (result: { route: string; name: string; outcome: Outcome }) =>
  KNOWN_OPEN_FINDINGS.some((known) => known.route === result.route && known.cell === result.name && known.answer === result.outcome);

describe('access matrix: body fields naming another district, and tokens without districts (embedded system)', () => {
  let system: TestSystem;
  const tokens: Record<string, string | null> = {};
  const ids = { orgA: '', orgB: '', grantB: '' };
  /** per token without districts, a committee of A of its own: a leaked dissolution must not decide the next cell */
  const committeeOf: Record<string, string> = {};
  const results: { route: string; name: string; caller: string; status: number; outcome: Outcome; answer: string }[] = [];

  const sign = (claims: Record<string, unknown>, subject = 'matrix-officer') => jwt.sign(claims, JWT_SECRET, { algorithm: 'HS256', subject, expiresIn: 3600, issuer: 'liangxin' });

  beforeAll(async () => {
    system = await startTestSystem({ JWT_SECRET });
    const issue = async (principal: object) => {
      const answer = await system.call('/api/admin/tokens', { method: 'POST', json: principal });
      if (answer.status !== 201) throw new Error(`issuing ${JSON.stringify(principal)}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.token as string;
    };
    tokens.officerA = await issue({ subject: 'matrix-officer-a', role: 'officer', districts: [DISTRICT_A] });
    // Tokens as a careless issuer (or an older gateway) could have signed them: the gateway must not read them as "every district".
    tokens['officer, districts missing'] = sign({ role: 'officer' });
    tokens['officer, districts null'] = sign({ role: 'officer', districts: null });
    tokens['officer, districts empty'] = sign({ role: 'officer', districts: [] });
    tokens['auditor, districts empty'] = sign({ role: 'auditor', districts: [] });

    for (const [code, district] of [[OWN, DISTRICT_A], [IN_B, DISTRICT_B]]) {
      const registered = await system.call('/api/enterprises', { method: 'POST', json: { creditCode: code, name: `矩阵企业${district}`, kind: 'enterprise', employees: 60, fullMembers: 4, probationaryMembers: 0 } });
      if (registered.status !== 201) throw new Error(`registering ${code}: ${registered.status}`);
    }
    await system.call('/api/evaluation/rubric', { method: 'PUT', json: FIVE_STANDARDS_RUBRIC });
    for (const district of [DISTRICT_A, DISTRICT_B]) await system.call('/api/funding/budgets', { method: 'POST', json: { district, year: YEAR, amountFen: 100_000_000 } });
    await system.call(`/api/instructors/${INSTRUCTOR_B}/reviews`, { method: 'POST', json: { name: '乙区指导员', district: DISTRICT_B, year: YEAR - 1, rating: 'competent' } });
    const head = await system.settled();
    const orgs = (await system.call('/api/orgs', { headers: { 'x-min-position': String(head) } })).body.items as { id: string; district: string }[];
    ids.orgA = orgs.find((org) => org.district === DISTRICT_A)?.id ?? '';
    ids.orgB = orgs.find((org) => org.district === DISTRICT_B)?.id ?? '';
    if (!ids.orgA || !ids.orgB) throw new Error(`expected an organisation in each district: ${JSON.stringify(orgs)}`);
    for (const caller of NO_DISTRICT_CALLERS) {
      const formed = await system.call('/api/orgs', { method: 'POST', json: { mode: 'industry-chain-joint', name: `矩阵委员会${Object.keys(committeeOf).length}`, district: DISTRICT_A, enterprises: [], level: 'primary-committee' } });
      if (formed.status !== 201) throw new Error(`forming a committee: ${formed.status} ${JSON.stringify(formed.body)}`);
      committeeOf[caller] = formed.body.orgId as string;
    }
    // A grant in B for the claw-back cell (paid by the admin, for the record to exist).
    const grant = await system.call('/api/funding/grants', { method: 'POST', json: { district: DISTRICT_B, year: YEAR, orgId: ids.orgB, item: 'member_activity', amountFen: 10_000, justifiedBy: ['matrix-plan-1'] } });
    ids.grantB = grant.status === 201 ? (grant.body.grantId as string) : 'matrix-grant-b';
    await system.settled();
  });
  afterAll(async () => {
    if (process.env.ACCESS_MATRIX_REPORT_DIR) {
      const leaks = results.filter((r) => r.outcome.startsWith('leak'));
      mkdirSync(process.env.ACCESS_MATRIX_REPORT_DIR, { recursive: true });
      writeFileSync(join(process.env.ACCESS_MATRIX_REPORT_DIR, 'body-fields.json'), JSON.stringify({ suite: 'body fields and token districts', cells: results.length, leaks: leaks.length, knownOpen: leaks.filter(isKnown).length, unexpected: leaks.filter((r) => !isKnown(r)).length, leaked: leaks.map(({ route, name, status, outcome }) => ({ route, name, status, outcome, issue: KNOWN_OPEN_FINDINGS.find((k) => k.route === route && k.cell === name && k.answer === outcome)?.issue })) }, null, 2));
    }
    await system?.shutdown();
  });

  /** officer of A: the path is A's (or none), the body names B's record */
  const BODY_FIELD_CELLS: Cell[] = [
    { name: "form: A's building-shared organisation with B's enterprise", route: 'POST /api/orgs', method: 'POST', path: () => '/api/orgs', json: () => ({ mode: 'building-shared', name: '矩阵楼宇联合党支部', district: DISTRICT_A, enterprises: [IN_B], publicUnit: true }) },
    { name: "form: A's standalone organisation for B's enterprise", route: 'POST /api/orgs', method: 'POST', path: () => '/api/orgs', json: () => ({ mode: 'standalone', name: '矩阵单独党支部', district: DISTRICT_A, enterprises: [IN_B] }) },
    { name: "form: A's joint organisation with one enterprise of each district", route: 'POST /api/orgs', method: 'POST', path: () => '/api/orgs', json: () => ({ mode: 'joint', name: '矩阵联合党支部', district: DISTRICT_A, enterprises: [OWN, IN_B] }) },
    { name: "form: an organisation in A placed under B's organisation", route: 'POST /api/orgs', method: 'POST', path: () => '/api/orgs', json: () => ({ mode: 'industry-chain-joint', name: '矩阵产业链党委', district: DISTRICT_A, enterprises: [], level: 'primary-committee', parentOrgId: ids.orgB }) },
    { name: "propose: A's organisation with B's enterprise", route: 'POST /api/org-proposals', method: 'POST', path: () => '/api/org-proposals', json: () => ({ mode: 'building-shared', name: '矩阵申请党支部', district: DISTRICT_A, enterprises: [IN_B], publicUnit: true }) },
    { name: "add B's enterprise to A's organisation", route: 'POST /api/orgs/{id}/enterprises', method: 'POST', path: () => `/api/orgs/${ids.orgA}/enterprises`, json: () => ({ creditCode: IN_B }) },
    { name: "merge A's organisation into B's", route: 'POST /api/orgs/{id}/merge', method: 'POST', path: () => `/api/orgs/${ids.orgA}/merge`, json: () => ({ intoOrgId: ids.orgB, reason: '矩阵合并' }) },
    { name: "place A's organisation under B's", route: 'POST /api/orgs/{id}/parent', method: 'POST', path: () => `/api/orgs/${ids.orgA}/parent`, json: () => ({ parentOrgId: ids.orgB, reason: '矩阵调整隶属' }) },
    { name: "pair A's organisation with B's as the public unit", route: 'POST /api/orgs/{id}/pairings', method: 'POST', path: () => `/api/orgs/${ids.orgA}/pairings`, json: () => ({ publicUnitOrgId: ids.orgB, publicUnitName: '乙区机关党组织' }) },
    { name: "review B's instructor as district A (renaming them)", route: 'POST /api/instructors/{personId}/reviews', method: 'POST', path: () => `/api/instructors/${INSTRUCTOR_B}/reviews`, json: () => ({ name: '改名的指导员', district: DISTRICT_A, year: YEAR, rating: 'excellent' }) },
    { name: "grant: A's budget pays B's organisation", route: 'POST /api/funding/grants', method: 'POST', path: () => '/api/funding/grants', json: () => ({ district: DISTRICT_A, year: YEAR, orgId: ids.orgB, item: 'member_activity', amountFen: 10_000, justifiedBy: ['matrix-plan-2'] }) },
    { name: "grant: B's budget pays A's organisation", route: 'POST /api/funding/grants', method: 'POST', path: () => '/api/funding/grants', json: () => ({ district: DISTRICT_B, year: YEAR, orgId: ids.orgA, item: 'member_activity', amountFen: 10_000, justifiedBy: ['matrix-plan-3'] }) },
    { name: "claw back B's grant as district A", route: 'POST /api/funding/grants/{id}/claw-back', method: 'POST', path: () => `/api/funding/grants/${ids.grantB}/claw-back`, json: () => ({ district: DISTRICT_A, year: YEAR, reason: '矩阵追回', justifiedBy: ['matrix-evidence-1'] }) },
    { name: "allocate to B's budget", route: 'POST /api/funding/budgets', method: 'POST', path: () => '/api/funding/budgets', json: () => ({ district: DISTRICT_B, year: YEAR, amountFen: 1_000 }) },
    { name: "reduce B's budget", route: 'POST /api/funding/budgets/reductions', method: 'POST', path: () => '/api/funding/budgets/reductions', json: () => ({ district: DISTRICT_B, year: YEAR, amountFen: 1_000, reason: '矩阵核减' }) },
    { name: "assess B's organisation as district A", route: 'POST /api/evaluation/assessments', method: 'POST', path: () => '/api/evaluation/assessments', json: () => ({ orgId: ids.orgB, district: DISTRICT_A, year: YEAR, rubricId: FIVE_STANDARDS_RUBRIC.rubricId, scores: { 'organisation-life': 90, 'role-played': 90 } }) },
    { name: "correct B's assessment", route: 'POST /api/evaluation/assessments/corrections', method: 'POST', path: () => '/api/evaluation/assessments/corrections', json: () => ({ orgId: ids.orgB, year: YEAR, rubricId: FIVE_STANDARDS_RUBRIC.rubricId, scores: { 'organisation-life': 10, 'role-played': 10 }, reason: '矩阵更正' }) },
    { name: "register an enterprise whose code is B's", route: 'POST /api/enterprises', method: 'POST', path: () => '/api/enterprises', json: () => ({ creditCode: generateCreditCode(DISTRICT_B, 50), name: '矩阵乙区企业', kind: 'enterprise', employees: 5, fullMembers: 0, probationaryMembers: 0 }) },
    { name: "submit a request for B's enterprise", route: 'POST /api/requests', method: 'POST', path: () => '/api/requests', json: () => ({ creditCode: IN_B, category: 'other', description: '矩阵需求' }) },
    { name: "assign B's instructor to cover A's enterprise", route: 'PUT /api/enterprises/{code}/work-coverage', method: 'PUT', path: () => `/api/enterprises/${OWN}/work-coverage`, json: () => ({ coveredBy: 'instructor', assignee: { personId: INSTRUCTOR_B, name: '乙区指导员' } }) },
  ].map((cell) => ({ ...cell, method: cell.method as Cell['method'], caller: 'officerA' }));

  /** every write and a read of district A, with a token whose districts say nothing */
  const NO_DISTRICT_CALLERS = ['officer, districts missing', 'officer, districts null', 'officer, districts empty', 'auditor, districts empty'];
  // Each caller assesses its own year: a leaked assessment must not make the next caller's "already completed".
  const NO_DISTRICT_REQUESTS: ((caller: string, index: number) => Omit<Cell, 'caller'>)[] = [
    () => ({ name: 'register an enterprise in A', route: 'POST /api/enterprises', method: 'POST', path: () => '/api/enterprises', json: () => ({ creditCode: generateCreditCode(DISTRICT_A, 60 + results.length), name: '无辖区令牌企业', kind: 'enterprise', employees: 5, fullMembers: 0, probationaryMembers: 0 }) }),
    () => ({ name: "change A's member count", route: 'POST /api/enterprises/{code}/member-count', method: 'POST', path: () => `/api/enterprises/${OWN}/member-count`, json: () => ({ fullMembers: 5, probationaryMembers: 0, reason: 'correction' }) }),
    () => ({ name: 'form a committee in A', route: 'POST /api/orgs', method: 'POST', path: () => '/api/orgs', json: () => ({ mode: 'industry-chain-joint', name: '无辖区令牌党委', district: DISTRICT_A, enterprises: [], level: 'primary-committee' }) }),
    (caller) => ({ name: "dissolve a committee of A", route: 'POST /api/orgs/{id}/dissolve', method: 'POST', path: () => `/api/orgs/${committeeOf[caller]}/dissolve`, json: () => ({ reason: '无辖区令牌' }) }),
    () => ({ name: "allocate to A's budget", route: 'POST /api/funding/budgets', method: 'POST', path: () => '/api/funding/budgets', json: () => ({ district: DISTRICT_A, year: YEAR, amountFen: 1_000 }) }),
    () => ({ name: "pay A's organisation", route: 'POST /api/funding/grants', method: 'POST', path: () => '/api/funding/grants', json: () => ({ district: DISTRICT_A, year: YEAR, orgId: ids.orgA, item: 'member_activity', amountFen: 1_000, justifiedBy: ['no-district-plan'] }) }),
    (_caller, index) => ({ name: "assess A's organisation", route: 'POST /api/evaluation/assessments', method: 'POST', path: () => '/api/evaluation/assessments', json: () => ({ orgId: ids.orgA, district: DISTRICT_A, year: YEAR - index, rubricId: FIVE_STANDARDS_RUBRIC.rubricId, scores: { 'organisation-life': 70, 'role-played': 70 } }) }),
    () => ({ name: "submit a request for A's enterprise", route: 'POST /api/requests', method: 'POST', path: () => '/api/requests', json: () => ({ creditCode: OWN, category: 'other', description: '无辖区令牌需求' }) }),
    () => ({ name: "read A's coverage", route: 'GET /api/coverage', method: 'GET', path: () => `/api/coverage?district=${DISTRICT_A}` }),
    () => ({ name: "read A's enterprise", route: 'GET /api/enterprises/{code}', method: 'GET', path: () => `/api/enterprises/${OWN}` }),
  ];
  const NO_DISTRICT_CELLS: Cell[] = NO_DISTRICT_CALLERS.flatMap((caller, index) =>
    NO_DISTRICT_REQUESTS.map((requestOf) => {
      const request = requestOf(caller, index);
      return { ...request, name: `${request.name} (${caller})`, caller };
    }),
  );

  /** issuing such tokens: refused, and nothing appended (issuing one is audited in the log) */
  const ISSUING_CELLS: Cell[] = [
    { name: 'issue an officer token without districts', json: () => ({ subject: 'matrix-no-districts', role: 'officer' }) },
    { name: 'issue an officer token with districts null', json: () => ({ subject: 'matrix-null-districts', role: 'officer', districts: null }) },
    { name: 'issue an officer token with districts empty', json: () => ({ subject: 'matrix-empty-districts', role: 'officer', districts: [] }) },
    { name: 'issue a token with a blank subject', json: () => ({ subject: '   ', role: 'officer', districts: [DISTRICT_A] }) },
  ].map((cell) => ({ ...cell, route: 'POST /api/admin/tokens', method: 'POST' as const, path: () => '/api/admin/tokens', caller: 'admin' }));

  const ALL_CELLS = [...BODY_FIELD_CELLS, ...NO_DISTRICT_CELLS, ...ISSUING_CELLS];

  it('has a cell for every body field that names another record, and for every token without districts', () => {
    expect(BODY_FIELD_CELLS).toHaveLength(20);
    expect(NO_DISTRICT_CELLS).toHaveLength(NO_DISTRICT_CALLERS.length * NO_DISTRICT_REQUESTS.length);
  });

  test.each(ALL_CELLS.map((cell) => [cell.name, cell] as const))('%s → refused, nothing appended', async (_name, cell) => {
    const before = await system.settled();
    const token = cell.caller === 'admin' ? system.adminToken : tokens[cell.caller];
    const answer = await system.call(cell.path(), { method: cell.method, json: cell.json?.(), token });
    const after = await system.settled();
    let outcome: Outcome = 'refused';
    if (answer.status < 400) outcome = 'leak: accepted';
    else if (after !== before) outcome = 'leak: appended on refusal';
    // A refusal by the ValidationPipe would prove nothing about the rule this cell is for.
    else if (answer.status === 400 && answer.body?.error === 'Bad Request' && cell.caller !== 'admin') outcome = 'refused by validation, not by the rule';
    results.push({ route: cell.route, name: cell.name, caller: cell.caller, status: answer.status, outcome, answer: JSON.stringify(answer.body).slice(0, 300) });
    if (isKnown({ route: cell.route, name: cell.name, outcome })) {
      // a known open leak, being fixed on another branch: counted in the report, not failed here
      expect(outcome).toMatch(/^leak/);
      return;
    }
    expect({ cell: cell.name, outcome, status: answer.status, body: outcome === 'refused' ? undefined : answer.body }).toEqual({ cell: cell.name, outcome: 'refused', status: answer.status, body: undefined });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
  });

  it('counts its cells and leaks, and lists no known open finding that no longer occurs', () => {
    expect(results).toHaveLength(ALL_CELLS.length);
    const stale = KNOWN_OPEN_FINDINGS.filter((known) => !results.some((result) => result.route === known.route && result.name === known.cell && result.outcome === known.answer));
    expect(stale).toEqual([]);
  });
});
