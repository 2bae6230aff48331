import { type Coverage, type CoverageScope, emptyCoverage, type EnterpriseStatus, type OrganisationStatus } from '@liangxin/read-models';

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
  notCoveredReason: status.notCoveredReason ?? null,
  coverageReason: status.noOrganisationReason,
  coverageNote: status.noOrganisationNote,
  workCoverage: status.workCoverage,
  mustBeOrganisationallyCovered: status.mustBeOrganisationallyCovered,
  orgId: status.orgId,
  orgMode: status.mode,
  developmentNeeds: status.developmentNeeds ?? [],
  registeredOn: status.registeredOn ?? null,
});

const names = new Intl.Collator('zh-CN', { numeric: true });
/** Natural order of names: 第2号 before 第10号 (then by id, so equal names keep one order). */
export const byName = (a: { name: string; id: string }, b: { name: string; id: string }): number => names.compare(a.name ?? '', b.name ?? '') || names.compare(a.id, b.id);

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

/**
 * Every coverage answer (GET /api/coverage, /api/coverage/districts, /api/coverage/{scope}/{key}) has the coverage
 * document's own field names, the admin CLI's JSON too: one set of names. `district` is kept for the district routes.
 */
export const coverageView = (scope: CoverageScope, key: string, asOf: string, coverage: Coverage | undefined, target: number) => ({
  ...(scope === 'district' && { district: key }),
  asOf,
  ...(coverage ?? emptyCoverage(scope, key, target)),
  // a document counted before reasons were kept has none
  notCoveredReasons: { ...emptyCoverage(scope, key, target).notCoveredReasons, ...coverage?.notCoveredReasons },
});
