import type { RecordedEvent } from '@liangxin/contracts';
import type { Projection, ProjectionContext } from '../../projection';
import { ENTERPRISE_STATUS_EVENT_TYPES, type EnterpriseStatus, evolveEnterpriseStatus } from '../enterprise-status/enterprise-status';
import { enterprisesConcerned } from '../source-events';

export type CoverageScope = 'district' | 'park' | 'industry-chain';

/** Coverage of one district, park or industry chain (deregistered enterprises are not counted). */
export interface Coverage {
  scope: CoverageScope;
  key: string;
  enterprises: number;
  withMembers: number;
  organisationallyCovered: number;
  workCovered: number;
  notCovered: number;
  /** (organisational + work) / enterprises */
  coverageRate: number;
  /** organisational / enterprises with members */
  organisationalRate: number;
  target: number;
  meetsTarget: boolean;
  /** rule 5: enterprises with 50+ employees and members that have no organisation, sorted */
  mustBeOrganisationallyCovered: string[];
}

export const COVERAGE = 'coverage';
/** each enterprise's standing as coverage last counted it, so a change can be moved between counters */
export const COVERAGE_ENTERPRISES = 'coverage.enterprises';

export const coverageId = (scope: CoverageScope, key: string) => `${scope}:${key}`;

/** What one enterprise adds to the coverage of the areas it belongs to. */
export type Contribution = {
  areas: { scope: CoverageScope; key: string }[];
  withMembers: boolean;
  kind: EnterpriseStatus['coverage'];
  creditCode: string;
  mustBeOrganisationallyCovered: boolean;
};

export function contributionOf(status: EnterpriseStatus | undefined): Contribution | undefined {
  if (!status || status.operatingStatus === 'deregistered') return undefined;
  const areas: Contribution['areas'] = [{ scope: 'district', key: status.district }];
  if (status.park) areas.push({ scope: 'park', key: status.park });
  if (status.industryChain) areas.push({ scope: 'industry-chain', key: status.industryChain });
  return {
    areas,
    withMembers: status.fullMembers + status.probationaryMembers > 0,
    kind: status.coverage,
    creditCode: status.creditCode,
    mustBeOrganisationallyCovered: status.mustBeOrganisationallyCovered && status.coverage !== 'organisational',
  };
}

function sameContribution(a: Contribution | undefined, b: Contribution | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.withMembers !== b.withMembers || a.kind !== b.kind || a.creditCode !== b.creditCode || a.mustBeOrganisationallyCovered !== b.mustBeOrganisationallyCovered) return false;
  return a.areas.length === b.areas.length && a.areas.every((area, i) => area.scope === b.areas[i].scope && area.key === b.areas[i].key);
}

export const emptyCoverage = (scope: CoverageScope, key: string, target: number): Coverage => ({
  scope,
  key,
  enterprises: 0,
  withMembers: 0,
  organisationallyCovered: 0,
  workCovered: 0,
  notCovered: 0,
  coverageRate: 0,
  organisationalRate: 0,
  target,
  meetsTarget: false,
  mustBeOrganisationallyCovered: [],
});

/** a copy of a sorted list with `code` present or absent (binary search: these lists run to thousands in a big district) */
function withOrWithout(sorted: readonly string[], code: string, present: boolean): string[] {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < code) low = middle + 1;
    else high = middle;
  }
  const found = sorted[low] === code;
  if (found === present) return sorted as string[];
  const copy = sorted.slice();
  if (present) copy.splice(low, 0, code);
  else copy.splice(low, 1);
  return copy;
}

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000);

/** Pure: adds (sign 1) or removes (sign -1) one enterprise's contribution to an area's coverage. */
export function applyContribution(coverage: Coverage, contribution: Contribution, sign: 1 | -1, target: number): Coverage {
  const next = { ...coverage, target };
  next.enterprises += sign;
  if (contribution.withMembers) next.withMembers += sign;
  if (contribution.kind === 'organisational') next.organisationallyCovered += sign;
  else if (contribution.kind === 'work') next.workCovered += sign;
  else next.notCovered += sign;
  if (contribution.mustBeOrganisationallyCovered) {
    next.mustBeOrganisationallyCovered = withOrWithout(coverage.mustBeOrganisationallyCovered, contribution.creditCode, sign === 1);
  }
  next.coverageRate = ratio(next.organisationallyCovered + next.workCovered, next.enterprises);
  next.organisationalRate = ratio(next.organisationallyCovered, next.withMembers);
  next.meetsTarget = next.enterprises > 0 && next.coverageRate >= target;
  return next;
}

export interface CoverageOptions {
  /** coverage rate an area must reach (default 0.75, the first target in 000) */
  target?: number;
}

/**
 * Coverage per district, park and industry chain. It keeps its own copy of each enterprise's standing
 * (evolved by the same pure function as enterprise status) and moves the enterprise between counters
 * when its contribution changes, so each event costs a few document writes whatever the area's size.
 */
export function coverageProjection(options: CoverageOptions = {}): Projection {
  const target = options.target ?? 0.75;
  return {
    name: 'coverage',
    collections: [COVERAGE, COVERAGE_ENTERPRISES],
    eventTypes: ENTERPRISE_STATUS_EVENT_TYPES,
    // Every registry and formation event names its district, and an enterprise never changes district,
    // so a district's coverage depends only on events of that district.
    mayAffect(event: RecordedEvent, collection: string, id: string) {
      if (collection !== COVERAGE || !id.startsWith('district:')) return true;
      const district = (event.data as { district?: unknown }).district;
      return typeof district !== 'string' || id === coverageId('district', district);
    },
    async apply(event: RecordedEvent, context: ProjectionContext) {
      const deltas: { contribution: Contribution; sign: 1 | -1 }[] = [];
      const standings: { creditCode: string; status: EnterpriseStatus }[] = [];
      for (const creditCode of enterprisesConcerned(event)) {
        const current = await context.load<EnterpriseStatus>(COVERAGE_ENTERPRISES, creditCode);
        if (current && current.position >= event.globalPosition) continue;
        const next = evolveEnterpriseStatus(current?.body, event);
        if (!next) continue;
        standings.push({ creditCode, status: next });
        const before = contributionOf(current?.body);
        const after = contributionOf(next);
        if (sameContribution(before, after)) continue;
        if (before) deltas.push({ contribution: before, sign: -1 });
        if (after) deltas.push({ contribution: after, sign: 1 });
      }
      // Areas are staged before the enterprise copies: if a backend without transactions stops between
      // the two, redelivery recomputes the delta and each area's own position check skips what was applied.
      const touched = new Map<string, Coverage>();
      for (const { contribution, sign } of deltas) {
        for (const { scope, key } of contribution.areas) {
          const id = coverageId(scope, key);
          let coverage = touched.get(id);
          if (!coverage) {
            const stored = await context.load<Coverage>(COVERAGE, id);
            if (stored && stored.position >= event.globalPosition) continue;
            coverage = stored?.body ?? emptyCoverage(scope, key, target);
          }
          touched.set(id, applyContribution(coverage, contribution, sign, target));
        }
      }
      for (const [id, coverage] of touched) context.save(COVERAGE, id, coverage, event.globalPosition);
      for (const { creditCode, status } of standings) context.save(COVERAGE_ENTERPRISES, creditCode, status, event.globalPosition);
    },
  };
}
