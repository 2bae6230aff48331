import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { generateCreditCode } from '@liangxin/registry-domain';
import { type FuzzInput, inputsFor, type InputClass, MUST_NAME_FIELD, MUST_REFUSE, type OpenApiDocument, operationsOf, type Pools } from './fuzz-inputs';
import { FIVE_STANDARDS_RUBRIC, startTestSystem, type TestSystem } from './testing';

// Hostile input over every route and every role, generated from the OpenAPI document the gateway serves.
// Properties: never a 5xx; every rejection a 4xx whose details name a field, with nothing appended to the store;
// everything the schema forbids refused; every accepted value stored as sent.
// FUZZ_RUNS (default 3000) and FUZZ_SEED (default below) choose the inputs; `npm run test:fuzz -- --runs N --seed S`.
// FUZZ_REPORT=<file> writes the figures for docs/reliability.md.
const RUNS = Number(process.env.FUZZ_RUNS ?? 3_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_204);

const DISTRICT_A = '430104';
const DISTRICT_B = '430105';
const OWN = generateCreditCode(DISTRICT_A, 1);
const NEIGHBOUR = generateCreditCode(DISTRICT_A, 2);
const IN_B = generateCreditCode(DISTRICT_B, 1);
const UNKNOWN_IN_A = generateCreditCode(DISTRICT_A, 999);

const CALLERS = ['admin', 'officerA', 'officerB', 'auditor', 'enterprise', 'anonymous'] as const;

/** SSE holds its connection open (its limits are tested where they are set); a rebuild swaps every read model underfoot. */
const SKIPPED_ROUTES = new Set(['GET /api/events/stream', 'POST /api/admin/projections/rebuild']);

type ViolationKind = '5xx' | 'refusal without a field' | 'refusal not naming the broken field' | 'appended on refusal' | 'accepted what the schema forbids' | 'stored otherwise than sent';

interface Violation {
  route: string;
  inputClass: InputClass;
  kind: ViolationKind;
  status: number;
  caller: string;
  request: string;
  answer: string;
}

/** Routes taking a JSON body and routes with a path parameter, as the OpenAPI document lists them (checked in the first test). */
const ROUTES_WITH_A_BODY = [
  'POST /api/enterprises',
  'POST /api/enterprises/{code}/member-count',
  'POST /api/enterprises/{code}/employee-count',
  'POST /api/enterprises/{code}/operating-status',
  'POST /api/enterprises/{code}/ledger-corrections',
  'POST /api/orgs',
  'POST /api/admin/tokens',
  'POST /api/orgs/{id}/enterprises',
  'POST /api/orgs/{id}/merge',
  'POST /api/orgs/{id}/dissolve',
  'POST /api/orgs/{id}/dissolution/confirm',
  'PUT /api/orgs/{id}/secretary',
  'PUT /api/orgs/{id}/instructor',
  'POST /api/orgs/{id}/pairings',
  'POST /api/orgs/{id}/parent',
  'POST /api/org-proposals',
  'POST /api/org-proposals/{id}/approve',
  'POST /api/org-proposals/{id}/reject',
  'PUT /api/enterprises/{code}/work-coverage',
  'POST /api/instructors/{personId}/reviews',
  'POST /api/instructors/{personId}/reviews/{year}/corrections',
  'POST /api/funding/budgets',
  'POST /api/funding/budgets/reductions',
  'POST /api/funding/grants',
  'POST /api/funding/grants/{id}/claw-back',
  'PUT /api/evaluation/rubric',
  'POST /api/evaluation/assessments',
  'POST /api/evaluation/assessments/corrections',
  'POST /api/requests',
  'POST /api/requests/{id}/accept',
  'POST /api/requests/{id}/resolve',
  'POST /api/requests/{id}/reopen',
];
const ROUTES_WITH_A_PATH_PARAMETER = [
  'POST /api/enterprises/{code}/member-count',
  'POST /api/enterprises/{code}/employee-count',
  'POST /api/enterprises/{code}/operating-status',
  'POST /api/enterprises/{code}/ledger-corrections',
  'GET /api/enterprises/{code}',
  'GET /api/orgs/{id}',
  'GET /api/orgs/{id}/tree',
  'GET /api/coverage/{scope}/{key}',
  'GET /api/audit/enterprises/{code}',
  'GET /api/audit/requests/{id}',
  'GET /api/audit/orgs/{id}',
  'GET /api/admin/jobs/{id}',
  'POST /api/admin/dead-letters/{id}/retry',
  'DELETE /api/admin/dead-letters/{id}',
  'POST /api/orgs/{id}/enterprises',
  'DELETE /api/orgs/{id}/enterprises/{code}',
  'POST /api/orgs/{id}/merge',
  'POST /api/orgs/{id}/dissolve',
  'POST /api/orgs/{id}/dissolution/confirm',
  'PUT /api/orgs/{id}/secretary',
  'PUT /api/orgs/{id}/instructor',
  'POST /api/orgs/{id}/pairings',
  'POST /api/orgs/{id}/parent',
  'POST /api/org-proposals/{id}/approve',
  'POST /api/org-proposals/{id}/reject',
  'GET /api/org-proposals/{id}',
  'PUT /api/enterprises/{code}/work-coverage',
  'POST /api/instructors/{personId}/reviews',
  'GET /api/instructors/{personId}/reviews',
  'POST /api/instructors/{personId}/reviews/{year}/corrections',
  'GET /api/instructors/{personId}/caseload',
  'POST /api/funding/grants/{id}/claw-back',
  'GET /api/funding/orgs/{orgId}',
  'GET /api/evaluation/orgs/{orgId}',
  'GET /api/evaluation/districts/{district}',
  'GET /api/requests/{id}',
  'POST /api/requests/{id}/accept',
  'POST /api/requests/{id}/start',
  'POST /api/requests/{id}/resolve',
  'POST /api/requests/{id}/confirm',
  'POST /api/requests/{id}/reopen',
  'GET /api/imports/{id}',
  'GET /api/imports/{id}/report',
];

