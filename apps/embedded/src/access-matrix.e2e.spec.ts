import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCreditCode } from '@liangxin/registry-domain';
import { startTestSystem, type TestSystem } from './testing';

// Who may call what, checked cell by cell over HTTP: officers act only in their districts, auditors read
// and audit but never write, an enterprise sees only its own record, admin routes are for admins only.
const DISTRICT_A = '430104';
const DISTRICT_B = '430105';

const CALLERS = ['admin', 'officerA', 'officerB', 'auditor', 'enterprise', 'anonymous'] as const;
type Caller = (typeof CALLERS)[number];

/** the enterprise account's own record, in district A */
const OWN = generateCreditCode(DISTRICT_A, 1);
/** another enterprise of district A, not the enterprise account's */
const NEIGHBOUR = generateCreditCode(DISTRICT_A, 2);
/** an enterprise of district B */
const IN_B = generateCreditCode(DISTRICT_B, 1);
/** a valid code of district A that is never registered */
const UNKNOWN_IN_A = generateCreditCode(DISTRICT_A, 999);

interface Request {
  method?: 'GET' | 'POST';
  path: string;
  json?: unknown;
}

interface Row {
  route: string;
  /** built per cell, so writes never collide (each registration gets its own code) */
  request: (cell: number) => Request;
  expected: Record<Caller, number>;
}

// Columns: admin, officer of A, officer of B, auditor, enterprise (OWN), no token.
const expect6 = (admin: number, officerA: number, officerB: number, auditor: number, enterprise: number, anonymous: number): Record<Caller, number> => ({
  admin,
  officerA,
  officerB,
  auditor,
  enterprise,
  anonymous,
});

const registration = (district: string, serial: number) => ({
  creditCode: generateCreditCode(district, serial),
  name: `权限测试企业${serial}`,
  kind: 'enterprise',
  employees: 10,
  fullMembers: 1,
  probationaryMembers: 0,
});

/** service requests submitted in setup: one of the enterprise account's own (district A), one of an enterprise of district B; both stay received */
const REQUESTS = { own: '', inB: '' };
const serviceRequest = (creditCode: string, cell: number) => ({ creditCode, category: 'other', description: `权限测试需求${cell}` });

/** an upper-level organisation (产业链党委) formed with no enterprises of its own; each cell forms its own */
const committeeIn = (district: string, cell: number) => ({ mode: 'industry-chain-joint', name: `权限测试产业链党委${cell}`, district, enterprises: [], level: 'primary-committee' });

/** a register import officer A ran in setup */
const IMPORT_JOB = { id: '' };

const memberCount = (cell: number) => ({ fullMembers: 1 + (cell % 7), probationaryMembers: cell % 2, reason: 'correction' });

