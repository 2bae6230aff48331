import { generateCreditCode } from '@liangxin/registry-domain';
import { startTestSystem, type TestSystem } from './testing';

const DISTRICT = '430104';
const OWN = generateCreditCode(DISTRICT, 41);
const instructor = { kind: 'instructor', id: 'inst-7', name: '李指导员' };
const chinaToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
const chinaDay = (offsetDays: number) => new Date(Date.now() + 8 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('service requests over HTTP: an enterprise applies and follows its request (embedded system)', () => {
  let system: TestSystem;
  let officer: string;
  let enterprise: string;

  beforeAll(async () => {
    system = await startTestSystem();
    const issue = async (principal: object) => (await system.call('/api/admin/tokens', { method: 'POST', json: principal })).body.token as string;
    officer = await issue({ subject: 'zhang', role: 'officer', districts: [DISTRICT] });
    enterprise = await issue({ subject: 'own-enterprise', role: 'enterprise', creditCode: OWN });
    const registered = await system.call('/api/enterprises', {
      method: 'POST',
      json: { creditCode: OWN, name: '需求测试企业', kind: 'enterprise', employees: 30, fullMembers: 1, probationaryMembers: 0 },
    });
    expect(registered.status).toBe(201);
    await system.waitForReadModels(registered.body.position);
  });

  afterAll(async () => {
    await system.shutdown();
  });

  async function call(method: string, path: string, token: string, body?: object, minPosition?: number) {
    const headers: Record<string, string> = minPosition === undefined ? {} : { 'x-min-position': String(minPosition) };
    const response = await system.call(path, { method, token, json: body, headers });
    return { status: response.status, body: response.body };
  }

  async function submit(description: string, category = 'financing') {
    const answer = await call('POST', '/api/requests', enterprise, { creditCode: OWN, category, description });
    expect(answer).toEqual({ status: 201, body: { requestId: expect.stringMatching(/^req-/), position: expect.any(Number) } });
    return answer.body as { requestId: string; position: number };
  }

  it('takes a request from submission to the enterprise confirming it, and another through a reopening, with matching counts', async () => {
    const first = await submit('需要一笔设备贷款');
    let position = first.position;
    const step = async (token: string, action: string, requestId: string, body?: object) => {
      const answer = await call('POST', `/api/requests/${requestId}/${action}`, token, body, position);
      expect({ action, status: answer.status }).toEqual({ action, status: 200 });
      position = answer.body.position;
    };

    await step(officer, 'accept', first.requestId, { owner: instructor, dueDate: chinaDay(14) });
    await step(officer, 'start', first.requestId);
    await step(officer, 'resolve', first.requestId, { resolution: '对接农商行，贷款已批' });
    await step(enterprise, 'confirm', first.requestId);

    const mine = await call('GET', `/api/requests/${first.requestId}`, enterprise, undefined, position);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ requestId: first.requestId, creditCode: OWN, district: DISTRICT, status: 'confirmed', owner: instructor, resolution: '对接农商行，贷款已批', overdue: false });
    expect(mine.body.history.map((s: { status: string }) => s.status)).toEqual(['received', 'accepted', 'in_progress', 'resolved', 'confirmed']);
    // the audit trail of the request: each step with who took it and under which command
    const trail = await call('GET', `/api/audit/requests/${first.requestId}`, enterprise, undefined, position);
    expect(trail.status).toBe(200);
    expect(trail.body.items.map((e: { type: string; metadata: { actor: string } }) => [e.type, e.metadata.actor])).toEqual([
      ['RequestSubmitted', 'enterprise:own-enterprise'],
      ['RequestAccepted', 'officer:zhang'],
      ['RequestWorkStarted', 'officer:zhang'],
      ['RequestResolved', 'officer:zhang'],
      ['RequestConfirmed', 'enterprise:own-enterprise'],
    ]);
    expect(trail.body.items[3]).toMatchObject({ data: { resolution: '对接农商行，贷款已批' }, metadata: { commandId: expect.any(String) } });

    const second = await submit('招聘20名技工', 'hiring');
    position = second.position;
    await step(officer, 'accept', second.requestId, { owner: { kind: 'service-group', id: 'group-3', name: '第三服务组' }, dueDate: chinaDay(7) });
    await step(officer, 'start', second.requestId);
    await step(officer, 'resolve', second.requestId, { resolution: '推荐了招聘会' });
    await step(enterprise, 'reopen', second.requestId, { reason: '招聘会没有合适的人' });
    await step(officer, 'start', second.requestId);
    await step(officer, 'resolve', second.requestId, { resolution: '人社局定向培训20人' });

    const third = await submit('厂房用地审批');
    position = third.position;

    const reopened = await call('GET', `/api/requests/${second.requestId}`, officer, undefined, position);
    expect(reopened.body).toMatchObject({ status: 'resolved', timesReopened: 1, reopenReason: '招聘会没有合适的人', resolution: '人社局定向培训20人' });

    const summary = await call('GET', `/api/requests/summary?district=${DISTRICT}`, officer, undefined, position);
    expect(summary).toEqual({
      status: 200,
      body: {
        district: DISTRICT,
        asOf: chinaToday(),
        submitted: 3,
        byStatus: { received: 1, accepted: 0, in_progress: 0, resolved: 1, confirmed: 1, reopened: 0 },
        open: 1,
        closed: 1,
        overdue: 0,
      },
    });

    const listed = await call('GET', `/api/requests?district=${DISTRICT}&status=resolved`, officer, undefined, position);
    expect(listed.body.items.map((r: { requestId: string }) => r.requestId)).toEqual([second.requestId]);
    const own = await call('GET', '/api/requests', enterprise, undefined, position);
    expect(own.body.items).toHaveLength(3);
  });

  it('refuses a transition the lifecycle does not allow with 409 and details, appending nothing', async () => {
    const { requestId, position } = await submit('安全生产检查咨询', 'safety');
    await system.waitForReadModels(position);
    const head = await system.settled();

    const refused = await call('POST', `/api/requests/${requestId}/confirm`, enterprise);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'REQUEST_TRANSITION_NOT_ALLOWED', details: [{ field: 'status', reason: expect.stringContaining('received') }] });

    expect(await system.settled()).toBe(head);
  });

  it('refuses a due date before the submission date with 400 on dueDate, appending nothing', async () => {
    const { requestId, position } = await submit('政策咨询', 'policy');
    await system.waitForReadModels(position);
    const head = await system.settled();

    const refused = await call('POST', `/api/requests/${requestId}/accept`, officer, { owner: instructor, dueDate: chinaDay(-3) });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'DUE_DATE_BEFORE_SUBMISSION', details: [{ field: 'dueDate' }] });

    const malformed = await call('POST', `/api/requests/${requestId}/accept`, officer, { owner: instructor, dueDate: 'next week' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.details).toEqual([expect.objectContaining({ field: 'dueDate' })]);

    expect(await system.settled()).toBe(head);
  });

  it('refuses a request for an enterprise that is not registered with 404, appending nothing', async () => {
    const head = await system.settled();
    const unknown = generateCreditCode(DISTRICT, 998);
    const refused = await call('POST', '/api/requests', officer, { creditCode: unknown, category: 'land', description: '用地' });
    expect(refused.status).toBe(404);
    expect(refused.body.details).toEqual([expect.objectContaining({ field: 'creditCode' })]);
    expect(await system.settled()).toBe(head);
  });
});
