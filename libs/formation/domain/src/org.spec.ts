import type { OrgEvent } from '@liangxin/contracts';
import { DeciderSpecification } from '@liangxin/event-sourcing/testing';
import { type CandidateEnterprise, orgDecider } from './org';
import { DEFAULT_FORMATION_POLICY } from './policy';

const spec = DeciderSpecification.for(orgDecider);
const district = '430104';
const ent = (n: number, full: number, probationary = 0): CandidateEnterprise => ({ creditCode: `E${n}`, district, fullMembers: full, probationaryMembers: probationary });
const formed = (mode: 'joint' | 'building-shared' | 'standalone', enterprises: CandidateEnterprise[]): OrgEvent => ({
  type: 'OrgFormed',
  schemaVersion: 1,
  data: {
    orgId: 'o1',
    district,
    name: 'Tower A branch',
    mode,
    level: 'branch',
    committeeSize: 0,
    enterprises: enterprises.map(({ creditCode, fullMembers, probationaryMembers }) => ({ creditCode, fullMembers, probationaryMembers })),
    fullMembers: enterprises.reduce((s, e) => s + e.fullMembers, 0),
    probationaryMembers: enterprises.reduce((s, e) => s + e.probationaryMembers, 0),
    automatic: false,
    policyVersion: DEFAULT_FORMATION_POLICY.version,
  },
});
const joint = formed('joint', [ent(1, 1), ent(2, 1), ent(3, 1)]);
const alice = { personId: 'p1', name: 'Alice' };
const bob = { personId: 'p2', name: 'Bob' };