const MATRIX: Row[] = [
  // writes
  { route: 'POST /api/enterprises (district A)', request: (cell) => ({ method: 'POST', path: '/api/enterprises', json: registration(DISTRICT_A, 100 + cell) }), expected: expect6(201, 201, 403, 403, 403, 401) },
  { route: 'POST /api/enterprises (district B)', request: (cell) => ({ method: 'POST', path: '/api/enterprises', json: registration(DISTRICT_B, 100 + cell) }), expected: expect6(201, 403, 201, 403, 403, 401) },
  { route: 'POST /api/enterprises/{own}/member-count', request: (cell) => ({ method: 'POST', path: `/api/enterprises/${OWN}/member-count`, json: memberCount(cell) }), expected: expect6(200, 200, 403, 403, 403, 401) },
  { route: 'POST /api/enterprises/{in B}/member-count', request: (cell) => ({ method: 'POST', path: `/api/enterprises/${IN_B}/member-count`, json: memberCount(cell) }), expected: expect6(200, 403, 200, 403, 403, 401) },
  { route: 'POST /api/enterprises/{unknown in A}/member-count', request: (cell) => ({ method: 'POST', path: `/api/enterprises/${UNKNOWN_IN_A}/member-count`, json: memberCount(cell) }), expected: expect6(404, 404, 403, 403, 403, 401) },
  { route: 'POST /api/enterprises/{own}/operating-status', request: (cell) => ({ method: 'POST', path: `/api/enterprises/${OWN}/operating-status`, json: { status: cell % 2 ? 'abnormal' : 'normal' } }), expected: expect6(200, 200, 403, 403, 403, 401) },
  { route: 'POST /api/enterprises/{own}/employee-count', request: (cell) => ({ method: 'POST', path: `/api/enterprises/${OWN}/employee-count`, json: { employees: 20 + cell } }), expected: expect6(200, 200, 403, 403, 403, 401) },
  // enterprise reads
  { route: 'GET /api/enterprises/{own}', request: () => ({ path: `/api/enterprises/${OWN}` }), expected: expect6(200, 200, 403, 200, 200, 401) },
  { route: 'GET /api/enterprises/{neighbour in A}', request: () => ({ path: `/api/enterprises/${NEIGHBOUR}` }), expected: expect6(200, 200, 403, 200, 403, 401) },
  { route: 'GET /api/enterprises/{in B}', request: () => ({ path: `/api/enterprises/${IN_B}` }), expected: expect6(200, 403, 200, 200, 403, 401) },
  // the ledger: a district's list, or every district the caller sees; never an enterprise account's
  { route: 'GET /api/enterprises?district=A', request: () => ({ path: `/api/enterprises?district=${DISTRICT_A}` }), expected: expect6(200, 200, 403, 200, 403, 401) },
  { route: 'GET /api/enterprises?district=B&format=csv', request: () => ({ path: `/api/enterprises?district=${DISTRICT_B}&format=csv` }), expected: expect6(200, 403, 200, 200, 403, 401) },
  { route: 'GET /api/enterprises (all visible)', request: () => ({ path: '/api/enterprises' }), expected: expect6(200, 200, 200, 200, 403, 401) },
  { route: 'GET /api/enterprises/{unknown in A}', request: () => ({ path: `/api/enterprises/${UNKNOWN_IN_A}` }), expected: expect6(404, 404, 403, 404, 403, 401) },
  // organisations and coverage
  { route: 'GET /api/orgs?district=A', request: () => ({ path: `/api/orgs?district=${DISTRICT_A}` }), expected: expect6(200, 200, 403, 200, 403, 401) },
  { route: 'GET /api/orgs (all visible)', request: () => ({ path: '/api/orgs' }), expected: expect6(200, 200, 200, 200, 403, 401) },
  { route: 'GET /api/orgs/{unknown}', request: () => ({ path: '/api/orgs/org-unknown' }), expected: expect6(404, 404, 404, 404, 403, 401) },
  { route: 'GET /api/orgs/{unknown}/tree', request: () => ({ path: '/api/orgs/org-unknown/tree' }), expected: expect6(404, 404, 404, 404, 403, 401) },
  { route: 'GET /api/orgs/{unknown}/tree?depth=bad', request: () => ({ path: '/api/orgs/org-unknown/tree?depth=99' }), expected: expect6(400, 400, 400, 400, 403, 401) },
  { route: 'POST /api/instructors/{person}/reviews (in A)', request: (cell) => ({ method: 'POST', path: `/api/instructors/matrix-${cell}/reviews`, json: { name: '矩阵指导员', district: DISTRICT_A, year: 2025, rating: 'competent' } }), expected: expect6(201, 201, 403, 403, 403, 401) },
  { route: 'POST /api/instructors/{never reviewed}/reviews/2025/corrections', request: () => ({ method: 'POST', path: '/api/instructors/matrix-none/reviews/2025/corrections', json: { rating: 'excellent', reason: 'x' } }), expected: expect6(404, 404, 404, 403, 403, 401) },
  { route: 'GET /api/instructors/{never reviewed}/reviews', request: () => ({ path: '/api/instructors/matrix-none/reviews' }), expected: expect6(404, 404, 404, 404, 403, 401) },
  { route: 'POST /api/org-proposals (committee in A)', request: (cell) => ({ method: 'POST', path: '/api/org-proposals', json: committeeIn(DISTRICT_A, 100 + cell) }), expected: expect6(201, 201, 403, 403, 403, 401) },
  { route: 'POST /api/org-proposals/{unknown}/approve', request: () => ({ method: 'POST', path: '/api/org-proposals/org-unknown/approve', json: {} }), expected: expect6(404, 404, 404, 403, 403, 401) },
  { route: 'POST /api/org-proposals/{unknown}/reject', request: () => ({ method: 'POST', path: '/api/org-proposals/org-unknown/reject', json: { reason: 'x' } }), expected: expect6(404, 404, 404, 403, 403, 401) },
  { route: 'GET /api/org-proposals?district=A', request: () => ({ path: `/api/org-proposals?district=${DISTRICT_A}` }), expected: expect6(200, 200, 403, 200, 403, 401) },
  { route: 'GET /api/org-proposals/{unknown}', request: () => ({ path: '/api/org-proposals/org-unknown' }), expected: expect6(404, 404, 404, 404, 403, 401) },
  { route: 'POST /api/orgs (committee without enterprises in B)', request: (cell) => ({ method: 'POST', path: '/api/orgs', json: committeeIn(DISTRICT_B, cell) }), expected: expect6(201, 403, 201, 403, 403, 401) },
  { route: 'POST /api/orgs/{unknown}/parent', request: () => ({ method: 'POST', path: '/api/orgs/org-unknown/parent', json: { parentOrgId: null, reason: '调整隶属关系' } }), expected: expect6(404, 404, 404, 403, 403, 401) },
  { route: 'POST /api/orgs/{unknown}/parent (no reason)', request: () => ({ method: 'POST', path: '/api/orgs/org-unknown/parent', json: { parentOrgId: 'org-other' } }), expected: expect6(400, 400, 400, 403, 403, 401) },
  { route: 'GET /api/coverage?district=A', request: () => ({ path: `/api/coverage?district=${DISTRICT_A}` }), expected: expect6(200, 200, 403, 200, 403, 401) },
  { route: 'GET /api/coverage?district=B&asOf', request: () => ({ path: `/api/coverage?district=${DISTRICT_B}&asOf=2030-01-01` }), expected: expect6(200, 403, 200, 200, 403, 401) },
  { route: 'GET /api/coverage/districts', request: () => ({ path: '/api/coverage/districts' }), expected: expect6(200, 200, 200, 200, 403, 401) },
  // statistics tables: the caller's districts, or one it may see
  { route: 'GET /api/statistics/coverage?district=A', request: () => ({ path: `/api/statistics/coverage?district=${DISTRICT_A}` }), expected: expect6(200, 200, 403, 200, 403, 401) },
  { route: 'GET /api/statistics/requests?district=B&format=csv', request: () => ({ path: `/api/statistics/requests?district=${DISTRICT_B}&format=csv` }), expected: expect6(200, 403, 200, 200, 403, 401) },
  { route: 'GET /api/statistics/targets', request: () => ({ path: '/api/statistics/targets' }), expected: expect6(200, 200, 200, 200, 403, 401) },
  { route: 'GET /api/coverage/ownership/{key}?district=A', request: () => ({ path: `/api/coverage/ownership/foreign?district=${DISTRICT_A}` }), expected: expect6(404, 404, 403, 404, 403, 401) },
  // audit
  { route: 'GET /api/audit/enterprises/{own}', request: () => ({ path: `/api/audit/enterprises/${OWN}` }), expected: expect6(200, 200, 403, 200, 403, 401) },
  { route: 'GET /api/audit/enterprises/{in B}', request: () => ({ path: `/api/audit/enterprises/${IN_B}` }), expected: expect6(200, 403, 200, 200, 403, 401) },
  { route: 'GET /api/audit/orgs/{unknown}', request: () => ({ path: '/api/audit/orgs/org-unknown' }), expected: expect6(404, 404, 404, 404, 403, 401) },
  // service requests: writes (the setup's requests stay received, so a permitted transition the lifecycle refuses answers 409)
  { route: 'POST /api/requests (own)', request: (cell) => ({ method: 'POST', path: '/api/requests', json: serviceRequest(OWN, cell) }), expected: expect6(201, 201, 403, 403, 201, 401) },
  { route: 'POST /api/requests (in B)', request: (cell) => ({ method: 'POST', path: '/api/requests', json: serviceRequest(IN_B, cell) }), expected: expect6(201, 403, 201, 403, 403, 401) },
  { route: 'POST /api/requests (unknown in A)', request: (cell) => ({ method: 'POST', path: '/api/requests', json: serviceRequest(UNKNOWN_IN_A, cell) }), expected: expect6(404, 404, 403, 403, 403, 401) },
  { route: 'POST /api/requests/{own}/start', request: () => ({ method: 'POST', path: `/api/requests/${REQUESTS.own}/start` }), expected: expect6(409, 409, 403, 403, 403, 401) },
  { route: 'POST /api/requests/{unknown}/accept', request: () => ({ method: 'POST', path: '/api/requests/req-unknown/accept', json: { owner: { kind: 'instructor', id: 'i-1', name: '李' }, dueDate: '2099-01-01' } }), expected: expect6(404, 404, 404, 403, 403, 401) },
  { route: 'POST /api/requests/{own}/reopen', request: () => ({ method: 'POST', path: `/api/requests/${REQUESTS.own}/reopen`, json: { reason: 'not met' } }), expected: expect6(409, 403, 403, 403, 409, 401) },
  { route: 'POST /api/requests/{in B}/confirm', request: () => ({ method: 'POST', path: `/api/requests/${REQUESTS.inB}/confirm` }), expected: expect6(409, 403, 403, 403, 403, 401) },
  // service requests: reads
  { route: 'GET /api/requests/{own}', request: () => ({ path: `/api/requests/${REQUESTS.own}` }), expected: expect6(200, 200, 403, 200, 200, 401) },
  { route: 'GET /api/requests/{in B}', request: () => ({ path: `/api/requests/${REQUESTS.inB}` }), expected: expect6(200, 403, 200, 200, 403, 401) },
  { route: 'GET /api/requests/{unknown}', request: () => ({ path: '/api/requests/req-unknown' }), expected: expect6(404, 404, 404, 404, 404, 401) },
  { route: 'GET /api/requests?district=A', request: () => ({ path: `/api/requests?district=${DISTRICT_A}` }), expected: expect6(200, 200, 403, 200, 200, 401) },
  { route: 'GET /api/requests?creditCode={neighbour}', request: () => ({ path: `/api/requests?creditCode=${NEIGHBOUR}` }), expected: expect6(200, 200, 200, 200, 403, 401) },
  { route: 'GET /api/audit/requests/{own}', request: () => ({ path: `/api/audit/requests/${REQUESTS.own}` }), expected: expect6(200, 200, 403, 200, 200, 401) },
  { route: 'GET /api/audit/requests/{in B}', request: () => ({ path: `/api/audit/requests/${REQUESTS.inB}` }), expected: expect6(200, 403, 200, 200, 403, 401) },
  { route: 'GET /api/audit/requests/{unknown}', request: () => ({ path: '/api/audit/requests/req-unknown' }), expected: expect6(404, 404, 404, 404, 404, 401) },
  { route: 'GET /api/requests/summary?district=A', request: () => ({ path: `/api/requests/summary?district=${DISTRICT_A}` }), expected: expect6(200, 200, 403, 200, 403, 401) },
  // admin
  { route: 'POST /api/admin/projections/rebuild', request: () => ({ method: 'POST', path: '/api/admin/projections/rebuild' }), expected: expect6(202, 403, 403, 403, 403, 401) },
  { route: 'GET /api/admin/jobs', request: () => ({ path: '/api/admin/jobs' }), expected: expect6(200, 403, 403, 403, 403, 401) },
  { route: 'GET /api/admin/jobs/{unknown}', request: () => ({ path: '/api/admin/jobs/no-such-job' }), expected: expect6(404, 403, 403, 403, 403, 401) },
  { route: 'POST /api/admin/tokens', request: () => ({ method: 'POST', path: '/api/admin/tokens', json: { subject: 'zhang', role: 'officer', districts: [DISTRICT_A] } }), expected: expect6(201, 403, 403, 403, 403, 401) },
  { route: 'GET /api/admin/dead-letters', request: () => ({ path: '/api/admin/dead-letters' }), expected: expect6(200, 403, 403, 403, 403, 401) },
  // register imports (the upload itself, with a file, is tested in register-import.e2e; without one it is refused 400 to those who may import)
  { route: 'POST /api/imports (no file)', request: () => ({ method: 'POST', path: '/api/imports' }), expected: expect6(400, 400, 400, 403, 403, 401) },
  { route: "GET /api/imports/{officer A's job}", request: () => ({ path: `/api/imports/${IMPORT_JOB.id}` }), expected: expect6(200, 200, 404, 403, 403, 401) },
  { route: "GET /api/imports/{officer A's job}/report", request: () => ({ path: `/api/imports/${IMPORT_JOB.id}/report?format=xlsx` }), expected: expect6(200, 200, 404, 403, 403, 401) },
  { route: 'GET /api/imports/{unknown}', request: () => ({ path: '/api/imports/00000000-0000-4000-8000-000000000000' }), expected: expect6(404, 404, 404, 403, 403, 401) },
  // public operations
  { route: 'GET /health', request: () => ({ path: '/health' }), expected: expect6(200, 200, 200, 200, 200, 200) },
  { route: 'GET /metrics', request: () => ({ path: '/metrics' }), expected: expect6(200, 200, 200, 200, 200, 200) },
  { route: 'GET /api/docs-json', request: () => ({ path: '/api/docs-json' }), expected: expect6(200, 200, 200, 200, 200, 200) },
];

