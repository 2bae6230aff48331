import type { RecordedEvent } from '@liangxin/contracts';
import { evolveDocument, type Projection } from '../../projection';
import {
  ENTERPRISE_COVERAGE_EVENTS,
  enterprisesConcerned,
  type EmployeeCountChangedData,
  type EnterpriseAwaitingJointBranchData,
  type EnterpriseCoverageEndedData,
  type EnterpriseLeftOrgData,
  type EnterpriseRegisteredData,
  type LedgerCorrectedData,
  type MemberCountChangedData,
  type OperatingStatus,
  type OperatingStatusChangedData,
  type OrgDissolvedData,
  type OrgFormedData,
  type OrgRef,
  type OrgsMergedData,
  REGISTRY_EVENTS,
  type WorkCoverageAssignedData,
  type WorkCoverageNeededData,
} from '../source-events';

export type CoverageKind = 'organisational' | 'work' | 'none';

/**
 * Why an enterprise counts as not covered, which is also what an officer must do about it (the worklist):
 * - needs-assignee: no organisation and no named instructor or liaison cadre;
 * - needs-organisation: members and 50+ employees (rule 5), or 3+ full members, and no organisation;
 * - awaiting-joint-members: members but fewer than 3 full, waiting for a joint group to reach 3, with nobody named.
 */
export type NotCoveredReason = 'needs-assignee' | 'needs-organisation' | 'awaiting-joint-members';
export const NOT_COVERED_REASONS: readonly NotCoveredReason[] = ['needs-assignee', 'needs-organisation', 'awaiting-joint-members'];

/** The person an event names, or null: old events recorded work coverage with `assignee` null, `[]` or blank. */
export function namedAssignee(assignee: unknown): string | null {
  if (!assignee || typeof assignee !== 'object' || Array.isArray(assignee)) return null;
  const personId = (assignee as { personId?: unknown }).personId;
  return typeof personId === 'string' && personId.trim() !== '' ? personId : null;
}

/** Enterprise status now: its ledger facts and how it is covered. */
export interface EnterpriseStatus {
  creditCode: string;
  name: string;
  kind: string;
  district: string;
  park: string | null;
  industryChain: string | null;
  building: string | null;
  ownership: string | null;
  registeredOn: string | null;
  employees: number;
  fullMembers: number;
  probationaryMembers: number;
  operatingStatus: OperatingStatus;
  orgId: string | null;
  mode: string | null;
  /** organisational, or work when a named person is assigned (DOMAIN.md), else none */
  coverage: CoverageKind;
  /** why it counts as not covered (null when covered or deregistered) */
  notCoveredReason: NotCoveredReason | null;
  /** why it has no organisation (formation's reason, or derived from its members), null when it has one */
  noOrganisationReason: string | null;
  /** the officer's own words for why it has no organisation (七个清: 未建原因) */
  noOrganisationNote: string | null;
  workCoverage: { coveredBy: 'instructor' | 'liaison'; assignee: string | null } | null;
  /** the person giving it work coverage now, at the top level so a person's caseload is one field query in either store */
  workCoverageAssignee: string | null;
  /** rule 5: 50+ employees and members, so it must be organisationally covered */
  mustBeOrganisationallyCovered: boolean;
  developmentNeeds: string[];
}

export const ENTERPRISE_STATUS = 'enterprise-status';
/** organisation id → formation mode, so a join can name the mode of the organisation joined */
export const ENTERPRISE_STATUS_ORG_MODES = 'enterprise-status.org-modes';

/**
 * Fills in the fields derived from the others (how it is covered, why it has no organisation, rule 5).
 * Sets them on `status` itself: every caller hands it a copy it has just built, so no document anyone
 * else holds is changed, and a rebuild does not copy all 22 fields a second time per event.
 */