/**
 * Answers the properties would flag that are what the product means to do. Each says why; `rare` ones are not
 * required to occur at every seed. (The list of open findings other engineers were fixing is empty since they merged.)
 */
const ANSWERS_BY_DESIGN: { routes: readonly string[]; inputClass: InputClass; answer: ViolationKind | ViolationKind[]; saying?: string; issue: string; rare?: true }[] = [
  {
    routes: ['POST /api/enterprises/{code}/ledger-corrections'],
    inputClass: 'special-characters',
    answer: 'stored otherwise than sent',
    issue: 'by design (registry): a correction that repeats a field\'s current value records nothing for that field, since nothing changed; the value is stored as sent already',
    rare: true,
  },
  {
    routes: ['POST /api/enterprises/{code}/ledger-corrections'],
    inputClass: 'valid',
    answer: 'stored otherwise than sent',
    issue: 'by design (registry): a correction that repeats a field\'s current value records nothing for that field, since nothing changed; the value is stored as sent already',
    rare: true,
  },
];

const isKnown = (violation: Violation) =>
  ANSWERS_BY_DESIGN.some((known) => matches(known, violation));

function matches(known: (typeof ANSWERS_BY_DESIGN)[number], violation: Violation): boolean {
  return known.routes.includes(violation.route) && known.inputClass === violation.inputClass && [known.answer].flat().includes(violation.kind) && (!known.saying || violation.answer.includes(known.saying));
}

/** Every string and number in a JSON value. */
function leaves(value: unknown, into: unknown[] = []): unknown[] {
  if (typeof value === 'string' || typeof value === 'number') into.push(value);
  else if (Array.isArray(value)) for (const item of value) leaves(item, into);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) leaves(item, into);
  return into;
}

const shorten = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

