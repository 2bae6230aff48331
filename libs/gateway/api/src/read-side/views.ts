import type { Coverage, EnterpriseStatus, OrganisationStatus } from '@liangxin/read-models';

/** The enterprise as front ends see it (the contract of GET /api/enterprises/{code}). */
export const enterpriseView = (status: EnterpriseStatus) => ({
  creditCode: status.creditCode,
  name: status.name,
  kind: status.kind,
  district: status.district,
  park: status.park,
  industryChain: status.industryChain,
  building: status.building,
  ownership: status.ownership,
  employees: status.employees,
  fullMembers: status.fullMembers,
  probationaryMembers: status.probationaryMembers,
  operatingStatus: status.operatingStatus,
  coverage: status.coverage,
  coverageReason: status.noOrganisationReason,
  coverageNote: status.noOrganisationNote,
  workCoverage: status.workCoverage,
  mustBeOrganisationallyCovered: status.mustBeOrganisationallyCovered,
  orgId: status.orgId,
  orgMode: status.mode,
});

/** A line of GET /api/orgs. */
export const orgSummaryView = (org: OrganisationStatus) => ({
  id: org.orgId,
  name: org.name,
  mode: org.mode,
  level: org.level,
  status: org.status,
  district: org.district,
  enterprises: org.enterprises.map((e) => e.creditCode),
  fullMembers: org.fullMembers,
  probationaryMembers: org.probationaryMembers,
});

/** GET /api/orgs/{id}: the summary plus everything an officer looks up about one organisation. */
export const orgDetailView = (org: OrganisationStatus) => ({
  ...orgSummaryView(org),
  committeeSize: org.committeeSize,
  parentOrgId: org.parentOrgId,
  publicUnit: org.publicUnit,
  members: org.enterprises,
  secretary: org.secretary,
  instructor: org.instructor,
  pairedWith: org.pairedWith,
  formedAt: org.formedAt,
  dissolvedAt: org.dissolvedAt,
  dissolutionReason: org.dissolutionReason,
  mergedInto: org.mergedInto,
});

/** The contract of GET /api/coverage: counts, rates against the target, and rule 5's list. */
export const coverageView = (district: string, asOf: string, coverage: Coverage | undefined, target: number) => ({
  district,
  asOf,
  enterprises: coverage?.enterprises ?? 0,
  withMembers: coverage?.withMembers ?? 0,
  organisational: coverage?.organisationallyCovered ?? 0,
  work: coverage?.workCovered ?? 0,
  none: coverage?.notCovered ?? 0,
  organisationalRate: coverage?.organisationalRate ?? 0,
  overallRate: coverage?.coverageRate ?? 0,
  target: coverage?.target ?? target,
  meetsTarget: coverage?.meetsTarget ?? false,
  uncoveredLarge: coverage?.mustBeOrganisationallyCovered ?? [],
});