const CELLS = MATRIX.flatMap((row, r) => CALLERS.map((caller, c) => ({ route: row.route, caller, expected: row.expected[caller], request: () => row.request(r * CALLERS.length + c) })));

describe('access matrix: role × route × district over HTTP (embedded system)', () => {
  let system: TestSystem;
  const tokens = {} as Record<Caller, string | null>;
  /** for docs/reliability.md (ACCESS_MATRIX_REPORT_DIR): a leak is a cell that should refuse (401, 403, 404) and did not */
  const tally = { cells: 0, leaks: 0 };

  beforeAll(async () => {
    system = await startTestSystem();
    const issue = async (principal: object) => {
      const answer = await system.call('/api/admin/tokens', { method: 'POST', json: principal });
      if (answer.status !== 201) throw new Error(`issuing a token failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.token as string;
    };
    tokens.admin = system.adminToken;
    tokens.officerA = await issue({ subject: 'officer-a', role: 'officer', districts: [DISTRICT_A] });
    tokens.officerB = await issue({ subject: 'officer-b', role: 'officer', districts: [DISTRICT_B] });
    tokens.auditor = await issue({ subject: 'auditor', role: 'auditor', districts: [DISTRICT_A, DISTRICT_B] });
    tokens.enterprise = await issue({ subject: 'own-enterprise', role: 'enterprise', creditCode: OWN });
    tokens.anonymous = null;

    let position = 0;
    for (const code of [OWN, NEIGHBOUR, IN_B]) {
      const district = code === IN_B ? DISTRICT_B : DISTRICT_A;
      const created = await system.call('/api/enterprises', { method: 'POST', json: { ...registration(district, 0), creditCode: code } });
      if (created.status !== 201) throw new Error(`registering ${code} failed: ${created.status}`);
      position = created.body.position;
    }
    await system.waitForReadModels(position);
    for (const [key, code] of [['own', OWN], ['inB', IN_B]] as const) {
      const submitted = await system.call('/api/requests', { method: 'POST', json: serviceRequest(code, 0) });
      if (submitted.status !== 201) throw new Error(`submitting a request for ${code} failed: ${submitted.status}`);
      REQUESTS[key] = submitted.body.requestId;
      position = submitted.body.position;
    }
    await system.waitForReadModels(position);
    const form = new FormData();
    form.append('file', new Blob([`统一社会信用代码,企业名称,从业人员,正式党员,预备党员\n${generateCreditCode(DISTRICT_A, 500)},权限测试导入企业,10,1,0\n`]), 'a.csv');
    const upload = await fetch(`${system.url}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${tokens.officerA}` } });
    IMPORT_JOB.id = ((await upload.json()) as { id: string }).id;
    for (let job = { status: 'running' }; job.status === 'running'; await new Promise((resolve) => setTimeout(resolve, 20))) job = (await system.call(`/api/imports/${IMPORT_JOB.id}`)).body;
  });
  afterAll(async () => {
    if (process.env.ACCESS_MATRIX_REPORT_DIR) {
      mkdirSync(process.env.ACCESS_MATRIX_REPORT_DIR, { recursive: true });
      writeFileSync(join(process.env.ACCESS_MATRIX_REPORT_DIR, 'roles.json'), JSON.stringify({ suite: 'role × route × district', ...tally }, null, 2));
    }
    await system.shutdown();
  });

  it('covers every caller for every route', () => {
    expect(CELLS).toHaveLength(MATRIX.length * CALLERS.length);
  });

  test.each(CELLS)('$route as $caller → $expected', async ({ route, caller, expected, request }) => {
    const { method = 'GET', path, json } = request();
    const answer = await system.call(path, { method, json, token: tokens[caller] });
    tally.cells += 1;
    if ([401, 403, 404].includes(expected) && answer.status < 400) tally.leaks += 1;
    // Route and caller in the compared value, so a failure names the cell without reading the stack.
    expect({ route, caller, status: answer.status }).toEqual({ route, caller, status: expected });
    if (expected === 401 || expected === 403) {
      expect(answer.body).toMatchObject({ statusCode: expected, details: [expect.objectContaining({ field: expect.any(String) })] });
    }
  });
});
