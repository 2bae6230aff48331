/**
 * The parts of registry and formation events these projections read (tolerant reader: a projection
 * depends only on the fields it uses, so producers may add fields without breaking it).
 * Mirrors libs/contracts/src/registry/events.ts and libs/contracts/src/formation/events.ts.
 */
export type OperatingStatus = 'normal' | 'abnormal' | 'deregistered';
export type OrgEnterprise = { creditCode: string; fullMembers: number; probationaryMembers: number };
export type Person = { personId: string; name: string };

export type EnterpriseRegisteredData = {
  creditCode: string;
  district: string;
  name: string;
  kind: string;
  employees: number;
  fullMembers: number;
  probationaryMembers: number;
  industryChain?: string;
  park?: string;
  building?: string;
  ownership?: string;
  registeredOn?: string;
};
export type MemberCountChangedData = { creditCode: string; fullMembers: number; probationaryMembers: number };
export type EmployeeCountChangedData = { creditCode: string; employees: number };
export type OperatingStatusChangedData = { creditCode: string; status: OperatingStatus };
export type LedgerCorrectedData = {
  creditCode: string;
  corrected: {
    name?: string;
    ownership?: string;
    industryChain?: string;
    park?: string;
    building?: string;
    registeredOn?: string;
    reasonNoOrganisation?: string;
    developmentNeeds?: string[];
  };
};

export type OrgRef = { orgId: string; district: string };
export type OrgFormedData = OrgRef & {
  name: string;
  mode: string;
  level: string;
  committeeSize: number;
  enterprises: OrgEnterprise[];
  fullMembers: number;
  probationaryMembers: number;
  parentOrgId?: string;
  publicUnit?: boolean;
};
export type EnterpriseJoinedOrgData = OrgRef & OrgEnterprise & { fullMembersTotal: number; probationaryMembersTotal: number };
export type EnterpriseLeftOrgData = OrgRef & { creditCode: string; reason: string; fullMembersTotal: number; probationaryMembersTotal: number };
export type OrgMembersRecountedData = OrgRef & OrgEnterprise & { fullMembersTotal: number; probationaryMembersTotal: number };
export type OrgsMergedData = OrgRef & { mergedOrgId: string; enterprises: OrgEnterprise[]; fullMembersTotal: number; probationaryMembersTotal: number };
export type OrgDissolvedData = OrgRef & { reason: string; enterprisesReleased: string[]; mergedInto?: string };
export type OrgLevelChangedData = OrgRef & { level: string; committeeSize: number; fullMembers: number; probationaryMembers: number };
export type PersonAssignedData = OrgRef & { secretary?: Person; instructor?: Person };
export type OrgsPairedData = OrgRef & { publicUnitOrgId: string; publicUnitName: string };
export type WorkCoverageAssignedData = {
  creditCode: string;
  coveredBy: 'instructor' | 'liaison';
  assignee?: Person;
  reason: string;
  mustBeOrganisationallyCovered: boolean;
};
export type EnterpriseAwaitingJointBranchData = { creditCode: string; reason: string; mustBeOrganisationallyCovered: boolean };
export type EnterpriseCoverageEndedData = { creditCode: string; reason: string };

export const REGISTRY_EVENTS = ['EnterpriseRegistered', 'MemberCountChanged', 'EmployeeCountChanged', 'OperatingStatusChanged', 'LedgerCorrected'] as const;
export const ORG_EVENTS = [
  'OrgFormed',
  'EnterpriseJoinedOrg',
  'EnterpriseLeftOrg',
  'OrgMembersRecounted',
  'OrgsMerged',
  'OrgDissolved',
  'OrgLevelChanged',
  'SecretaryAssigned',
  'SecretaryReplaced',
  'InstructorAssigned',
  'InstructorReplaced',
  'OrgsPaired',
] as const;
export const ENTERPRISE_COVERAGE_EVENTS = ['WorkCoverageAssigned', 'EnterpriseAwaitingJointBranch', 'EnterpriseCoverageEnded'] as const;

/** Credit codes of the enterprises whose standing an event changes. */
export function enterprisesConcerned(event: { type: string; data: object }): string[] {
  const data = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'OrgFormed':
    case 'OrgsMerged':
      return (data['enterprises'] as OrgEnterprise[]).map((e) => e.creditCode);
    case 'OrgDissolved':
      return data['enterprisesReleased'] as string[];
    default:
      return typeof data['creditCode'] === 'string' ? [data['creditCode']] : [];
  }
}
