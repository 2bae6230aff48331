/**
 * The registry and formation event data these projections read, taken from the contracts by type only
 * (nothing of the contracts is loaded at run time), so a change of shape breaks the build here first.
 */
import type {
  EmployeeCountChanged,
  EnterpriseAwaitingJointBranch,
  EnterpriseCoverageEnded,
  EnterpriseJoinedOrg,
  EnterpriseLeftOrg,
  EnterpriseRegistered,
  FormationEventType,
  InstructorAssigned,
  LedgerCorrected,
  MemberCountChanged,
  OperatingStatusChanged,
  OrgDissolved,
  OrgFormed,
  OrgLevelChanged,
  OrgMembersRecounted,
  OrgParentChanged,
  OrgsMerged,
  OrgsPaired,
  RegistryEventType,
  SecretaryAssigned,
  WorkCoverageAssigned,
  WorkCoverageNeeded,
} from '@liangxin/contracts';

export type { OperatingStatus, OrgEnterprise, OrgRef, Person } from '@liangxin/contracts';
import type { OrgEnterprise } from '@liangxin/contracts';

export type EnterpriseRegisteredData = EnterpriseRegistered['data'];
export type MemberCountChangedData = MemberCountChanged['data'];
export type EmployeeCountChangedData = EmployeeCountChanged['data'];
export type OperatingStatusChangedData = OperatingStatusChanged['data'];
export type LedgerCorrectedData = LedgerCorrected['data'];
export type OrgFormedData = OrgFormed['data'];
export type EnterpriseJoinedOrgData = EnterpriseJoinedOrg['data'];
export type EnterpriseLeftOrgData = EnterpriseLeftOrg['data'];
export type OrgMembersRecountedData = OrgMembersRecounted['data'];
export type OrgsMergedData = OrgsMerged['data'];
export type OrgDissolvedData = OrgDissolved['data'];
export type OrgLevelChangedData = OrgLevelChanged['data'];
export type OrgParentChangedData = OrgParentChanged['data'];
/** SecretaryAssigned/Replaced and InstructorAssigned/Replaced: whichever person the event names */
export type PersonAssignedData = Partial<SecretaryAssigned['data'] & InstructorAssigned['data']>;
export type OrgsPairedData = OrgsPaired['data'];
export type WorkCoverageAssignedData = WorkCoverageAssigned['data'];
export type WorkCoverageNeededData = WorkCoverageNeeded['data'];
export type EnterpriseAwaitingJointBranchData = EnterpriseAwaitingJointBranch['data'];
export type EnterpriseCoverageEndedData = EnterpriseCoverageEnded['data'];

export const REGISTRY_EVENTS = ['EnterpriseRegistered', 'MemberCountChanged', 'EmployeeCountChanged', 'OperatingStatusChanged', 'LedgerCorrected'] as const satisfies readonly RegistryEventType[];
export const ORG_EVENTS = [
  'OrgFormed',
  'EnterpriseJoinedOrg',
  'EnterpriseLeftOrg',
  'OrgMembersRecounted',
  'OrgsMerged',
  'OrgDissolved',
  'OrgLevelChanged',
  'OrgParentChanged',
  'SecretaryAssigned',
  'SecretaryReplaced',
  'InstructorAssigned',
  'InstructorReplaced',
  'OrgsPaired',
] as const satisfies readonly FormationEventType[];
export const ENTERPRISE_COVERAGE_EVENTS = ['WorkCoverageAssigned', 'WorkCoverageNeeded', 'EnterpriseAwaitingJointBranch', 'EnterpriseCoverageEnded'] as const satisfies readonly FormationEventType[];

/** Credit codes of the enterprises whose standing an event changes, or that a proposal to form an organisation names. */
export function enterprisesConcerned(event: { type: string; data: object }): string[] {
  const data = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'OrgFormed':
    case 'OrgsMerged':
    case 'OrgProposed':
      return (data['enterprises'] as OrgEnterprise[]).map((e) => e.creditCode);
    case 'OrgDissolved':
      return data['enterprisesReleased'] as string[];
    default:
      return typeof data['creditCode'] === 'string' ? [data['creditCode']] : [];
  }
}
