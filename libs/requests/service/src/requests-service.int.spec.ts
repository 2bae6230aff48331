import { enterpriseStreamId, RequestPatterns, serviceRequestStreamId } from '@liangxin/contracts';
import { ServiceTestbed } from '@liangxin/platform/testing';
import { requestIdFor } from './requests-commands.controller';
import { REQUESTS_CONSUMER, RequestsServiceModule } from './requests-service.module';

const DISTRICT = '430104';
const CREDIT_CODE = '91430104MA4L000001';
const submission = { creditCode: CREDIT_CODE, district: DISTRICT, category: 'hiring', description: '招聘20名技工' };
const owner = { kind: 'service-group', id: 'group-3', name: '第三服务组' };

describe('requests service as a Nest microservice over the in-process transport and SQLite', () => {
  let testbed: ServiceTestbed;

  beforeEach(async () => {
    testbed = await ServiceTestbed.start({ name: REQUESTS_CONSUMER, module: RequestsServiceModule, actor: 'enterprise:own' });
    // the registry's record of the enterprise: the service takes its district from there
    await testbed.store.append(
      enterpriseStreamId(CREDIT_CODE),
      [
        {
          type: 'EnterpriseRegistered',
          schemaVersion: 1,
          data: { creditCode: CREDIT_CODE, district: DISTRICT, name: '长沙某科技有限公司', kind: 'enterprise', employees: 40, fullMembers: 1, probationaryMembers: 0 },
          metadata: { actor: 'officer:li', district: DISTRICT },
        },
      ],
      { expected: 'no_stream' },
    );
  });

  afterEach(async () => {
    await testbed.close();
  });

  const eventsOf = (requestId: string) => testbed.store.readStream(serviceRequestStreamId(requestId));
  const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

  it('takes a request through its lifecycle to confirmation, naming the district in every event', async () => {
    const submitted = await testbed.send<{ requestId: string }>(RequestPatterns.submit, submission, 'submit-1');
    const requestId = submitted.result?.requestId as string;
    expect(requestId).toBe(requestIdFor('submit-1'));

    await testbed.send(RequestPatterns.accept, { requestId, owner, dueDate: today() });
    await testbed.send(RequestPatterns.startWork, { requestId });
    await testbed.send(RequestPatterns.resolve, { requestId, resolution: '人社局专场招聘会' });
    const confirmed = await testbed.send(RequestPatterns.confirm, { requestId });

    const events = await eventsOf(requestId);
    expect(events.map((e) => e.type)).toEqual(['RequestSubmitted', 'RequestAccepted', 'RequestWorkStarted', 'RequestResolved', 'RequestConfirmed']);
    expect(events[0].data).toMatchObject({ requestId, district: DISTRICT, creditCode: CREDIT_CODE, category: 'hiring', submittedBy: 'enterprise:own' });
    expect(events.every((e) => e.metadata.district === DISTRICT && e.data['creditCode'] === CREDIT_CODE)).toBe(true);
    expect(confirmed.position).toBe(events[4].globalPosition);
  });

  it('receives a retried submission once: the request id comes from the command id', async () => {
    const first = await testbed.send<{ requestId: string }>(RequestPatterns.submit, submission, 'retry-1');
    const retried = await testbed.send<{ requestId: string }>(RequestPatterns.submit, submission, 'retry-1');
    expect(retried).toEqual({ ...first, idempotentReplay: true });
    expect(await eventsOf(first.result?.requestId as string)).toHaveLength(1);
  });

  it('refuses a wrong transition and a due date before submission, appending nothing', async () => {
    const { result } = await testbed.send<{ requestId: string }>(RequestPatterns.submit, submission);
    const requestId = result?.requestId as string;

    expect(await testbed.refusalCode(RequestPatterns.confirm, { requestId })).toBe('REQUEST_TRANSITION_NOT_ALLOWED');
    expect(await testbed.refusalCode(RequestPatterns.accept, { requestId, owner, dueDate: '2000-01-01' })).toBe('DUE_DATE_BEFORE_SUBMISSION');
    expect(await testbed.refusalCode(RequestPatterns.startWork, { requestId: 'req-nobody' })).toBe('REQUEST_NOT_FOUND');
    expect((await eventsOf(requestId)).map((e) => e.type)).toEqual(['RequestSubmitted']);
  });

  it('refuses a request for an enterprise the registry does not know, appending nothing', async () => {
    const before = await testbed.store.headPosition();
    expect(await testbed.refusalCode(RequestPatterns.submit, { ...submission, creditCode: '91430104MA4L000999' })).toBe('ENTERPRISE_NOT_REGISTERED');
    expect(await testbed.store.headPosition()).toBe(before);
  });
});
