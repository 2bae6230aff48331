import type { RecordedEvent } from '@liangxin/contracts';
import { evolveDocument, type Projection } from '../../projection';
import {
  type EnterpriseJoinedOrgData,
  type EnterpriseLeftOrgData,
  ORG_EVENTS,
  type OrgDissolvedData,
  type OrgEnterprise,
  type OrgFormedData,
  type OrgLevelChangedData,
  type OrgMembersRecountedData,
  type OrgParentChangedData,
  type OrgRef,
  type OrgsMergedData,
  type OrgsPairedData,
  type Person,
  type PersonAssignedData,
} from '../source-events';

/** Organisation status now. Stars and subsidies join here when evaluation and funding land. */
export interface OrganisationStatus {
  orgId: string;
  name: string;
  district: string;
  level: string;
  mode: string;
  committeeSize: number;
  parentOrgId: string | null;
  publicUnit: boolean;
  /** member enterprises, sorted by credit code */
  enterprises: OrgEnterprise[];
  fullMembers: number;
  probationaryMembers: number;
  secretary: Person | null;
  instructor: Person | null;
  pairedWith: { orgId: string; name: string }[];
  status: 'active' | 'dissolved';
  formedAt: string;
  dissolvedAt: string | null;
  dissolutionReason: string | null;
  mergedInto: string | null;
}

export const ORGANISATION_STATUS = 'organisation-status';

const byCreditCode = (a: OrgEnterprise, b: OrgEnterprise) => (a.creditCode < b.creditCode ? -1 : a.creditCode > b.creditCode ? 1 : 0);
const withEnterprises = (current: OrgEnterprise[], added: OrgEnterprise[]): OrgEnterprise[] => {
  const codes = new Set(added.map((e) => e.creditCode));
  return [...current.filter((e) => !codes.has(e.creditCode)), ...added.map(({ creditCode, fullMembers, probationaryMembers }) => ({ creditCode, fullMembers, probationaryMembers }))].sort(byCreditCode);
};

/** Pure: the organisation's status after one event (undefined when the event changes nothing known). */
export function evolveOrganisationStatus(org: OrganisationStatus | undefined, event: RecordedEvent): OrganisationStatus | undefined {
  if (event.type === 'OrgFormed') {
    const d = event.data as OrgFormedData;
    return {
      orgId: d.orgId,
      name: d.name,
      district: d.district,
      level: d.level,
      mode: d.mode,
      committeeSize: d.committeeSize,
      parentOrgId: d.parentOrgId ?? null,
      publicUnit: d.publicUnit ?? false,
      enterprises: withEnterprises([], d.enterprises),
      fullMembers: d.fullMembers,
      probationaryMembers: d.probationaryMembers,
      secretary: null,
      instructor: null,
      pairedWith: [],
      status: 'active',
      formedAt: event.occurredAt,
      dissolvedAt: null,
      dissolutionReason: null,
      mergedInto: null,
    };
  }
  if (!org) return undefined;
  // a dissolved organisation holds nobody: a late recount or join of its stream does not bring anyone back
  if (org.status === 'dissolved' && (event.type === 'EnterpriseJoinedOrg' || event.type === 'OrgMembersRecounted' || event.type === 'OrgsMerged')) return undefined;
  switch (event.type) {
    case 'EnterpriseJoinedOrg':
    case 'OrgMembersRecounted': {
      const d = event.data as EnterpriseJoinedOrgData | OrgMembersRecountedData;
      return {
        ...org,
        enterprises: withEnterprises(org.enterprises, [d]),
        fullMembers: d.fullMembersTotal,
        probationaryMembers: d.probationaryMembersTotal,
      };
    }
    case 'EnterpriseLeftOrg': {
      const d = event.data as EnterpriseLeftOrgData;
      return {
        ...org,
        enterprises: org.enterprises.filter((e) => e.creditCode !== d.creditCode),
        fullMembers: d.fullMembersTotal,
        probationaryMembers: d.probationaryMembersTotal,
      };
    }
    case 'OrgsMerged': {
      const d = event.data as OrgsMergedData;
      return { ...org, enterprises: withEnterprises(org.enterprises, d.enterprises), fullMembers: d.fullMembersTotal, probationaryMembers: d.probationaryMembersTotal };
    }
    case 'OrgDissolved': {
      const d = event.data as OrgDissolvedData;
      // its enterprises and members are released (to the organisation that absorbed it, or to the formation rules)
      return {
        ...org,
        status: 'dissolved',
        enterprises: [],
        fullMembers: 0,
        probationaryMembers: 0,
        dissolvedAt: event.occurredAt,
        dissolutionReason: d.reason,
        mergedInto: d.mergedInto ?? null,
      };
    }
    case 'OrgLevelChanged': {
      const d = event.data as OrgLevelChangedData;
      return { ...org, level: d.level, committeeSize: d.committeeSize };
    }
    case 'OrgParentChanged': {
      const d = event.data as OrgParentChangedData;
      return { ...org, parentOrgId: d.parentOrgId ?? null };
    }
    case 'SecretaryAssigned':
    case 'SecretaryReplaced':
      return { ...org, secretary: (event.data as PersonAssignedData).secretary ?? org.secretary };
    case 'InstructorAssigned':
    case 'InstructorReplaced':
      return { ...org, instructor: (event.data as PersonAssignedData).instructor ?? org.instructor };
    case 'OrgsPaired': {
      const d = event.data as OrgsPairedData;
      if (org.pairedWith.some((p) => p.orgId === d.publicUnitOrgId)) return undefined;
      return { ...org, pairedWith: [...org.pairedWith, { orgId: d.publicUnitOrgId, name: d.publicUnitName }] };
    }
    default:
      return undefined;
  }
}

export const organisationStatusProjection: Projection = {
  name: 'organisation-status',
  collections: [ORGANISATION_STATUS],
  // a district's organisations, and the organisations beneath one (the tree)
  queriedBy: { [ORGANISATION_STATUS]: ['district', 'parentOrgId'] },
  eventTypes: new Set(ORG_EVENTS),
  async apply(event, context) {
    const { orgId } = event.data as Partial<OrgRef>;
    if (orgId) await evolveDocument(context, ORGANISATION_STATUS, orgId, event, evolveOrganisationStatus);
  },
};
