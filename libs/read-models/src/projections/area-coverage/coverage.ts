import type { RecordedEvent } from '@liangxin/contracts';
import type { Projection, ProjectionContext } from '../../projection';
import {
  ENTERPRISE_STATUS_EVENT_TYPES,
  type EnterpriseStatus,
  evolveEnterpriseStatus,
  NOT_COVERED_REASONS,
  type NotCoveredReason,
} from '../enterprise-status/enterprise-status';
import { enterprisesConcerned } from '../source-events';

export type CoverageScope = 'district' | 'park' | 'industry-chain' | 'ownership';
export const COVERAGE_SCOPES: readonly CoverageScope[] = ['district', 'park', 'industry-chain', 'ownership'];

/**
 * Coverage of one district, park, industry chain or ownership (deregistered enterprises are not counted).
 * These are the field names of every coverage answer: GET /api/coverage, the scoped coverage routes and the
 * admin CLI's JSON.
 */
export interface Coverage {
  scope: CoverageScope;
  key: string;
  enterprises: number;
  withMembers: number;
  /** in a party organisation */
  organisational: number;
  /** no organisation, but a named instructor or liaison cadre assigned (DOMAIN.md: work coverage means a named person) */
  work: number;
  /** neither: each counted under its reason in `notCoveredReasons` */
  none: number;
  notCoveredReasons: Record<NotCoveredReason, number>;
  /** organisational / enterprises with members */
  organisationalRate: number;
  /** (organisational + work) / enterprises */
  overallRate: number;
  target: number;
  meetsTarget: boolean;
  /** rule 5: enterprises with 50+ employees and members that have no organisation, sorted */
  uncoveredLarge: string[];
}

export const COVERAGE = 'coverage';
/** each enterprise's standing as coverage last counted it, so a change can be moved between counters */
export const COVERAGE_ENTERPRISES = 'coverage.enterprises';
/**
 * What officers must act on, one document per enterprise, keyed `district/reason/creditCode`: the key is the
 * store's primary index, so a district's worklist (or one reason of it) is a range of ids, paged without a scan.
 */
export const COVERAGE_WORKLIST = 'coverage.worklist';

export const coverageId = (scope: CoverageScope, key: string) => `${scope}:${key}`;
export const worklistId = (district: string, reason: NotCoveredReason, creditCode: string) => `${district}/${reason}/${creditCode}`;
/** the id prefix of a district's worklist, or of one reason of it */
export const worklistPrefix = (district: string, reason?: NotCoveredReason) => (reason ? `${district}/${reason}/` : `${district}/`);

/** One line of the worklist: an enterprise and what it needs. */
export interface WorklistItem {
  district: string;
  reason: NotCoveredReason;
  creditCode: string;
  name: string;
  employees: number;
  fullMembers: number;
  probationaryMembers: number;
  park: string | null;
  industryChain: string | null;
  /** formation's reason it has no organisation */
  noOrganisationReason: string | null;
  /** the person giving it work coverage, when it has one but needs an organisation all the same (rule 5) */
  assignee: string | null;
}

/**
 * Pure: the enterprise's line on the worklist, if it has one. Not covered, it needs what its reason says; work-covered
 * with 50+ employees and members, it still needs an organisation (rule 5).
 */
export function worklistItemOf(status: EnterpriseStatus | undefined): WorklistItem | undefined {
  if (!status || status.operatingStatus === 'deregistered' || status.orgId) return undefined;
  const reason = status.notCoveredReason ?? (status.mustBeOrganisationallyCovered ? 'needs-organisation' : null);
  if (!reason) return undefined;
  return {
    district: status.district,
    reason,
    creditCode: status.creditCode,
    name: status.name,
    employees: status.employees,
    fullMembers: status.fullMembers,
    probationaryMembers: status.probationaryMembers,
    park: status.park,
    industryChain: status.industryChain,
    noOrganisationReason: status.noOrganisationReason,
    assignee: status.workCoverageAssignee,
  };
}

/** What one enterprise adds to the coverage of the areas it belongs to. */
export type Contribution = {
  areas: { scope: CoverageScope; key: string }[];
  withMembers: boolean;
  kind: EnterpriseStatus['coverage'];
  notCoveredReason: NotCoveredReason | null;
  creditCode: string;
  mustBeOrganisationallyCovered: boolean;
};

export function contributionOf(status: EnterpriseStatus | undefined): Contribution | undefined {
  if (!status || status.operatingStatus === 'deregistered') return undefined;
  const areas: Contribution['areas'] = [{ scope: 'district', key: status.district }];
  if (status.park) areas.push({ scope: 'park', key: status.park });
  if (status.industryChain) areas.push({ scope: 'industry-chain', key: status.industryChain });
  if (status.ownership) areas.push({ scope: 'ownership', key: status.ownership });
  return {
    areas,
    withMembers: status.fullMembers + status.probationaryMembers > 0,
    kind: status.coverage,
    // documents written before reasons were counted have none: derive the commonest
    notCoveredReason: status.coverage === 'none' ? (status.notCoveredReason ?? 'needs-assignee') : null,
    creditCode: status.creditCode,
    mustBeOrganisationallyCovered: status.mustBeOrganisationallyCovered && status.coverage !== 'organisational',
  };
}

