import type { Projection } from '../projection';
import { auditIndexProjection } from './audit-index/audit-index';
import { coverageProjection, type CoverageOptions } from './coverage/coverage';
import { enterpriseStatusProjection } from './enterprise-status/enterprise-status';
import { organisationStatusProjection } from './organisation-status/organisation-status';

export * from './audit-index/audit-index';
export * from './coverage/coverage';
export * from './enterprise-status/enterprise-status';
export * from './organisation-status/organisation-status';
export { enterprisesConcerned } from './source-events';

/**
 * Every projection the system serves. Funding (budget per district and year, grants per organisation)
 * and evaluation (stars per organisation and year, distribution, pass rate) go here as
 * projections/funding/ and projections/evaluation/ once their event contracts exist.
 */
export const allProjections = (options: { coverage?: CoverageOptions } = {}): Projection[] => [
  enterpriseStatusProjection,
  organisationStatusProjection,
  coverageProjection(options.coverage),
  auditIndexProjection,
];
