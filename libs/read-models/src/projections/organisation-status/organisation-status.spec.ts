import type { RecordedEvent } from '@liangxin/contracts';
import { recorded } from '../../testing/recorded';
import { evolveOrganisationStatus, type OrganisationStatus } from './organisation-status';

const ref = { orgId: 'o1', district: '430100' };
const fold = (events: RecordedEvent[]) => events.reduce<OrganisationStatus | undefined>((s, e) => evolveOrganisationStatus(s, e) ?? s, undefined);
const formed = recorded(1, 'OrgFormed', {
  ...ref,
  name: 'Joint branch',
  mode: 'joint',
  level: 'branch',
  committeeSize: 0,
  enterprises: [
    { creditCode: 'B', fullMembers: 1, probationaryMembers: 1 },
    { creditCode: 'A', fullMembers: 2, probationaryMembers: 0 },
  ],
  fullMembers: 3,
  probationaryMembers: 1,
});

describe('organisation status', () => {
  it('follows joins, recounts, leaves, people and level', () => {
    const org = fold([
      formed,
      recorded(2, 'EnterpriseJoinedOrg', { ...ref, creditCode: 'C', fullMembers: 2, probationaryMembers: 0, fullMembersTotal: 5, probationaryMembersTotal: 1 }),
      recorded(3, 'OrgMembersRecounted', { ...ref, creditCode: 'A', fullMembers: 3, probationaryMembers: 0, fullMembersTotal: 6, probationaryMembersTotal: 1 }),
      recorded(4, 'EnterpriseLeftOrg', { ...ref, creditCode: 'B', reason: 'regrouped', fullMembersTotal: 5, probationaryMembersTotal: 0 }),
      recorded(5, 'SecretaryAssigned', { ...ref, secretary: { personId: 'p1', name: 'Li' } }),
      recorded(6, 'InstructorReplaced', { ...ref, instructor: { personId: 'p2', name: 'Wang' }, previous: { personId: 'p0', name: 'Zhao' }, reason: 'caseload' }),
      recorded(7, 'OrgLevelChanged', { ...ref, level: 'general-branch', committeeSize: 3, fullMembers: 5, probationaryMembers: 0 }),
    ]);
    expect(org).toMatchObject({
      status: 'active',
      level: 'general-branch',
      committeeSize: 3,
      fullMembers: 5,
      probationaryMembers: 0,
      secretary: { personId: 'p1' },
      instructor: { personId: 'p2' },
      enterprises: [
        { creditCode: 'A', fullMembers: 3, probationaryMembers: 0 },
        { creditCode: 'C', fullMembers: 2, probationaryMembers: 0 },
      ],
    });
  });

  it('records a dissolution by merger and releases its enterprises', () => {
    const org = fold([formed, recorded(2, 'OrgDissolved', { ...ref, reason: 'merged', enterprisesReleased: ['A', 'B'], mergedInto: 'o9' })]);
    expect(org).toMatchObject({ status: 'dissolved', enterprises: [], mergedInto: 'o9', dissolutionReason: 'merged' });
  });
});