function sameContribution(a: Contribution | undefined, b: Contribution | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (
    a.withMembers !== b.withMembers ||
    a.kind !== b.kind ||
    a.notCoveredReason !== b.notCoveredReason ||
    a.creditCode !== b.creditCode ||
    a.mustBeOrganisationallyCovered !== b.mustBeOrganisationallyCovered
  )
    return false;
  return a.areas.length === b.areas.length && a.areas.every((area, i) => area.scope === b.areas[i].scope && area.key === b.areas[i].key);
}

const noReasons = (): Record<NotCoveredReason, number> => Object.fromEntries(NOT_COVERED_REASONS.map((r) => [r, 0])) as Record<NotCoveredReason, number>;

export const emptyCoverage = (scope: CoverageScope, key: string, target: number): Coverage => ({
  scope,
  key,
  enterprises: 0,
  withMembers: 0,
  organisational: 0,
  work: 0,
  none: 0,
  notCoveredReasons: noReasons(),
  organisationalRate: 0,
  overallRate: 0,
  target,
  meetsTarget: false,
  uncoveredLarge: [],
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
  const next = { ...coverage, target, notCoveredReasons: { ...noReasons(), ...coverage.notCoveredReasons } };
  next.enterprises += sign;
  if (contribution.withMembers) next.withMembers += sign;
  switch (contribution.kind) {
    case 'organisational':
      next.organisational += sign;
      break;
    case 'work':
      next.work += sign;
      break;
    case 'none':
      next.none += sign;
      next.notCoveredReasons[contribution.notCoveredReason ?? 'needs-assignee'] += sign;
      break;
    default: {
      const unknownKind: never = contribution.kind;
      throw new Error(`Unknown coverage kind ${String(unknownKind)}`);
    }
  }
  if (contribution.mustBeOrganisationallyCovered) {
    next.uncoveredLarge = withOrWithout(coverage.uncoveredLarge, contribution.creditCode, sign === 1);
  }
  next.overallRate = ratio(next.organisational + next.work, next.enterprises);
  next.organisationalRate = ratio(next.organisational, next.withMembers);
  next.meetsTarget = next.enterprises > 0 && next.overallRate >= target;
  return next;
}

const sameItem = (a: WorklistItem | undefined, b: WorklistItem | undefined) => JSON.stringify(a) === JSON.stringify(b);

export interface CoverageOptions {
  /** coverage rate an area must reach (default 0.75, the first target in 000) */
  target?: number;
}

/**
 * Coverage per district, park, industry chain and ownership, and the districts' worklists. It keeps its own copy of
 * each enterprise's standing (evolved by the same pure function as enterprise status) and moves the enterprise
 * between counters when its contribution changes, so each event costs a few document writes whatever the area's size.
 */
export function coverageProjection(options: CoverageOptions = {}): Projection {
  const target = options.target ?? 0.75;
  return {
    name: 'coverage',
    collections: [COVERAGE, COVERAGE_WORKLIST, COVERAGE_ENTERPRISES],
    // the worklist pages by id prefix (the primary key); coverage of every district is listed by scope
    queriedBy: { [COVERAGE]: ['scope'] },
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
      const worklist: { id: string; item: WorklistItem | null }[] = [];
      for (const creditCode of enterprisesConcerned(event)) {
        const current = await context.load<EnterpriseStatus>(COVERAGE_ENTERPRISES, creditCode);
        if (current && current.position >= event.globalPosition) continue;
        const next = evolveEnterpriseStatus(current?.body, event);
        if (!next) continue;
        standings.push({ creditCode, status: next });
        const itemBefore = worklistItemOf(current?.body);
        const itemAfter = worklistItemOf(next);
        if (!sameItem(itemBefore, itemAfter)) {
          const idBefore = itemBefore && worklistId(itemBefore.district, itemBefore.reason, creditCode);
          const idAfter = itemAfter && worklistId(itemAfter.district, itemAfter.reason, creditCode);
          if (idBefore && idBefore !== idAfter) worklist.push({ id: idBefore, item: null });
          if (idAfter && itemAfter) worklist.push({ id: idAfter, item: itemAfter });
        }
        const before = contributionOf(current?.body);
        const after = contributionOf(next);
        if (sameContribution(before, after)) continue;
        if (before) deltas.push({ contribution: before, sign: -1 });
        if (after) deltas.push({ contribution: after, sign: 1 });
      }
      // Areas and worklist lines are staged before the enterprise copies: if a backend without transactions stops
      // between them, redelivery recomputes the delta and each document's own position check skips what was applied.
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
      for (const { id, item } of worklist) context.save(COVERAGE_WORKLIST, id, item, event.globalPosition);
      for (const { creditCode, status } of standings) context.save(COVERAGE_ENTERPRISES, creditCode, status, event.globalPosition);
    },
  };
}
