import type { AssessmentOutcome, EvaluationEvent } from '@liangxin/contracts';

/** How many organisations hold each number of stars. */
export type StarDistribution = Record<1 | 2 | 3 | 4 | 5 | 6, number>;

export type EvaluationSummary = {
  assessed: number;
  passed: number;
  /** passed / assessed, or null when nobody was assessed (0 % would be a claim) */
  passRate: number | null;
  distribution: StarDistribution;
};

export type DistrictEvaluationSummary = EvaluationSummary & { district: string; year: number };

/**
 * Each organisation's assessment per year as it stands after corrections, from the evaluation events
 * in the order they were recorded.
 */
export const currentAssessments = (events: Iterable<EvaluationEvent>): AssessmentOutcome[] => {
  const latest = new Map<string, AssessmentOutcome>();
  for (const event of events) {
    if (event.type !== 'AssessmentCompleted' && event.type !== 'AssessmentCorrected') continue;
    const { orgId, district, year, rubricId, rubricVersion, scores, totalScore, stars, passed } = event.data;
    latest.set(`${orgId}\u0000${year}`, { orgId, district, year, rubricId, rubricVersion, scores, totalScore, stars, passed });
  }
  return [...latest.values()];
};

export const emptyStarDistribution = (): StarDistribution => ({ 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0 });

export const starDistribution = (assessments: Iterable<Pick<AssessmentOutcome, 'stars'>>): StarDistribution => {
  const distribution = emptyStarDistribution();
  for (const { stars } of assessments) distribution[stars as keyof StarDistribution] += 1;
  return distribution;
};

export const passRate = (assessments: Iterable<Pick<AssessmentOutcome, 'passed'>>): number | null => {
  let assessed = 0;
  let passed = 0;
  for (const assessment of assessments) {
    assessed += 1;
    if (assessment.passed) passed += 1;
  }
  return assessed === 0 ? null : passed / assessed;
};

export const summarise = (assessments: readonly Pick<AssessmentOutcome, 'stars' | 'passed'>[]): EvaluationSummary => ({
  assessed: assessments.length,
  passed: assessments.filter((a) => a.passed).length,
  passRate: passRate(assessments),
  distribution: starDistribution(assessments),
});

/** Distribution and pass rate per district for one year, districts in code order. */
export const districtSummaries = (assessments: readonly AssessmentOutcome[], year: number): DistrictEvaluationSummary[] => {
  const byDistrict = new Map<string, AssessmentOutcome[]>();
  for (const assessment of assessments) {
    if (assessment.year !== year) continue;
    const group = byDistrict.get(assessment.district) ?? [];
    group.push(assessment);
    byDistrict.set(assessment.district, group);
  }
  return [...byDistrict.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([district, group]) => ({ district, year, ...summarise(group) }));
};

/**
 * The same figures for the organisations beneath a committee (产业链党委, 综合党委...): `parentOf`
 * comes from formation's organisation tree, and the committee's own assessment counts too.
 */
export const summariseUnder = (
  assessments: readonly AssessmentOutcome[],
  year: number,
  committeeOrgId: string,
  parentOf: (orgId: string) => string | undefined,
): EvaluationSummary => {
  const isUnder = (orgId: string): boolean => {
    const visited = new Set<string>();
    for (let current: string | undefined = orgId; current !== undefined && !visited.has(current); current = parentOf(current)) {
      if (current === committeeOrgId) return true;
      visited.add(current);
    }
    return false;
  };
  return summarise(assessments.filter((a) => a.year === year && isUnder(a.orgId)));
};
