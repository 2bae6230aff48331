import { type EnterpriseStatus } from '@liangxin/read-models';
import policyFile from './coverage-targets.json';

/** A district's coverage target: the overall coverage rate (organisational + work ÷ enterprises) to reach by a date. */
export interface CoverageTarget {
  /** 0..1 */
  rate: number;
  /** YYYY-MM-DD, Beijing time, inclusive */
  deadline: string;
  /** where the target comes from (a seed, a document number) */
  source: string;
}

/** The "three 100 %" checks this system can tell from the ledger; their wording comes from the policy file. */
export const THREE_HUNDRED_PERCENT_CHECKS = ['work-coverage', 'members-organised', 'large-organised'] as const;
export type ThreeHundredPercentCheck = (typeof THREE_HUNDRED_PERCENT_CHECKS)[number];

/** The shape of coverage-targets.json (described in README.md beside it). */
export interface CoverageTargetsPolicy {
  version: string;
  source: string;
  /** every district not named in `districts` */
  default: CoverageTarget;
  /** by six-digit division code */
  districts: Record<string, CoverageTarget>;
  threeHundredPercent: { check: ThreeHundredPercentCheck; zh: string; en: string }[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseTarget(value: unknown, field: string): CoverageTarget {
  const t = value as Partial<CoverageTarget> | null;
  if (!t || typeof t !== 'object') throw new Error(`${field} must be an object { rate, deadline, source }`);
  if (typeof t.rate !== 'number' || !(t.rate > 0 && t.rate <= 1)) throw new Error(`${field}.rate must be a number above 0 and at most 1`);
  if (typeof t.deadline !== 'string' || !DATE.test(t.deadline) || Number.isNaN(Date.parse(t.deadline))) throw new Error(`${field}.deadline must be a date YYYY-MM-DD`);
  if (typeof t.source !== 'string' || t.source.trim() === '') throw new Error(`${field}.source must name where the target comes from`);
  return { rate: t.rate, deadline: t.deadline, source: t.source };
}

/** Checks a policy document, naming the first field that is wrong. */
export function parseCoverageTargets(value: unknown): CoverageTargetsPolicy {
  const p = value as Partial<CoverageTargetsPolicy> | null;
  if (!p || typeof p !== 'object') throw new Error('coverage targets must be an object');
  if (typeof p.version !== 'string' || p.version === '') throw new Error('version must be a non-empty string');
  if (typeof p.source !== 'string') throw new Error('source must be a string');
  const defaultTarget = parseTarget(p.default, 'default');
  if (!p.districts || typeof p.districts !== 'object') throw new Error('districts must be an object keyed by six-digit division code');
  const districts: Record<string, CoverageTarget> = {};
  for (const [code, target] of Object.entries(p.districts)) {
    if (!/^\d{6}$/.test(code)) throw new Error(`districts.${code} is not a six-digit division code`);
    districts[code] = parseTarget(target, `districts.${code}`);
  }
  if (!Array.isArray(p.threeHundredPercent)) throw new Error('threeHundredPercent must be a list');
  const checks = p.threeHundredPercent.map((c, i) => {
    if (!THREE_HUNDRED_PERCENT_CHECKS.includes(c?.check)) throw new Error(`threeHundredPercent[${i}].check must be one of ${THREE_HUNDRED_PERCENT_CHECKS.join(', ')}`);
    if (typeof c.zh !== 'string' || typeof c.en !== 'string') throw new Error(`threeHundredPercent[${i}] needs zh and en wording`);
    return { check: c.check, zh: c.zh, en: c.en };
  });
  return { version: p.version, source: p.source, default: defaultTarget, districts, threeHundredPercent: checks };
}

/** The policy shipped with the gateway (coverage-targets.json). */
export const COVERAGE_TARGETS: CoverageTargetsPolicy = parseCoverageTargets(policyFile);

export const targetOf = (policy: CoverageTargetsPolicy, district: string): CoverageTarget => policy.districts[district] ?? policy.default;

/** Whether a district's live enterprises pass one "100 %" check (a district with no enterprises passes none). */
export function passesCheck(check: ThreeHundredPercentCheck, enterprises: readonly EnterpriseStatus[]): boolean {
  const live = enterprises.filter((e) => e.operatingStatus !== 'deregistered');
  if (live.length === 0) return false;
  switch (check) {
    case 'work-coverage':
      return live.every((e) => e.coverage !== 'none');
    case 'members-organised':
      return live.every((e) => e.fullMembers + e.probationaryMembers === 0 || e.coverage === 'organisational');
    case 'large-organised':
      return live.every((e) => !e.mustBeOrganisationallyCovered || e.coverage === 'organisational');
    default: {
      const _: never = check;
      return _;
    }
  }
}
