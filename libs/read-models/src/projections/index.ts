import type { Projection } from '../projection';
import { auditIndexProjection } from './audit-index/audit-index';
import { coverageProjection, type CoverageOptions } from './area-coverage/coverage';
import { enterpriseStatusProjection } from './enterprise-status/enterprise-status';
import { evaluationProjection } from './evaluation/evaluation';
import { fundingProjection } from './funding/funding';
import { instructorReviewsProjection } from './instructor-reviews';
import { orgProposalsProjection } from './org-proposals';
import { organisationStatusProjection } from './organisation-status/organisation-status';
import { serviceRequestsProjection } from './service-requests/service-requests';

export * from './audit-index/audit-index';
export * from './area-coverage/coverage';
export * from './enterprise-status/enterprise-status';
export * from './evaluation/evaluation';
export * from './funding/funding';
export * from './instructor-reviews';
export * from './org-proposals';
export * from './organisation-status/organisation-status';
export * from './service-requests/service-requests';
export { enterprisesConcerned } from './source-events';

/** Every projection the system serves; a new one gets its own folder here and a line below. */
export const allProjections = (options: { coverage?: CoverageOptions } = {}): Projection[] => [
  enterpriseStatusProjection,
  organisationStatusProjection,
  coverageProjection(options.coverage),
  fundingProjection,
  evaluationProjection,
  serviceRequestsProjection,
  orgProposalsProjection,
  instructorReviewsProjection,
  auditIndexProjection,
];
