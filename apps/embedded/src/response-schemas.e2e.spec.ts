import { type JsonSchema, schemaViolations } from '@liangxin/gateway-api';
import { generateCreditCode } from '@liangxin/registry-domain';
import { FIVE_STANDARDS_RUBRIC, startTestSystem, type TestSystem } from './testing';

// Issue #13's last gap: every route documents what it answers, and what it answers conforms to that document. Real
// answers of representative routes (reads and writes, lists and single documents) are checked against the schema
// /api/docs-json publishes for their path, method and status.
const DISTRICT = '430104';
/** the organisation is formed during the test: it can be assessed for this year only */
const YEAR = new Date().getFullYear();

type Operation = { responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }> };

describe('answers conform to their OpenAPI response schemas (embedded system)', () => {
  let system: TestSystem;
  let paths: Record<string, Record<string, Operation>>;
  let components: Record<string, JsonSchema>;
  const code = (serial: number) => generateCreditCode(DISTRICT, serial);
  const ids = { orgId: '', requestId: '' };

  /** the answer's violations of the schema documented for `route` (a path template) and `method` at the answer's status */
  const check = async (method: 'get' | 'post' | 'put', route: string, path: string, json?: unknown) => {
    const answer = await system.call(path, { method: method.toUpperCase(), json, headers: { 'X-Min-Position': String(await system.settled()) } });
    const responses = paths[route]?.[method]?.responses;
    const documented = (responses?.[String(answer.status)] ?? (answer.status >= 400 ? responses?.default : undefined))?.content?.['application/json']?.schema;
    if (!documented) return { answer, violations: [`${method.toUpperCase()} ${route} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}, which is not documented`] };
    return { answer, violations: schemaViolations(answer.body, documented, components) };
  };

  beforeAll(async () => {
    system = await startTestSystem();
    const document = await system.call('/api/docs-json');
    paths = document.body.paths;
    components = document.body.components.schemas;
    for (let serial = 1; serial <= 4; serial++) {
      const registered = await system.call('/api/enterprises', {
        method: 'POST',
        json: { creditCode: code(serial), name: `长沙契约企业${serial}`, kind: 'enterprise', employees: 60, fullMembers: serial === 1 ? 5 : 0, probationaryMembers: 0, park: '麓谷园区', registeredOn: '2020-01-01' },
      });
      expect(registered.status).toBe(201);
    }
    await system.settled();
    const orgs = await system.call(`/api/orgs?district=${DISTRICT}`);
    ids.orgId = orgs.body.items[0].id;
    ids.requestId = (await system.call('/api/requests', { method: 'POST', json: { creditCode: code(2), category: 'other', description: '契约测试需求' } })).body.requestId;
    expect((await system.call('/api/funding/budgets', { method: 'POST', json: { district: DISTRICT, year: YEAR, amountFen: 10_000_00 } })).status).toBe(201);
    expect((await system.call('/api/evaluation/rubric', { method: 'PUT', json: FIVE_STANDARDS_RUBRIC })).status).toBe(200);
    await system.settled();
  });
  afterAll(async () => {
    await system.shutdown();
  });

  it('the reads: a single document, a list page, a tree, coverage, audit, a summary', async () => {
    const reads: [string, string][] = [
      ['/api/enterprises', `/api/enterprises?district=${DISTRICT}&limit=2`],
      ['/api/enterprises/{code}', `/api/enterprises/${code(1)}`],
      ['/api/enterprises/{code}', `/api/enterprises/${code(1)}?asOf=${new Date().toISOString()}`],
      ['/api/orgs', `/api/orgs?district=${DISTRICT}`],
      ['/api/orgs/{id}', `/api/orgs/${ids.orgId}`],
      ['/api/orgs/{id}/tree', `/api/orgs/${ids.orgId}/tree`],
      ['/api/coverage', `/api/coverage?district=${DISTRICT}`],
      ['/api/coverage/districts', '/api/coverage/districts'],
      ['/api/coverage/{scope}/{key}', `/api/coverage/park/${encodeURIComponent('麓谷园区')}`],
      ['/api/coverage/worklist', `/api/coverage/worklist?district=${DISTRICT}`],
      ['/api/audit/enterprises/{code}', `/api/audit/enterprises/${code(1)}`],
      ['/api/audit/orgs/{id}', `/api/audit/orgs/${ids.orgId}`],
      ['/api/requests', `/api/requests?district=${DISTRICT}`],
      ['/api/requests/{id}', `/api/requests/${ids.requestId}`],
      ['/api/requests/summary', `/api/requests/summary?district=${DISTRICT}`],
      ['/api/org-proposals', `/api/org-proposals?district=${DISTRICT}`],
      ['/api/funding/budgets', '/api/funding/budgets'],
      ['/api/funding/orgs/{orgId}', `/api/funding/orgs/${ids.orgId}`],
      ['/api/evaluation/districts/{district}', `/api/evaluation/districts/${DISTRICT}`],
      ['/api/admin/audit', '/api/admin/audit'],
      ['/api/admin/jobs', '/api/admin/jobs'],
      ['/api/admin/dead-letters', '/api/admin/dead-letters'],
    ];
    const failures: string[] = [];
    for (const [route, path] of reads) {
      const { answer, violations } = await check('get', route, path);
      if (answer.status !== 200) failures.push(`GET ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
      failures.push(...violations.map((v) => `GET ${path} ${v}`));
    }
    expect(failures).toEqual([]);
  });

  it('the writes: registration, a command, an assessment, request steps, and a refusal', async () => {
    const accept = { owner: { kind: 'instructor', id: 'p-wang', name: '王指导员' }, dueDate: `${YEAR + 1}-01-31` };
    const writes: ['post' | 'put', string, string, unknown, number][] = [
      ['post', '/api/enterprises', '/api/enterprises', { creditCode: code(9), name: '长沙契约企业9', kind: 'enterprise', employees: 3, fullMembers: 0, probationaryMembers: 0 }, 201],
      ['post', '/api/enterprises/{code}/employee-count', `/api/enterprises/${code(2)}/employee-count`, { employees: 61 }, 200],
      ['post', '/api/evaluation/assessments', '/api/evaluation/assessments', { orgId: ids.orgId, district: DISTRICT, year: YEAR, rubricId: FIVE_STANDARDS_RUBRIC.rubricId, scores: { 'organisation-life': 90, 'role-played': 80 } }, 201],
      ['post', '/api/requests/{id}/accept', `/api/requests/${ids.requestId}/accept`, accept, 200],
      ['post', '/api/requests/{id}/start', `/api/requests/${ids.requestId}/start`, {}, 200],
      // refusals answer the documented error body: a status the route names (409), and one it does not (404, the default)
      ['post', '/api/requests/{id}/accept', `/api/requests/${ids.requestId}/accept`, accept, 409],
      ['post', '/api/requests/{id}/start', '/api/requests/req-unknown/start', {}, 404],
    ];
    const failures: string[] = [];
    for (const [method, route, path, json, expected] of writes) {
      const { answer, violations } = await check(method, route, path, json);
      if (answer.status !== expected) failures.push(`${method} ${path}: ${answer.status}, not ${expected}: ${JSON.stringify(answer.body).slice(0, 200)}`);
      failures.push(...violations.map((v) => `${method} ${path} ${v}`));
    }
    expect(failures).toEqual([]);
  });

  it('would notice an answer that strays from its schema', async () => {
    const documented = paths['/api/enterprises/{code}'].get.responses['200'].content?.['application/json'].schema as JsonSchema;
    const real = (await system.call(`/api/enterprises/${code(1)}`)).body;
    expect(schemaViolations(real, documented, components)).toEqual([]);
    expect(schemaViolations({ ...real, employees: String(real.employees) }, documented, components)).toEqual(['$.employees: string where an integer is expected']);
    const { developmentNeeds: _dropped, ...withoutNeeds } = real;
    expect(schemaViolations(withoutNeeds, documented, components)).toEqual(['$.developmentNeeds: required but missing']);
  });
});