const withCoverage = (status: EnterpriseStatus): EnterpriseStatus => {
  const deregistered = status.operatingStatus === 'deregistered';
  // Work coverage means a named person is assigned: an assignment naming nobody covers nothing.
  const coverage: CoverageKind = status.orgId ? 'organisational' : status.workCoverage?.assignee && !deregistered ? 'work' : 'none';
  const hasMembers = status.fullMembers + status.probationaryMembers > 0;
  status.coverage = coverage;
  status.workCoverageAssignee = coverage === 'work' ? (status.workCoverage?.assignee ?? null) : null;
  status.noOrganisationReason = status.orgId ? null : (status.noOrganisationReason ?? (hasMembers ? 'awaiting-formation' : 'no-party-members'));
  status.mustBeOrganisationallyCovered = status.employees >= 50 && hasMembers && !deregistered;
  status.notCoveredReason = coverage !== 'none' || deregistered ? null : notCoveredReasonOf(status);
  return status;
};

const notCoveredReasonOf = (status: EnterpriseStatus): NotCoveredReason => {
  if (status.mustBeOrganisationallyCovered || status.fullMembers >= 3) return 'needs-organisation';
  return status.fullMembers + status.probationaryMembers > 0 ? 'awaiting-joint-members' : 'needs-assignee';
};

/**
 * Pure: the enterprise's status after one event. `orgMode` is the mode of the organisation an
 * EnterpriseJoinedOrg or OrgsMerged event moves it into. Returns undefined when the event does not
 * concern a known enterprise.
 */
export function evolveEnterpriseStatus(status: EnterpriseStatus | undefined, event: RecordedEvent, orgMode?: string): EnterpriseStatus | undefined {
  if (event.type === 'EnterpriseRegistered') {
    const d = event.data as EnterpriseRegisteredData;
    return withCoverage({
      creditCode: d.creditCode,
      name: d.name,
      kind: d.kind,
      district: d.district,
      park: d.park ?? null,
      industryChain: d.industryChain ?? null,
      building: d.building ?? null,
      ownership: d.ownership ?? null,
      registeredOn: d.registeredOn ?? null,
      employees: d.employees,
      fullMembers: d.fullMembers,
      probationaryMembers: d.probationaryMembers,
      operatingStatus: 'normal',
      orgId: null,
      mode: null,
      coverage: 'none',
      notCoveredReason: null,
      noOrganisationReason: null,
      noOrganisationNote: null,
      workCoverage: null,
      workCoverageAssignee: null,
      mustBeOrganisationallyCovered: false,
      developmentNeeds: [],
    });
  }
  if (!status) return undefined;
  const orgId = (event.data as Partial<OrgRef>).orgId;
  switch (event.type) {
    case 'MemberCountChanged': {
      const d = event.data as MemberCountChangedData;
      return withCoverage({ ...status, fullMembers: d.fullMembers, probationaryMembers: d.probationaryMembers });
    }
    case 'EmployeeCountChanged':
      return withCoverage({ ...status, employees: (event.data as EmployeeCountChangedData).employees });
    case 'OperatingStatusChanged':
      return withCoverage({ ...status, operatingStatus: (event.data as OperatingStatusChangedData).status });
    case 'LedgerCorrected': {
      const c = (event.data as LedgerCorrectedData).corrected;
      return withCoverage({
        ...status,
        name: c.name ?? status.name,
        ownership: c.ownership ?? status.ownership,
        industryChain: c.industryChain ?? status.industryChain,
        park: c.park ?? status.park,
        building: c.building ?? status.building,
        registeredOn: c.registeredOn ?? status.registeredOn,
        noOrganisationNote: c.reasonNoOrganisation ?? status.noOrganisationNote,
        developmentNeeds: c.developmentNeeds ?? status.developmentNeeds,
      });
    }
    case 'OrgFormed':
      return withCoverage({ ...status, orgId: orgId ?? null, mode: (event.data as OrgFormedData).mode, workCoverage: null, noOrganisationReason: null });
    case 'EnterpriseJoinedOrg':
    case 'OrgsMerged':
      return withCoverage({ ...status, orgId: orgId ?? null, mode: orgMode ?? status.mode, workCoverage: null, noOrganisationReason: null });
    case 'EnterpriseLeftOrg':
      if (status.orgId !== orgId) return undefined;
      return withCoverage({ ...status, orgId: null, mode: null, noOrganisationReason: (event.data as EnterpriseLeftOrgData).reason });
    case 'OrgDissolved':
      if (status.orgId !== orgId) return undefined;
      return withCoverage({ ...status, orgId: null, mode: null, noOrganisationReason: (event.data as OrgDissolvedData).reason });
    case 'WorkCoverageAssigned': {
      const d = event.data as WorkCoverageAssignedData;
      return withCoverage({
        ...status,
        workCoverage: { coveredBy: d.coveredBy, assignee: namedAssignee(d.assignee) },
        noOrganisationReason: status.orgId ? null : d.reason,
      });
    }
    case 'WorkCoverageNeeded': {
      // someone must be named: until an officer names a person the enterprise is not covered
      const d = event.data as WorkCoverageNeededData;
      if (status.orgId) return undefined;
      return withCoverage({ ...status, workCoverage: { coveredBy: d.coveredBy, assignee: null }, noOrganisationReason: d.reason });
    }
    case 'EnterpriseAwaitingJointBranch':
      return status.orgId ? undefined : withCoverage({ ...status, noOrganisationReason: (event.data as EnterpriseAwaitingJointBranchData).reason });
    case 'EnterpriseCoverageEnded':
      return withCoverage({ ...status, orgId: null, mode: null, workCoverage: null, noOrganisationReason: (event.data as EnterpriseCoverageEndedData).reason });
    default:
      return undefined;
  }
}

