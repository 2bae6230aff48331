import { generateCreditCode } from '@liangxin/registry-domain';
import { startTestSystem, type TestSystem } from './testing';

// Every route of the gateway contract (issue 5), called over HTTP against the whole embedded system.
const DISTRICT = '430104';
const TIME_TRAVEL_DISTRICT = '430105';

const registration = (district: string, serial: number, overrides: Record<string, unknown> = {}) => ({
  creditCode: generateCreditCode(district, serial),
  name: `契约测试企业${serial}有限公司`,
  kind: 'enterprise',
  employees: 60,
  fullMembers: 4,
  probationaryMembers: 1,
  industryChain: 'engineering-machinery',
  ...overrides,
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('gateway contract over HTTP (embedded system)', () => {
  let system: TestSystem;
  let serial = 100;
  const nextRegistration = (overrides: Record<string, unknown> = {}, district = DISTRICT) => registration(district, ++serial, overrides);

  /** registers and answers with the body sent and the position the gateway returned */
  const register = async (overrides: Record<string, unknown> = {}, district = DISTRICT) => {
    const body = nextRegistration(overrides, district);
    const created = await system.call('/api/enterprises', { method: 'POST', json: body });
    expect(created.status).toBe(201);
    return { body, position: created.body.position as number };
  };
  const readAt = (path: string, position: number) => system.call(path, { headers: { 'X-Min-Position': String(position) } });

  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system.shutdown();
  });

  describe('GET /health', () => {
    it('answers 200 without a token, naming the event store, transport and read models', async () => {
      const health = await system.call('/health', { token: null });
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('ok');
      expect(Object.keys(health.body.details)).toEqual(expect.arrayContaining(['eventStore', 'transport', 'readModels']));
    });
  });

  describe('POST /api/enterprises', () => {
    it('answers 201 with {creditCode, district, position}', async () => {
      const body = nextRegistration();
      const created = await system.call('/api/enterprises', { method: 'POST', json: body });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ creditCode: body.creditCode, district: DISTRICT, position: expect.any(Number) });
      // The position names the registration itself (reactions may already have appended after it).
      const [atPosition] = await system.eventStore.readAll({ after: created.body.position - 1, limit: 1 });
      expect(atPosition).toMatchObject({ globalPosition: created.body.position, type: 'EnterpriseRegistered', data: { creditCode: body.creditCode } });
    });

    it('answers 400 in the one error shape, naming the field', async () => {
      const invalid = await system.call('/api/enterprises', { method: 'POST', json: nextRegistration({ employees: -3 }) });
      expect(invalid.status).toBe(400);
      expect(invalid.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String), requestId: expect.any(String) });
      expect(invalid.body.details).toContainEqual({ field: 'employees', reason: expect.any(String) });
    });

    it('answers 409 for a credit code already registered', async () => {
      const { body } = await register();
      const again = await system.call('/api/enterprises', { method: 'POST', json: body });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ statusCode: 409, error: 'ENTERPRISE_ALREADY_REGISTERED' });
    });
  });

  describe('POST /api/enterprises/{code}/member-count', () => {
    it('answers 200 {position}, and a read at that position shows the new counts', async () => {
      const { body } = await register({ fullMembers: 1, probationaryMembers: 0 });
      const changed = await system.call(`/api/enterprises/${body.creditCode}/member-count`, { method: 'POST', json: { fullMembers: 5, probationaryMembers: 2, reason: 'transfer-in' } });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({ position: expect.any(Number) });
      const read = await readAt(`/api/enterprises/${body.creditCode}`, changed.body.position);
      expect(read.body).toMatchObject({ fullMembers: 5, probationaryMembers: 2 });
    });

    it('answers 404 for an enterprise never registered', async () => {
      const unknown = generateCreditCode(DISTRICT, 90_001);
      const changed = await system.call(`/api/enterprises/${unknown}/member-count`, { method: 'POST', json: { fullMembers: 5, probationaryMembers: 2, reason: 'admission' } });
      expect(changed.status).toBe(404);
      expect(changed.body.statusCode).toBe(404);
    });

    it('answers 400 for a reason outside the list', async () => {
      const { body } = await register();
      const changed = await system.call(`/api/enterprises/${body.creditCode}/member-count`, { method: 'POST', json: { fullMembers: 5, probationaryMembers: 2, reason: 'promotion' } });
      expect(changed.status).toBe(400);
      expect(changed.body.details.map((d: { field: string }) => d.field)).toContain('reason');
    });
  });

  describe('POST /api/enterprises/{code}/operating-status', () => {
    it('answers 200 {position}, and a read at that position shows the status', async () => {
      const { body } = await register();
      const changed = await system.call(`/api/enterprises/${body.creditCode}/operating-status`, { method: 'POST', json: { status: 'abnormal' } });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({ position: expect.any(Number) });
      expect((await readAt(`/api/enterprises/${body.creditCode}`, changed.body.position)).body.operatingStatus).toBe('abnormal');
    });

    it('answers 400 for an unknown status and 404 for an unknown enterprise', async () => {
      const { body } = await register();
      expect((await system.call(`/api/enterprises/${body.creditCode}/operating-status`, { method: 'POST', json: { status: 'sleeping' } })).status).toBe(400);
      const unknown = generateCreditCode(DISTRICT, 90_002);
      expect((await system.call(`/api/enterprises/${unknown}/operating-status`, { method: 'POST', json: { status: 'abnormal' } })).status).toBe(404);
    });
  });

  describe('GET /api/enterprises/{code}', () => {
    it('carries every field of the contract', async () => {
      const { body, position } = await register({ employees: 12, fullMembers: 0, probationaryMembers: 0 });
      const read = await readAt(`/api/enterprises/${body.creditCode}`, position);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ creditCode: body.creditCode, name: body.name, district: DISTRICT, employees: 12, fullMembers: 0, probationaryMembers: 0, operatingStatus: 'normal' });
      for (const field of ['coverage', 'coverageReason', 'orgId', 'orgMode']) expect(read.body).toHaveProperty(field);
      expect(['organisational', 'work', 'awaiting-joint', 'none']).toContain(read.body.coverage);
    });

    it('answers 404 for a code never registered', async () => {
      const read = await system.call(`/api/enterprises/${generateCreditCode(DISTRICT, 90_003)}`);
      expect(read.status).toBe(404);
      expect(read.body.details[0].field).toBe('code');
    });
  });

  describe('GET /api/orgs and /api/orgs/{id}', () => {
    it('lists organisations as {items}, and each one opens by id (empty until formation runs)', async () => {
      const { body, position } = await register({ fullMembers: 6 });
      await readAt(`/api/enterprises/${body.creditCode}`, position);
      // Formation reacts to the registration asynchronously; give it a moment to form the branch if it runs here.
      const health = await system.call('/health', { token: null });
      const formationRuns = Object.keys(health.body.details.transport ?? {}).includes('formation');
      let orgs = await system.call(`/api/orgs?district=${DISTRICT}&status=active`);
      for (let tries = 0; formationRuns && orgs.body.items.length === 0 && tries < 50; tries++) {
        await pause(50);
        orgs = await system.call(`/api/orgs?district=${DISTRICT}&status=active`, { headers: { 'X-Min-Position': String(await system.eventStore.headPosition()) } });
      }
      expect(orgs.status).toBe(200);
      expect(Array.isArray(orgs.body.items)).toBe(true);
      if (!formationRuns) {
        console.warn('GET /api/orgs: formation is not wired into the embedded system yet, so only the empty list shape is checked');
        expect(orgs.body).toEqual({ items: [] });
        return;
      }
      expect(orgs.body.items.length).toBeGreaterThan(0);
      for (const org of orgs.body.items) {
        expect(org).toMatchObject({ id: expect.any(String), mode: expect.any(String), level: expect.any(String), status: 'active', district: DISTRICT });
        expect(Array.isArray(org.enterprises)).toBe(true);
      }
      const first = orgs.body.items[0];
      const detail = await system.call(`/api/orgs/${encodeURIComponent(first.id)}`);
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({ id: first.id, district: DISTRICT, mode: first.mode });
    });

    it('answers 400 for a malformed district or status, and 404 for an unknown organisation', async () => {
      expect((await system.call('/api/orgs?district=43')).status).toBe(400);
      expect((await system.call(`/api/orgs?district=${DISTRICT}&status=sleeping`)).status).toBe(400);
      const unknown = await system.call('/api/orgs/org-does-not-exist');
      expect(unknown.status).toBe(404);
      expect(unknown.body.details[0].field).toBe('id');
    });
  });

  describe('GET /api/coverage', () => {
    it('answers every contract field for a district', async () => {
      const { position } = await register();
      const coverage = await readAt(`/api/coverage?district=${DISTRICT}`, position);
      expect(coverage.status).toBe(200);
      expect(coverage.body).toEqual({
        district: DISTRICT,
        scope: 'district',
        key: DISTRICT,
        asOf: expect.any(String),
        enterprises: expect.any(Number),
        withMembers: expect.any(Number),
        organisational: expect.any(Number),
        work: expect.any(Number),
        none: expect.any(Number),
        notCoveredReasons: { 'needs-assignee': expect.any(Number), 'needs-organisation': expect.any(Number), 'awaiting-joint-members': expect.any(Number) },
        organisationalRate: expect.any(Number),
        overallRate: expect.any(Number),
        target: 0.75,
        meetsTarget: expect.any(Boolean),
        uncoveredLarge: expect.any(Array),
      });
      const c = coverage.body;
      expect(c.enterprises).toBeGreaterThan(0);
      expect(c.organisational + c.work + c.none).toBeLessThanOrEqual(c.enterprises);
      expect(c.overallRate).toBeGreaterThanOrEqual(0);
      expect(c.overallRate).toBeLessThanOrEqual(1);
      expect(Object.values(c.notCoveredReasons as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(c.none);
    });

    it('as of a past time shows the earlier figure, while now shows the later one', async () => {
      const first = await register({}, TIME_TRAVEL_DISTRICT);
      const before = (await readAt(`/api/coverage?district=${TIME_TRAVEL_DISTRICT}`, first.position)).body;
      expect(before.enterprises).toBe(1);
      const asOf = new Date().toISOString();
      await pause(5); // the next events must be recorded strictly after asOf
      await register({}, TIME_TRAVEL_DISTRICT);
      const last = await register({ fullMembers: 0, probationaryMembers: 0 }, TIME_TRAVEL_DISTRICT);

      const now = await readAt(`/api/coverage?district=${TIME_TRAVEL_DISTRICT}`, last.position);
      expect(now.body.enterprises).toBe(3);
      const past = await system.call(`/api/coverage?district=${TIME_TRAVEL_DISTRICT}&asOf=${encodeURIComponent(asOf)}`);
      expect(past.status).toBe(200);
      expect(past.body).toMatchObject({ district: TIME_TRAVEL_DISTRICT, asOf, enterprises: 1, withMembers: before.withMembers });
      const beforeAnything = await system.call(`/api/coverage?district=${TIME_TRAVEL_DISTRICT}&asOf=2000-01-01`);
      expect(beforeAnything.body.enterprises).toBe(0);
    });

    it('answers 400 without a district and for an asOf that is not a date', async () => {
      expect((await system.call('/api/coverage')).status).toBe(400);
      const badDate = await system.call(`/api/coverage?district=${DISTRICT}&asOf=yesterday`);
      expect(badDate.status).toBe(400);
      expect(badDate.body.details[0].field).toBe('asOf');
    });
  });

  describe('GET /api/audit/enterprises/{code}', () => {
    it('lists every event about the enterprise with position, type, time, data and the acting user', async () => {
      const { body } = await register({ fullMembers: 1 });
      const changed = await system.call(`/api/enterprises/${body.creditCode}/member-count`, { method: 'POST', json: { fullMembers: 2, probationaryMembers: 0, reason: 'admission' } });
      const audit = await readAt(`/api/audit/enterprises/${body.creditCode}`, changed.body.position);
      expect(audit.status).toBe(200);
      const registryItems = audit.body.items.filter((item: { type: string }) => ['EnterpriseRegistered', 'MemberCountChanged'].includes(item.type));
      expect(registryItems.map((item: { type: string }) => item.type)).toEqual(['EnterpriseRegistered', 'MemberCountChanged']);
      for (const item of audit.body.items) {
        expect(item).toMatchObject({ position: expect.any(Number), type: expect.any(String), occurredAt: expect.any(String), data: expect.any(Object), metadata: expect.any(Object) });
        expect(Number.isNaN(Date.parse(item.occurredAt))).toBe(false);
      }
      expect(registryItems[0].metadata.actor).toBe('admin:admin');
      expect(registryItems[1]).toMatchObject({ position: changed.body.position, data: { fullMembers: 2, reason: 'admission' } });
      const positions = audit.body.items.map((item: { position: number }) => item.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    });
  });

  describe('POST /api/admin/projections/rebuild', () => {
    it('answers 202 {jobId}; the job runs to succeeded and the data still reads the same', async () => {
      const { body } = await register();
      // Compare against the settled state: the registration's own reactions (formation) land after it.
      const position = await system.settled();
      const beforeEnterprise = (await readAt(`/api/enterprises/${body.creditCode}`, position)).body;
      const beforeCoverage = (await readAt(`/api/coverage?district=${DISTRICT}`, position)).body;

      const started = await system.call('/api/admin/projections/rebuild', { method: 'POST' });
      expect(started.status).toBe(202);
      expect(started.body).toEqual({ jobId: expect.any(String) });
      let job = (await system.call(`/api/admin/jobs/${started.body.jobId}`)).body;
      for (let polls = 0; job.status === 'running' && polls < 200; polls++) {
        await pause(25);
        job = (await system.call(`/api/admin/jobs/${started.body.jobId}`)).body;
      }
      expect(job).toMatchObject({ id: started.body.jobId, kind: 'rebuild', status: 'succeeded', requestedBy: 'admin:admin' });

      expect((await system.call(`/api/enterprises/${body.creditCode}`)).body).toEqual(beforeEnterprise);
      const afterCoverage = (await system.call(`/api/coverage?district=${DISTRICT}`)).body;
      expect({ ...afterCoverage, asOf: undefined }).toEqual({ ...beforeCoverage, asOf: undefined });
    });

    it('answers 404 for a job that does not exist', async () => {
      expect((await system.call('/api/admin/jobs/no-such-job')).status).toBe(404);
    });
  });

  describe('read your writes', () => {
    it('every write answers a position; a read with X-Min-Position at it shows the write', async () => {
      const { body, position: registered } = await register({ fullMembers: 2, employees: 8 });
      expect((await readAt(`/api/enterprises/${body.creditCode}`, registered)).body.fullMembers).toBe(2);

      const members = await system.call(`/api/enterprises/${body.creditCode}/member-count`, { method: 'POST', json: { fullMembers: 7, probationaryMembers: 3, reason: 'admission' } });
      expect(members.body.position).toBeGreaterThan(registered);
      const afterMembers = await readAt(`/api/enterprises/${body.creditCode}`, members.body.position);
      expect(afterMembers.body).toMatchObject({ fullMembers: 7, probationaryMembers: 3 });
      expect(Number(afterMembers.headers.get('x-position'))).toBeGreaterThanOrEqual(members.body.position);

      const employees = await system.call(`/api/enterprises/${body.creditCode}/employee-count`, { method: 'POST', json: { employees: 120 } });
      expect(employees.status).toBe(200);
      expect((await readAt(`/api/enterprises/${body.creditCode}`, employees.body.position)).body.employees).toBe(120);

      const status = await system.call(`/api/enterprises/${body.creditCode}/operating-status`, { method: 'POST', json: { status: 'deregistered' } });
      expect((await readAt(`/api/enterprises/${body.creditCode}`, status.body.position)).body.operatingStatus).toBe('deregistered');
    });

    it('answers 400 for an X-Min-Position that is not a whole number', async () => {
      const read = await system.call(`/api/coverage?district=${DISTRICT}`, { headers: { 'X-Min-Position': 'soon' } });
      expect(read.status).toBe(400);
      expect(read.body.details[0].field).toBe('X-Min-Position');
    });
  });

  describe('the HTTP edge', () => {
    it('answers 413 for a body over the limit, and appends nothing', async () => {
      const head = await system.settled();
      const tooLarge = await system.call('/api/enterprises', { method: 'POST', json: nextRegistration({ name: 'x'.repeat(300 * 1024) }) });
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.body).toMatchObject({ statusCode: 413, details: [{ field: 'body', reason: expect.any(String) }] });
      expect(await system.eventStore.headPosition()).toBe(head);
    });

    it('echoes the X-Request-Id it was given, in the header and in error bodies, and makes one up otherwise', async () => {
      const given = await system.call(`/api/enterprises/${generateCreditCode(DISTRICT, 90_004)}`, { headers: { 'X-Request-Id': 'contract-req-42' } });
      expect(given.headers.get('x-request-id')).toBe('contract-req-42');
      expect(given.body.requestId).toBe('contract-req-42');
      const made = await system.call('/health', { token: null });
      expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('names no framework and computes no ETag for JSON answers (reads are always fresh)', async () => {
      const answer = await system.call('/health', { token: null });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-powered-by')).toBeNull();
      expect(answer.headers.get('etag')).toBeNull();
    });

    it('serves /api/docs-json as OpenAPI 3 listing every contract path', async () => {
      const docs = await system.call('/api/docs-json', { token: null });
      expect(docs.status).toBe(200);
      expect(docs.body.openapi).toMatch(/^3\./);
      expect(docs.body.info.title).toEqual(expect.any(String));
      const paths = Object.keys(docs.body.paths);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/health',
          '/metrics',
          '/api/enterprises',
          '/api/enterprises/{code}',
          '/api/enterprises/{code}/member-count',
          '/api/enterprises/{code}/operating-status',
          '/api/orgs',
          '/api/orgs/{id}',
          '/api/orgs/{id}/tree',
          '/api/orgs/{id}/parent',
          '/api/org-proposals',
          '/api/org-proposals/{id}/approve',
          '/api/org-proposals/{id}/reject',
          '/api/instructors/{personId}/reviews',
          '/api/instructors/{personId}/reviews/{year}/corrections',
          '/api/coverage',
          '/api/audit/enterprises/{code}',
          '/api/audit/orgs/{id}',
          '/api/audit/requests/{id}',
          '/api/admin/projections/rebuild',
          '/api/admin/jobs/{id}',
          '/api/admin/tokens',
        ]),
      );
      expect(Object.keys(docs.body.paths['/api/enterprises'])).toContain('post');
      expect(docs.body.components.securitySchemes).toHaveProperty('bearer');
    });

    it('serves /metrics in the Prometheus format with the liangxin_ gauges at the store head', async () => {
      const { position } = await register();
      await readAt(`/api/enterprises/${generateCreditCode(DISTRICT, serial)}`, position);
      const metrics = await system.call('/metrics', { token: null });
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      const gauge = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(metrics.body)?.[1]);
      for (const name of ['liangxin_events_appended', 'liangxin_projection_position', 'liangxin_consumer_position']) expect(metrics.body).toContain(`# TYPE ${name} gauge`);
      expect(gauge('liangxin_events_appended')).toBeGreaterThanOrEqual(position);
      expect(gauge('liangxin_projection_position')).toBeGreaterThanOrEqual(position);
      expect(metrics.body).toContain('liangxin_http_request_seconds');
    });
  });
});
