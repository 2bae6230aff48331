import type { RecordedEvent } from '@liangxin/contracts';
import { UnitOfWork } from '../../runner/unit-of-work';
import { type DistrictRequestCounts, SERVICE_REQUEST_DISTRICTS, SERVICE_REQUESTS, serviceRequestsProjection, type ServiceRequestView } from './service-requests';

let position = 0;
const recorded = (type: string, data: Record<string, unknown>, actor = 'officer:zhang'): RecordedEvent => {
  position += 1;
  const at = new Date(Date.UTC(2024, 5, 1, 0, 0, position)).toISOString();
  return { type, schemaVersion: 1, data, eventId: `e${position}`, streamId: `service-request-${data['requestId']}`, streamVersion: position - 1, globalPosition: position, occurredAt: at, recordedAt: at, metadata: { actor } };
};

const refOf = (requestId: string, district = '430104') => ({ requestId, district, creditCode: '91430104MA4L000001' });
const submitted = (requestId: string, district = '430104') =>
  recorded('RequestSubmitted', { ...refOf(requestId, district), category: 'financing', description: 'a loan', submittedBy: 'enterprise:own', submittedAt: '2024-06-01T00:00:00.000Z' }, 'enterprise:own');
const accepted = (requestId: string) => recorded('RequestAccepted', { ...refOf(requestId), previousStatus: 'received', owner: { kind: 'instructor', id: 'inst-7', name: '李指导员' }, dueDate: '2024-06-15' });
const started = (requestId: string, previousStatus = 'accepted') => recorded('RequestWorkStarted', { ...refOf(requestId), previousStatus });
const resolved = (requestId: string, resolution = 'loan approved') => recorded('RequestResolved', { ...refOf(requestId), previousStatus: 'in_progress', resolution });
const confirmed = (requestId: string) => recorded('RequestConfirmed', { ...refOf(requestId), previousStatus: 'resolved' }, 'enterprise:own');
const reopened = (requestId: string) => recorded('RequestReopened', { ...refOf(requestId), previousStatus: 'resolved', reason: 'too small' }, 'enterprise:own');

async function project(events: readonly RecordedEvent[]) {
  const unit = new UnitOfWork(async () => undefined);
  for (const event of events) await serviceRequestsProjection.apply(event, unit);
  return {
    request: async (requestId: string) => (await unit.load<ServiceRequestView>(SERVICE_REQUESTS, requestId))?.body,
    district: async (district = '430104') => (await unit.load<DistrictRequestCounts>(SERVICE_REQUEST_DISTRICTS, district))?.body,
  };
}

describe('service requests projection', () => {
  beforeEach(() => {
    position = 0;
  });

  it('keeps each request as it stands, with its owner, due date and every step', async () => {
    const view = await project([submitted('r1'), accepted('r1'), started('r1'), resolved('r1'), reopened('r1'), started('r1', 'reopened'), resolved('r1', 'a bigger loan')]);

    const request = await view.request('r1');
    expect(request).toMatchObject({
      requestId: 'r1',
      district: '430104',
      status: 'resolved',
      owner: { kind: 'instructor', id: 'inst-7', name: '李指导员' },
      dueDate: '2024-06-15',
      resolution: 'a bigger loan',
      reopenReason: 'too small',
      timesReopened: 1,
    });
    expect(request?.history.map((s) => [s.status, s.actor, s.note])).toEqual([
      ['received', 'enterprise:own', null],
      ['accepted', 'officer:zhang', null],
      ['in_progress', 'officer:zhang', null],
      ['resolved', 'officer:zhang', 'loan approved'],
      ['reopened', 'enterprise:own', 'too small'],
      ['in_progress', 'officer:zhang', null],
      ['resolved', 'officer:zhang', 'a bigger loan'],
    ]);
    expect(await view.request('nobody')).toBeUndefined();
  });

  it('counts the requests of each district by status, moving each one as it changes', async () => {
    const view = await project([
      submitted('r1'),
      submitted('r2'),
      submitted('r3'),
      submitted('b1', '430105'),
      accepted('r1'),
      started('r1'),
      resolved('r1'),
      confirmed('r1'),
      accepted('r2'),
      started('r2'),
      resolved('r2'),
      reopened('r2'),
    ]);

    expect(await view.district()).toEqual({
      district: '430104',
      submitted: 3,
      byStatus: { received: 1, accepted: 0, in_progress: 0, resolved: 0, confirmed: 1, reopened: 1 },
    });
    expect((await view.district('430105'))?.byStatus.received).toBe(1);
  });

  it('applies a redelivered event once', async () => {
    const first = submitted('r1');
    const acceptance = accepted('r1');
    const view = await project([first, acceptance, first, acceptance]);

    expect((await view.district())?.byStatus).toMatchObject({ received: 0, accepted: 1 });
    expect((await view.district())?.submitted).toBe(1);
    expect((await view.request('r1'))?.history).toHaveLength(2);
  });
});