describe(`fuzz: ${RUNS} inputs generated from the OpenAPI document (seed ${SEED})`, () => {
  let system: TestSystem;
  let document: OpenApiDocument;
  const tokens: Record<string, string | null> = {};
  const pools: Pools = {};
  const violations: Violation[] = [];
  const figures = { seed: SEED, runs: RUNS, inputs: 0, accepted: 0, refused: 0, fiveXX: 0, byClass: {} as Record<string, { tried: number; refused: number; accepted: number; fiveXX: number }>, routes: 0, durationMs: 0 };

  beforeAll(async () => {
    system = await startTestSystem();
    const issue = async (principal: object) => (await system.call('/api/admin/tokens', { method: 'POST', json: principal })).body.token as string;
    tokens.admin = system.adminToken;
    tokens.officerA = await issue({ subject: 'fuzz-officer-a', role: 'officer', districts: [DISTRICT_A] });
    tokens.officerB = await issue({ subject: 'fuzz-officer-b', role: 'officer', districts: [DISTRICT_B] });
    tokens.auditor = await issue({ subject: 'fuzz-auditor', role: 'auditor' });
    tokens.enterprise = await issue({ subject: 'fuzz-enterprise', role: 'enterprise', creditCode: OWN });
    tokens.anonymous = null;

    // Records for the generated inputs to name, so valid inputs get past "not found" to the rules behind it.
    for (const code of [OWN, NEIGHBOUR, IN_B]) {
      const registered = await system.call('/api/enterprises', { method: 'POST', json: { creditCode: code, name: `模糊测试企业${code.slice(-4)}`, kind: 'enterprise', employees: 60, fullMembers: 4, probationaryMembers: 0 } });
      if (registered.status !== 201) throw new Error(`registering ${code}: ${registered.status} ${JSON.stringify(registered.body)}`);
    }
    await system.call('/api/evaluation/rubric', { method: 'PUT', json: FIVE_STANDARDS_RUBRIC });
    for (const district of [DISTRICT_A, DISTRICT_B]) await system.call('/api/funding/budgets', { method: 'POST', json: { district, year: 2025, amountFen: 100_000_000 } });
    const requests = [];
    for (const code of [OWN, IN_B]) requests.push((await system.call('/api/requests', { method: 'POST', json: { creditCode: code, category: 'other', description: '模糊测试需求' } })).body.requestId as string);
    const head = await system.settled();
    const orgs = await system.call('/api/orgs', { headers: { 'x-min-position': String(head) } });
    const orgIds = ((orgs.body?.items ?? []) as { id: string }[]).map((org) => org.id);
    if (orgIds.length < 2) throw new Error(`expected the registrations to form organisations: ${JSON.stringify(orgs.body)}`);

    const orgPool = [...orgIds, 'ghost-org'];
    Object.assign(pools, {
      code: [OWN, NEIGHBOUR, IN_B, UNKNOWN_IN_A],
      creditCode: [OWN, NEIGHBOUR, IN_B, UNKNOWN_IN_A],
      'enterprises[]': [OWN, NEIGHBOUR, IN_B, UNKNOWN_IN_A],
      id: [...orgPool, ...requests, 'req-unknown', 'no-such-job', 'grant-unknown'],
      orgId: orgPool,
      intoOrgId: orgPool,
      mergedOrgId: orgPool,
      parentOrgId: [...orgPool, null],
      publicUnitOrgId: orgPool,
      personId: ['fuzz-person-1', 'fuzz-person-2'],
      year: [2024, 2025],
      district: [DISTRICT_A, DISTRICT_B, '999999'],
      'districts[]': [DISTRICT_A, DISTRICT_B],
      'justifiedBy[]': ['evt-1'],
      scope: ['park', 'building', 'industry-chain', 'ownership'],
      key: ['fuzz-park', 'engineering-machinery', 'foreign'],
      rubricId: ['five-standards'],
      'pattern:^\\d{6}$': [DISTRICT_A, DISTRICT_B],
      'pattern:^[a-z0-9][a-z0-9-]{0,63}$': ['five-standards', 'organisation-life', 'role-played'],
      consumer: ['registry', 'formation', 'funding'],
      limit: ['1', '50'],
      depth: ['1', '3'],
      asOf: ['2030-01-01', '2020-01-01'],
    });

    const json = await system.call('/api/docs-json', { token: null });
    document = json.body as OpenApiDocument;
  });
  afterAll(async () => {
    await system?.shutdown();
  });

  it(`answers ${RUNS} hostile inputs with no 5xx, 4xx naming a field with nothing appended, and accepted values stored as sent`, async () => {
    const started = Date.now();
    const operations = operationsOf(document, (route) => SKIPPED_ROUTES.has(route));
    figures.routes = operations.length;
    // The served document describes every body (generated from the DTOs' validators in configure.ts), or there is nothing to fuzz.
    expect(operations.filter((operation) => operation.body && !Object.keys(operation.body.properties ?? {}).length).map((operation) => operation.route)).toEqual([]);
    // The allow-list's route lists follow the document: a route added or renamed must be placed in them.
    expect(operations.filter((operation) => operation.body).map((operation) => operation.route)).toEqual(ROUTES_WITH_A_BODY);
    expect(operations.filter((operation) => operation.parameters.some((p) => p.in === 'path')).map((operation) => operation.route)).toEqual(ROUTES_WITH_A_PATH_PARAMETER);
    const inputs = fc.sample(
      fc.constantFrom(...operations).chain((operation) => inputsFor(operation, CALLERS, pools)),
      { numRuns: RUNS, seed: SEED },
    );

    for (const input of inputs) await tryOne(input);
    figures.durationMs = Date.now() - started;
    if (process.env.FUZZ_REPORT) {
      const findings = new Map<string, { route: string; inputClass: string; kind: string; count: number; known: boolean; issue?: string }>();
      for (const v of violations) {
        const key = `${v.route}|${v.inputClass}|${v.kind}`;
        const issue = ANSWERS_BY_DESIGN.find((known) => matches(known, v))?.issue;
        const row = findings.get(key) ?? { route: v.route, inputClass: v.inputClass, kind: v.kind, count: 0, known: issue !== undefined, issue };
        row.count += 1;
        findings.set(key, row);
      }
      const report = { ...figures, violations: violations.length, knownOpen: violations.filter(isKnown).length, unexpected: violations.filter((v) => !isKnown(v)).length, findings: [...findings.values()] };
      writeFileSync(process.env.FUZZ_REPORT, JSON.stringify(report, null, 2));
    }

    const unexpected = violations.filter((violation) => !isKnown(violation));
    // The seed in the compared value: a failure says how to reproduce it.
    expect({ seed: SEED, runs: RUNS, unexpected: summarise(unexpected) }).toEqual({ seed: SEED, runs: RUNS, unexpected: [] });
    expect(figures.inputs).toBe(RUNS);
  }, 15 * 60_000);

  it('lists no by-design answer that no longer occurs (so the list only shrinks)', () => {
    // `rare` entries are reached by other seeds (FUZZ_SEED=1), not by the default inputs: exempt here.
    const stale = ANSWERS_BY_DESIGN.filter((known) => !known.rare && !violations.some((violation) => matches(known, violation))).map((known) => known.issue);
    // Only meaningful over the default inputs: fewer runs or another seed may simply not reach a case.
    if (RUNS >= 3_000 && process.env.FUZZ_SEED === undefined) expect(stale).toEqual([]);
  });

  /** one row per route × class × kind, with one reproduction each */
  function summarise(list: Violation[]) {
    const rows = new Map<string, Violation & { count: number }>();
    for (const violation of list) {
      const key = `${violation.route} | ${violation.inputClass} | ${violation.kind}`;
      const row = rows.get(key);
      if (row) row.count += 1;
      else rows.set(key, { ...violation, count: 1 });
    }
    return [...rows.entries()].map(([key, row]) => `${key} ×${row.count}: as ${row.caller} ${row.request} → ${row.status} ${row.answer}`);
  }

  /** node's own client: fetch refuses a body on GET, and hostile bytes must go out as they are */
  function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
      const outgoing = httpRequest(system.url + path, { method, headers: payload ? { ...headers, 'content-length': String(payload.length) } : headers }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  async function tryOne(input: FuzzInput): Promise<void> {
    const { operation, inputClass } = input;
    const before = await system.eventStore.headPosition();
    const headers: Record<string, string> = {};
    const token = tokens[input.caller];
    if (token) headers.authorization = `Bearer ${token}`;
    if (input.body) headers['content-type'] = input.body.contentType;
    const { status, text } = await send(operation.method, input.path, headers, input.body?.text);
    let answer: { details?: { field?: unknown }[]; position?: unknown } | undefined;
    try {
      answer = text ? JSON.parse(text) : undefined;
    } catch {
      answer = undefined;
    }
    const counts = (figures.byClass[inputClass] ??= { tried: 0, refused: 0, accepted: 0, fiveXX: 0 });
    figures.inputs += 1;
    counts.tried += 1;
    const violate = (kind: ViolationKind, note = '') =>
      violations.push({ route: operation.route, inputClass, kind, status, caller: input.caller, request: `${operation.method} ${shorten(input.path, 120)} ${shorten(input.body?.text ?? '', 200)}`, answer: shorten(note + text, 300) });

    if (status >= 500) {
      figures.fiveXX += 1;
      counts.fiveXX += 1;
      violate('5xx');
      await system.settled();
      return;
    }
    if (status >= 400) {
      figures.refused += 1;
      counts.refused += 1;
      const fields = (answer?.details ?? []).map((detail) => detail.field).filter((field): field is string => typeof field === 'string' && field.length > 0);
      if (!fields.length) violate('refusal without a field');
      else if (status === 400 && input.field && MUST_NAME_FIELD.has(inputClass) && !fields.some((field) => field === input.field || field.startsWith(`${input.field}.`) || field === 'body'))
        violate('refusal not naming the broken field');
      if ((await system.eventStore.headPosition()) !== before) violate('appended on refusal');
      return;
    }
    figures.accepted += 1;
    counts.accepted += 1;
    if (MUST_REFUSE.has(inputClass)) violate('accepted what the schema forbids');
    if (operation.method === 'GET') return;
    await system.settled();
    // A command that changed nothing (the status it already had) answers the position it found.
    if (input.sent === undefined || typeof answer?.position !== 'number' || answer.position <= before) return;
    // A token is handed to the caller, not recorded: its audit event names who got which role, not every claim.
    if (operation.route === 'POST /api/admin/tokens') return;
    // What the command appended (its reactions included): every string and number sent must be there, unchanged.
    const appended = await system.eventStore.readAll({ after: before, limit: 1_000 });
    const stored = new Set(leaves(appended.map((event) => [event.data, event.metadata])));
    // Trimming surrounding white space is the one normalisation the services make (and say so); nothing else may change.
    const lost = leaves(input.sent).filter((value) => !stored.has(value) && !(typeof value === 'string' && stored.has(value.trim())));
    if (lost.length) violate('stored otherwise than sent', `not in the events: ${JSON.stringify(lost)}`);
  }
});
