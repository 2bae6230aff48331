import type { RecordedEvent } from '@liangxin/contracts';
import { UnitOfWork } from '../../runner/unit-of-work';
import { ORG_PROPOSALS, orgProposalsProjection, type OrgProposalView } from './org-proposals';

const DAY_MS = 86_400_000;
const at = (position: number, day: number): Pick<RecordedEvent, 'globalPosition' | 'occurredAt' | 'recordedAt' | 'eventId' | 'streamVersion'> => {
  const time = new Date(Date.UTC(2025, 2, 1) + day * DAY_MS + position * 1000).toISOString();
  return { globalPosition: position, occurredAt: time, recordedAt: time, eventId: `e${position}`, streamVersion: position - 1 };
};
const event = (position: number, day: number, type: string, data: Record<string, unknown>, actor: string): RecordedEvent => ({
  type,
  schemaVersion: 1,
  data,
  streamId: `org-${data['orgId']}`,
  metadata: { actor },
  ...at(position, day),
});
const proposed = (orgId: string, position: number) =>
  event(position, 0, 'OrgProposed', { orgId, district: '430104', name: '楼宇联合党支部', mode: 'building-shared', enterprises: [{ creditCode: 'E1', fullMembers: 3, probationaryMembers: 0 }], proposedBy: 'officer:li' }, 'officer:li');
const formed = (orgId: string, position: number, day: number) => event(position, day, 'OrgFormed', { orgId, district: '430104', name: '楼宇联合党支部', enterprises: [] }, 'officer:wang');

async function project(events: readonly RecordedEvent[]) {
  const unit = new UnitOfWork(async () => undefined);
  for (const e of events) await orgProposalsProjection.apply(e, unit);
  return async (orgId: string) => (await unit.load<OrgProposalView>(ORG_PROPOSALS, orgId))?.body;
}

describe('org proposals projection', () => {
  it('shows a proposal pending, then approved by whoever formed it, with the days it waited', async () => {
    const read = await project([proposed('p1', 1)]);
    expect(await read('p1')).toMatchObject({ status: 'pending', proposedBy: 'officer:li', decidedBy: null, daysToDecision: null });
    const approved = await project([proposed('p1', 1), formed('p1', 2, 2)]);
    expect(await approved('p1')).toMatchObject({ status: 'approved', decidedBy: 'officer:wang', daysToDecision: 2, rejectionReason: null });
  });

  it('shows a rejection with its reason, and ignores a later OrgFormed of the same id', async () => {
    const rejected = event(2, 5, 'OrgProposalRejected', { orgId: 'p1', district: '430104', reason: '材料不全', rejectedBy: 'officer:wang' }, 'officer:wang');
    const read = await project([proposed('p1', 1), rejected, formed('p1', 3, 6)]);
    expect(await read('p1')).toMatchObject({ status: 'rejected', decidedBy: 'officer:wang', rejectionReason: '材料不全', daysToDecision: 5 });
  });

  it('keeps no document for an organisation formed without a proposal, and a redelivered event changes nothing', async () => {
    expect(await (await project([formed('auto', 1, 0)]))('auto')).toBeUndefined();
    const once = await project([proposed('p1', 1), formed('p1', 2, 1)]);
    const twice = await project([proposed('p1', 1), formed('p1', 2, 1), proposed('p1', 1), formed('p1', 2, 1)]);
    expect(await twice('p1')).toEqual(await once('p1'));
  });
});