describe('party organisation (officer commands)', () => {
  describe.each([
    'standalone',
    'joint',
    'industry-chain-joint',
    'leading-enterprise-led',
    'branch-led',
    'platform-unified',
    'building-shared',
    'area-combined',
    'archive-custody',
    'dispatched-staff',
    'mass-organisation-promoted',
    'backstop',
    'area-unified',
  ] as const)('FormOrg in mode %s', (mode) => {
    const enterprises = mode === 'standalone' ? [ent(1, 3)] : [ent(1, 2), ent(2, 1)];
    it('forms the organisation with its level, recorded as an officer decision', () =>
      spec
        .given([])
        .when({ type: 'FormOrg', data: { orgId: 'o1', district, name: 'Tower A branch', mode, enterprises } })
        .thenMatches((events) => expect(events).toEqual([expect.objectContaining({ type: 'OrgFormed', data: expect.objectContaining({ mode, automatic: false, fullMembers: 3, level: 'branch' }) })])));
  });

  it('refuses forming without three full members, a duplicate, too many joint enterprises, or a second standalone enterprise', () => {
    const form = (mode: 'joint' | 'standalone', enterprises: CandidateEnterprise[]) => ({ type: 'FormOrg' as const, data: { orgId: 'o1', district, name: 'x', mode, enterprises } });
    spec.given([]).when(form('joint', [ent(1, 1), ent(2, 1)])).thenThrows('BELOW_MINIMUM_FULL_MEMBERS');
    spec.given([]).when(form('joint', [ent(1, 2), ent(1, 2)])).thenThrows('DUPLICATE_ENTERPRISE');
    spec.given([]).when(form('joint', [1, 2, 3, 4, 5, 6].map((n) => ent(n, 1)))).thenThrows('JOINT_TOO_MANY_ENTERPRISES');
    spec.given([]).when(form('standalone', [ent(1, 3), ent(2, 3)])).thenThrows('STANDALONE_NEEDS_ONE_ENTERPRISE');
    spec.given([]).when(form('joint', [])).thenThrows('NO_ENTERPRISES');
    spec.given([joint]).when(form('joint', [ent(1, 3)])).thenThrows('ORG_ALREADY_EXISTS');
  });

  it('adds an enterprise up to five in a joint branch, then refuses', () => {
    spec.given([joint]).when({ type: 'AddEnterprise', data: { orgId: 'o1', enterprise: ent(4, 0, 1) } }).thenMatches((events) => expect(events[0]).toMatchObject({ type: 'EnterpriseJoinedOrg', data: { enterpriseCount: 4, probationaryMembersTotal: 1 } }));
    spec.given([formed('joint', [1, 2, 3, 4, 5].map((n) => ent(n, 1)))]).when({ type: 'AddEnterprise', data: { orgId: 'o1', enterprise: ent(6, 1) } }).thenThrows('JOINT_TOO_MANY_ENTERPRISES');
    spec.given([joint]).when({ type: 'AddEnterprise', data: { orgId: 'o1', enterprise: ent(1, 1) } }).thenThrows('ALREADY_MEMBER');
    spec.given([]).when({ type: 'AddEnterprise', data: { orgId: 'o1', enterprise: ent(1, 1) } }).thenThrows('ORG_NOT_FOUND');
  });

  it('removes an enterprise only when three full members remain', () => {
    spec.given([joint]).when({ type: 'RemoveEnterprise', data: { orgId: 'o1', creditCode: 'E1' } }).thenThrows('BELOW_MINIMUM_FULL_MEMBERS');
    spec.given([formed('building-shared', [ent(1, 3), ent(2, 1)])]).when({ type: 'RemoveEnterprise', data: { orgId: 'o1', creditCode: 'E2' } }).thenMatches((events) => expect(events[0].type).toBe('EnterpriseLeftOrg'));
    spec.given([joint]).when({ type: 'RemoveEnterprise', data: { orgId: 'o1', creditCode: 'E9' } }).thenThrows('NOT_A_MEMBER');
  });

  it('merges another organisation in, within the joint limit', () => {
    const merged = { orgId: 'o2', district, dissolved: false, enterprises: [{ creditCode: 'E7', fullMembers: 2, probationaryMembers: 0 }] };
    spec.given([joint]).when({ type: 'AbsorbOrg', data: { orgId: 'o1', merged, reason: 'same building' } }).thenMatches((events) => expect(events[0]).toMatchObject({ type: 'OrgsMerged', data: { mergedOrgId: 'o2', fullMembersTotal: 5, enterpriseCount: 4 } }));
    spec.given([joint]).when({ type: 'AbsorbOrg', data: { orgId: 'o1', merged: { ...merged, orgId: 'o1' }, reason: 'x' } }).thenThrows('MERGE_WITH_ITSELF');
    spec.given([joint]).when({ type: 'AbsorbOrg', data: { orgId: 'o1', merged: { ...merged, enterprises: [4, 5, 6].map((n) => ent(n, 1)) }, reason: 'x' } }).thenThrows('JOINT_TOO_MANY_ENTERPRISES');
  });

  it('dissolves, releasing its enterprises, and refuses anything afterwards', () => {
    spec.given([joint]).when({ type: 'DissolveOrg', data: { orgId: 'o1', reason: 'enterprises moved away' } }).thenMatches((events) => expect(events[0]).toMatchObject({ type: 'OrgDissolved', data: { reason: 'officer-decision', enterprisesReleased: ['E1', 'E2', 'E3'] } }));
    const dissolved: OrgEvent = { type: 'OrgDissolved', schemaVersion: 1, data: { orgId: 'o1', district, reason: 'officer-decision', enterprisesReleased: ['E1', 'E2', 'E3'], automatic: false } };
    spec.given([joint, dissolved]).when({ type: 'AssignSecretary', data: { orgId: 'o1', person: alice } }).thenThrows('ORG_DISSOLVED');
    spec.given([joint]).when({ type: 'DissolveOrg', data: { orgId: 'o1', reason: ' ' } }).thenThrows('REASON_REQUIRED', 'reason');
  });

  it('assigns and replaces secretaries and instructors', () => {
    const assigned: OrgEvent = { type: 'SecretaryAssigned', schemaVersion: 1, data: { orgId: 'o1', district, secretary: alice } };
    spec.given([joint]).when({ type: 'AssignSecretary', data: { orgId: 'o1', person: alice } }).then([assigned]);
    spec.given([joint, assigned]).when({ type: 'AssignSecretary', data: { orgId: 'o1', person: bob } }).thenThrows('SECRETARY_ALREADY_ASSIGNED');
    spec.given([joint, assigned]).when({ type: 'ReplaceSecretary', data: { orgId: 'o1', person: bob, reason: 'moved' } }).then([{ type: 'SecretaryReplaced', schemaVersion: 1, data: { orgId: 'o1', district, secretary: bob, previous: alice, reason: 'moved' } }]);
    spec.given([joint, assigned]).when({ type: 'ReplaceSecretary', data: { orgId: 'o1', person: alice, reason: 'x' } }).thenThrows('SAME_PERSON');
    spec.given([joint]).when({ type: 'ReplaceInstructor', data: { orgId: 'o1', person: bob, reason: 'x' } }).thenThrows('NO_INSTRUCTOR_TO_REPLACE');
    spec.given([joint]).when({ type: 'AssignInstructor', data: { orgId: 'o1', person: bob } }).then([{ type: 'InstructorAssigned', schemaVersion: 1, data: { orgId: 'o1', district, instructor: bob } }]);
  });

  it('pairs with a live public unit once, under its recorded name (结对共建), even after pairing with another', () => {
    const taxBureau = { orgId: 'gov-7', name: 'Tax bureau branch', publicUnit: true, dissolved: false };
    const paired: OrgEvent = { type: 'OrgsPaired', schemaVersion: 1, data: { orgId: 'o1', district, publicUnitOrgId: 'gov-7', publicUnitName: 'Tax bureau branch' } };
    const pairedElsewhere: OrgEvent = { type: 'OrgsPaired', schemaVersion: 1, data: { orgId: 'o1', district, publicUnitOrgId: 'gov-8', publicUnitName: 'Court branch' } };
    const pairWith = (publicUnit: typeof taxBureau) => ({ type: 'PairWithPublicUnit' as const, data: { orgId: 'o1', publicUnit } });
    spec.given([joint]).when(pairWith(taxBureau)).then([paired]);
    spec.given([joint, paired]).when(pairWith(taxBureau)).thenThrows('ALREADY_PAIRED', 'publicUnitOrgId');
    spec.given([joint, paired, pairedElsewhere]).when(pairWith(taxBureau)).thenThrows('ALREADY_PAIRED', 'publicUnitOrgId');
    spec.given([joint]).when(pairWith({ ...taxBureau, publicUnit: false })).thenThrows('NOT_A_PUBLIC_UNIT', 'publicUnitOrgId');
    spec.given([joint]).when(pairWith({ ...taxBureau, dissolved: true })).thenThrows('PUBLIC_UNIT_DISSOLVED', 'publicUnitOrgId');
    spec.given([joint]).when(pairWith({ ...taxBureau, orgId: 'o1' })).thenThrows('PAIRING_WITH_ITSELF', 'publicUnitOrgId');
  });

  describe('rule 4: a dissolution for abnormal operation waits for an officer', () => {
    const standalone = formed('standalone', [ent(1, 4)]);
    const pending: OrgEvent = {
      type: 'OrgDissolutionPending',
      schemaVersion: 1,
      data: { orgId: 'o1', district, creditCode: 'E1', reason: 'operation-abnormal', since: '2026-03-01T08:00:00.000Z', confirmableFrom: '2026-03-31T08:00:00.000Z', automatic: true },
    };
    const cancelled: OrgEvent = { type: 'OrgDissolutionCancelled', schemaVersion: 1, data: { orgId: 'o1', district, creditCode: 'E1', reason: 'returned-to-normal', automatic: true } };
    const confirm = (now: string) => ({ type: 'ConfirmOrgDissolution' as const, data: { orgId: 'o1', now, note: '企业已停业' } });
    it('is confirmed once the grace period has passed, releasing the enterprise', () =>
      spec
        .given([standalone, pending])
        .when(confirm('2026-04-01T00:00:00.000Z'))
        .then([{ type: 'OrgDissolved', schemaVersion: 1, data: { orgId: 'o1', district, reason: 'operation-abnormal', enterprisesReleased: ['E1'], automatic: false, note: '企业已停业' } }]));
    it('is refused inside the grace period', () => spec.given([standalone, pending]).when(confirm('2026-03-10T00:00:00.000Z')).thenThrows('DISSOLUTION_IN_GRACE_PERIOD', 'orgId'));
    it('is refused when nothing is pending, or the enterprise came back to normal first', () => {
      spec.given([standalone]).when(confirm('2026-04-01T00:00:00.000Z')).thenThrows('NO_PENDING_DISSOLUTION', 'orgId');
      spec.given([standalone, pending, cancelled]).when(confirm('2026-04-01T00:00:00.000Z')).thenThrows('NO_PENDING_DISSOLUTION', 'orgId');
    });
    it('keeps the secretary while pending and after a cancellation', () => {
      const assigned: OrgEvent = { type: 'SecretaryAssigned', schemaVersion: 1, data: { orgId: 'o1', district, secretary: alice } };
      spec.given([standalone, assigned, pending, cancelled, pending, cancelled]).when({ type: 'AssignSecretary', data: { orgId: 'o1', person: bob } }).thenThrows('SECRETARY_ALREADY_ASSIGNED');
    });
  });

  describe('tenancy by the record: an organisation holds only enterprises of its own district', () => {
    const elsewhere = (n: number, full: number): CandidateEnterprise => ({ ...ent(n, full), district: '430105' });
    it.each(['building-shared', 'joint', 'area-combined', 'industry-chain-joint'] as const)('FormOrg in mode %s refuses an enterprise of another district, naming it', (mode) =>
      spec
        .given([])
        .when({ type: 'FormOrg', data: { orgId: 'o1', district, name: 'x', mode, enterprises: [ent(1, 2), elsewhere(2, 1)] } })
        .thenThrows('ENTERPRISE_IN_ANOTHER_DISTRICT', 'enterprises[1]'));
    it('a public unit’s organisation too', () =>
      spec
        .given([])
        .when({ type: 'FormOrg', data: { orgId: 'o1', district, name: 'x', mode: 'building-shared', publicUnit: true, enterprises: [elsewhere(1, 0)] } })
        .thenThrows('ENTERPRISE_IN_ANOTHER_DISTRICT', 'enterprises[0]'));
    it('AddEnterprise refuses an enterprise of another district', () =>
      spec.given([joint]).when({ type: 'AddEnterprise', data: { orgId: 'o1', enterprise: elsewhere(4, 1) } }).thenThrows('ENTERPRISE_IN_ANOTHER_DISTRICT', 'creditCode'));
    it('AbsorbOrg refuses an organisation of another district', () =>
      spec
        .given([joint])
        .when({ type: 'AbsorbOrg', data: { orgId: 'o1', merged: { orgId: 'o2', district: '430105', dissolved: false, enterprises: [] }, reason: 'x' } })
        .thenThrows('MERGE_ACROSS_DISTRICTS', 'mergedOrgId'));
  });
});
