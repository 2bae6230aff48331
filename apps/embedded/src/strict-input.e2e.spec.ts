import { generateCreditCode } from '@liangxin/registry-domain';
import { startTestSystem, type TestSystem } from './testing';

// Issue 13, items 9–12: what a client sends is taken as sent or refused with a 400/415/422 naming the field,
// never coerced, never a 500, and a refused request appends nothing.
const DISTRICT = '430104';

describe('strict input over HTTP (embedded system)', () => {
  let system: TestSystem;
  let serial = 0;
  const registration = (overrides: Record<string, unknown> = {}) => ({
    creditCode: generateCreditCode(DISTRICT, ++serial),
    name: `严格输入企业${serial}有限公司`,
    kind: 'enterprise',
    employees: 60,
    fullMembers: 4,
    probationaryMembers: 1,
    ...overrides,
  });
  /** sends JSON text exactly as written (numbers JSON.stringify cannot write, keys it would drop) */
  const sendRaw = (method: string, path: string, text: string, headers: Record<string, string> = {}) =>
    system.call(path, { method, body: text, headers: { 'content-type': 'application/json', ...headers } });

  /** the answer refuses the field, in the one error shape, and the store's head did not move */
  const expectRefused = async (answer: { status: number; body: { details?: { field: string }[] } }, status: number, field: string, headBefore: number) => {
    expect(answer.status).toBe(status);
    expect(answer.body.details).toContainEqual({ field, reason: expect.any(String) });
    expect(await system.eventStore.headPosition()).toBe(headBefore);
  };

  let orgId: string;
  let idleCreditCode: string;

  beforeAll(async () => {
    system = await startTestSystem();
    const withBranch = registration();
    expect((await system.call('/api/enterprises', { method: 'POST', json: withBranch })).status).toBe(201);
    const idle = registration({ fullMembers: 0, probationaryMembers: 0, employees: 8 });
    idleCreditCode = idle.creditCode;
    expect((await system.call('/api/enterprises', { method: 'POST', json: idle })).status).toBe(201);
    await system.settled();
    orgId = (await system.call(`/api/enterprises/${withBranch.creditCode}`)).body.orgId;
    expect(orgId).toEqual(expect.any(String));
  });
  afterAll(async () => {
    await system.shutdown();
  });

  describe('item 9: numbers are JSON numbers, bounded', () => {
    it.each([
      ['true', 'true'],
      ['an empty string', '""'],
      ['a blank string', '"   "'],
      ['hexadecimal text', '"0x3"'],
      ['padded digits', '" 3 "'],
      ['digits as text', '"3"'],
      ['1e300', '1e300'],
      ['2^53 + 1 (stored as 2^53 if accepted)', '9007199254740993'],
      ['more people than any employer has', '20000000'],
    ])('refuses %s as a head count, naming the field, appending nothing', async (_label, employees) => {
      const head = await system.settled();
      const body = JSON.stringify(registration()).replace('"employees":60', `"employees":${employees}`);
      await expectRefused(await sendRaw('POST', '/api/enterprises', body), 400, 'employees', head);
    });

    it('stores a JSON number exactly as sent', async () => {
      const body = registration({ employees: 37 });
      const created = await system.call('/api/enterprises', { method: 'POST', json: body });
      expect(created.status).toBe(201);
      const read = await system.call(`/api/enterprises/${body.creditCode}`, { headers: { 'X-Min-Position': String(created.body.position) } });
      expect(read.body.employees).toBe(37);
    });

    it('refuses a number given as text where a rule counts members, and an inexact amount of money', async () => {
      const head = await system.settled();
      await expectRefused(await sendRaw('POST', `/api/enterprises/${idleCreditCode}/member-count`, '{"fullMembers":"5","probationaryMembers":0,"reason":"transfer-in"}'), 400, 'fullMembers', head);
      await expectRefused(await sendRaw('POST', '/api/funding/budgets', '{"district":"430104","year":2025,"amountFen":9007199254740993}'), 400, 'amountFen', head);
    });

    it('parses numbers in headers and query strings strictly', async () => {
      // (an HTTP header's surrounding spaces are not part of its value: fetch trims them)
      for (const position of ['0x3', '1e3', '+3', '3.0']) {
        const answer = await system.call('/api/orgs', { headers: { 'X-Min-Position': position } });
        expect(answer.status).toBe(400);
        expect(answer.body.details).toContainEqual({ field: 'X-Min-Position', reason: expect.any(String) });
      }
      const depth = await system.call(`/api/orgs/${orgId}/tree?depth=%203%20`);
      expect(depth.status).toBe(400);
      expect(depth.body.details).toContainEqual({ field: 'depth', reason: expect.any(String) });
      expect((await system.call(`/api/orgs/${orgId}/tree?depth=3`)).status).toBe(200);
    });
  });

  describe('item 10: no 500 for anything a client can send', () => {
    it('refuses a body nested 20 000 levels deep on every kind of route, naming body', async () => {
      const head = await system.settled();
      const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
      for (const [method, path] of [
        ['POST', '/api/enterprises'],
        ['PUT', `/api/orgs/${orgId}/secretary`],
        ['POST', `/api/orgs/${orgId}/parent`],
        ['POST', '/api/requests'],
      ]) {
        await expectRefused(await sendRaw(method, path, `{"name":${deep}}`), 400, 'body', head);
      }
      // within the depth limit a nested body is still an ordinary validation answer
      await expectRefused(await sendRaw('POST', '/api/enterprises', `{"name":${'['.repeat(20)}${']'.repeat(20)}}`), 400, 'name', head);
    });

    it('refuses a secretary or instructor without a person, with [], as a bare array, as text or as a form', async () => {
      const head = await system.settled();
      for (const role of ['secretary', 'instructor']) {
        const path = `/api/orgs/${orgId}/${role}`;
        await expectRefused(await system.call(path, { method: 'PUT', json: {} }), 400, 'person', head);
        await expectRefused(await system.call(path, { method: 'PUT', json: { person: [] } }), 400, 'person', head);
        await expectRefused(await system.call(path, { method: 'PUT', json: { person: 'p-1' } }), 400, 'person', head);
        await expectRefused(await system.call(path, { method: 'PUT', json: [] }), 400, 'body', head);
        await expectRefused(await system.call(path, { method: 'PUT', json: 'p-1' }), 400, 'body', head);
        const asText = await system.call(path, { method: 'PUT', body: '{"person":{"personId":"p-1","name":"王书记"}}', headers: { 'content-type': 'text/plain' } });
        await expectRefused(asText, 415, 'content-type', head);
        const asForm = await system.call(path, { method: 'PUT', body: 'person=p-1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        await expectRefused(asForm, 415, 'content-type', head);
        const badCharset = await system.call(path, { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json; charset=latin-9' } });
        await expectRefused(badCharset, 415, 'content-type', head);
      }
    });

    it('takes a JSON body that starts with a byte-order mark as the JSON it is', async () => {
      const answer = await sendRaw('PUT', `/api/orgs/${orgId}/secretary`, '\uFEFF{"person":{"personId":"p-bom","name":"王书记"}}');
      expect(answer.status).toBeLessThan(500);
      expect([200, 400]).toContain(answer.status);
    });

    it('refuses work coverage without an assignee, or with one that is not a person', async () => {
      const head = await system.settled();
      const path = `/api/enterprises/${idleCreditCode}/work-coverage`;
      await expectRefused(await system.call(path, { method: 'PUT', json: { coveredBy: 'instructor' } }), 400, 'assignee', head);
      await expectRefused(await system.call(path, { method: 'PUT', json: { coveredBy: 'instructor', assignee: [] } }), 400, 'assignee', head);
      await expectRefused(await system.call(path, { method: 'PUT', json: { coveredBy: 'instructor', assignee: null } }), 400, 'assignee', head);
    });
  });

  describe('item 11: prototype keys and unreadable text', () => {
    it.each(['__proto__', 'constructor', 'prototype'])('refuses %s as a key at the top and deep inside, like any unknown field', async (key) => {
      const head = await system.settled();
      const top = JSON.stringify(registration()).replace(/^\{/, `{"${key}":{"isAdmin":true},`);
      await expectRefused(await sendRaw('POST', '/api/enterprises', top), 400, key, head);
      await expectRefused(await sendRaw('PUT', `/api/orgs/${orgId}/secretary`, `{"person":{"personId":"p-2","name":"李书记","${key}":{"x":1}}}`), 400, `person.${key}`, head);
      const scores = `{"orgId":"${orgId}","year":2024,"rubricId":"five-standards","district":"${DISTRICT}","scores":{"${key}":80}}`;
      await expectRefused(await sendRaw('POST', '/api/evaluation/assessments', scores), 400, `scores.${key}`, head);
    });

    it.each([
      ['zero-width characters only', '\u200B\u200C\u200D\uFEFF'],
      ['control characters only', '\u0001\u0002\u0007'],
      ['a control character in a name', '王\u0000书记'],
      ['a lone surrogate', 'ab\uD800cd'],
      ['a right-to-left override', '\u202Egnp.exe'],
      ['a bidi isolate', '王\u2066书记\u2069'],
      ['spaces only', '   '],
      ['a zero-width space inside a name', '王\u200B书记'],
      ['a byte-order mark before a name', '\uFEFF王书记'],
      ['a line separator', '王书记\u2028'],
    ])('refuses %s in names and free text, naming the field', async (_label, text) => {
      const head = await system.settled();
      await expectRefused(await system.call('/api/enterprises', { method: 'POST', json: registration({ name: text }) }), 400, 'name', head);
      await expectRefused(await system.call(`/api/orgs/${orgId}/secretary`, { method: 'PUT', json: { person: { personId: 'p-3', name: text } } }), 400, 'person.name', head);
      await expectRefused(await system.call(`/api/orgs/${orgId}/dissolve`, { method: 'POST', json: { reason: text } }), 400, 'reason', head);
    });

    it('keeps readable text as sent: Chinese, emoji with joiners, line breaks in a note', async () => {
      const body = registration({ name: '长沙👨‍👩‍👧科技有限公司', park: '岳麓\n科技园' });
      const created = await system.call('/api/enterprises', { method: 'POST', json: body });
      expect(created.status).toBe(201);
      const read = await system.call(`/api/enterprises/${body.creditCode}`, { headers: { 'X-Min-Position': String(created.body.position) } });
      expect(read.body).toMatchObject({ name: body.name });
    });
  });

  describe('districts and ids: one rule for every body that names them', () => {
    const grant = (overrides: Record<string, unknown>) => ({ district: DISTRICT, year: 2025, orgId, item: 'member_activity', amountFen: 10_000, justifiedBy: ['plan-1'], ...overrides });

    it.each(['000000', '430000', '990104'])('refuses a budget, a grant, an assessment, a review and a token in district %s, appending nothing', async (district) => {
      const head = await system.settled();
      await expectRefused(await system.call('/api/funding/budgets', { method: 'POST', json: { district, year: 2025, amountFen: 100_000 } }), 400, 'district', head);
      await expectRefused(await system.call('/api/funding/grants', { method: 'POST', json: grant({ district }) }), 400, 'district', head);
      const scores = { orgId, year: 2024, rubricId: 'five-standards', district, scores: { organisation: 80 } };
      await expectRefused(await system.call('/api/evaluation/assessments', { method: 'POST', json: scores }), 400, 'district', head);
      await expectRefused(await system.call('/api/instructors/p-strict/reviews', { method: 'POST', json: { name: '李指导员', district, year: 2025, rating: 'competent' } }), 400, 'district', head);
      const token = await system.call('/api/admin/tokens', { method: 'POST', json: { subject: 'strict', role: 'officer', districts: [DISTRICT, district] } });
      expect(token.status).toBe(400);
      expect(token.body.details).toContainEqual({ field: 'districts', reason: expect.any(String) });
    });

    it.each(['000000', '430000', '990104'])('refuses district %s in a query string too, naming district', async (district) => {
      for (const path of [`/api/orgs?district=${district}`, `/api/coverage?district=${district}`, `/api/funding/budgets?district=${district}`]) {
        const answer = await system.call(path);
        expect([path, answer.status]).toEqual([path, 400]);
        expect(answer.body.details).toContainEqual({ field: 'district', reason: expect.any(String) });
      }
    });

    it.each([
      ['100 characters', 'o'.repeat(100)],
      ['a control character', 'org\u0001a'],
      ['a space', 'org a'],
      ['an empty id', ''],
    ])('refuses an organisation, grant or event id with %s, naming the field, appending nothing', async (_label, id) => {
      const head = await system.settled();
      await expectRefused(await system.call('/api/funding/grants', { method: 'POST', json: grant({ orgId: id }) }), 400, 'orgId', head);
      await expectRefused(await system.call('/api/funding/grants', { method: 'POST', json: grant({ grantId: id }) }), 400, 'grantId', head);
      await expectRefused(await system.call('/api/funding/grants', { method: 'POST', json: grant({ justifiedBy: ['plan-1', id] }) }), 400, 'justifiedBy', head);
      const scores = { orgId: id, year: 2024, rubricId: 'five-standards', district: DISTRICT, scores: { organisation: 80 } };
      await expectRefused(await system.call('/api/evaluation/assessments', { method: 'POST', json: scores }), 400, 'orgId', head);
      const owner = { kind: 'instructor', id, name: '李指导员' };
      await expectRefused(await system.call('/api/requests/req-unknown/accept', { method: 'POST', json: { owner, dueDate: '2099-01-01' } }), 400, 'owner.id', head);
    });

    it('takes an event id written as a UUID as what justifies a grant', async () => {
      const answer = await system.call('/api/funding/grants', { method: 'POST', json: grant({ justifiedBy: ['3f1c2a9e-8b7d-4c6e-9f00-1a2b3c4d5e6f'] }) });
      expect(answer.body.details ?? []).not.toContainEqual(expect.objectContaining({ field: 'justifiedBy' }));
      expect(answer.status).not.toBe(400);
    });
  });

  describe('item 12: an Idempotency-Key names one request', () => {
    const keyed = (key: string) => ({ 'idempotency-key': key });

    it('replays the same request, and answers 422 IDEMPOTENCY_KEY_REUSED for another body, another command or another record, appending nothing', async () => {
      const first = registration({ fullMembers: 0, probationaryMembers: 0, employees: 5 });
      expect((await system.call('/api/enterprises', { method: 'POST', json: first })).status).toBe(201);
      await system.settled();
      const path = `/api/enterprises/${first.creditCode}/member-count`;
      const change = { fullMembers: 1, probationaryMembers: 0, reason: 'transfer-in' };
      const applied = await system.call(path, { method: 'POST', json: change, headers: keyed('member-change-1') });
      expect(applied.status).toBe(200);
      const head = await system.settled();

      const retried = await system.call(path, { method: 'POST', json: change, headers: keyed('member-change-1') });
      expect(retried.status).toBe(200);
      expect(retried.body.position).toBe(applied.body.position);

      const reused = [
        await system.call(path, { method: 'POST', json: { ...change, fullMembers: 2 }, headers: keyed('member-change-1') }),
        await system.call(`/api/enterprises/${first.creditCode}/employee-count`, { method: 'POST', json: { employees: 9 }, headers: keyed('member-change-1') }),
        await system.call('/api/enterprises', { method: 'POST', json: registration(), headers: keyed('member-change-1') }),
      ];
      for (const answer of reused) {
        expect(answer.status).toBe(422);
        expect(answer.body).toMatchObject({ statusCode: 422, error: 'IDEMPOTENCY_KEY_REUSED' });
        expect(answer.body.details).toContainEqual({ field: 'Idempotency-Key', reason: expect.any(String) });
      }
      expect(await system.eventStore.headPosition()).toBe(head);
    });

    it('lets a key whose request was refused by a rule carry the corrected request', async () => {
      const taken = registration();
      expect((await system.call('/api/enterprises', { method: 'POST', json: taken })).status).toBe(201);
      const refused = await system.call('/api/enterprises', { method: 'POST', json: taken, headers: keyed('corrected-1') });
      expect(refused.status).toBe(409);
      const corrected = await system.call('/api/enterprises', { method: 'POST', json: registration(), headers: keyed('corrected-1') });
      expect(corrected.status).toBe(201);
    });
  });
});