/** Modes of organisations, remembered so that joins and merges can name the mode they lead into. */
export function evolveOrgMode(_mode: { mode: string } | undefined, event: RecordedEvent): { mode: string } | undefined {
  return event.type === 'OrgFormed' ? { mode: (event.data as OrgFormedData).mode } : undefined;
}

export const ENTERPRISE_STATUS_EVENT_TYPES: ReadonlySet<string> = new Set([
  ...REGISTRY_EVENTS,
  'OrgFormed',
  'EnterpriseJoinedOrg',
  'EnterpriseLeftOrg',
  'OrgsMerged',
  'OrgDissolved',
  ...ENTERPRISE_COVERAGE_EVENTS,
]);

export const enterpriseStatusProjection: Projection = {
  name: 'enterprise-status',
  collections: [ENTERPRISE_STATUS, ENTERPRISE_STATUS_ORG_MODES],
  // the ledger by district and a person's caseload. Not park, industry chain or ownership: only the rare cross-district
  // whole-area check asks by those, and each index costs every enterprise write (two indexes: 0.76 of the unindexed write rate, five: 0.48)
  queriedBy: { [ENTERPRISE_STATUS]: ['district', 'workCoverageAssignee'] },
  eventTypes: ENTERPRISE_STATUS_EVENT_TYPES,
  async apply(event, context) {
    const orgId = (event.data as Partial<OrgsMergedData>).orgId;
    if (event.type === 'OrgFormed' && orgId) await evolveDocument(context, ENTERPRISE_STATUS_ORG_MODES, orgId, event, evolveOrgMode);
    const orgMode =
      (event.type === 'EnterpriseJoinedOrg' || event.type === 'OrgsMerged') && orgId
        ? (await context.load<{ mode: string }>(ENTERPRISE_STATUS_ORG_MODES, orgId))?.body.mode
        : undefined;
    for (const creditCode of enterprisesConcerned(event)) {
      await evolveDocument<EnterpriseStatus>(context, ENTERPRISE_STATUS, creditCode, event, (status, e) => evolveEnterpriseStatus(status, e, orgMode));
    }
  },
};
