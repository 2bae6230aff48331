import type { AssessmentCompleted, AssessmentCorrected, RecordedEvent } from '@liangxin/contracts';
import { evolveDocument, type Projection } from '../../projection';

/** One organisation's rating for one year, as it stands after any correction. */
export interface YearRating {
  year: number;
  /** 1–6 (六星) */
  stars: number;
  totalScore: number;
  passed: boolean;
  rubricId: string;
  rubricVersion: number;
  assessedAt: string;
  /** set when a correction replaced the first assessment */
  correctedAt: string | null;
  correctionReason: string | null;
}

/** Stars per organisation and year. */
export interface OrgEvaluation {
  orgId: string;
  district: string;
  /** ascending by year */
  years: YearRating[];
  /** the most recent year assessed */
  latest: YearRating | null;
}

export type StarCounts = Record<'1' | '2' | '3' | '4' | '5' | '6', number>;

/** A district's assessments of one year: how many organisations hold each number of stars, and the pass rate. */
export interface DistrictEvaluation {
  district: string;
  year: number;
  assessed: number;
  passed: number;
  /** passed / assessed to four decimals; null when nobody was assessed (0 % would be a claim) */
  passRate: number | null;
  distribution: StarCounts;
}

export const EVALUATION_ORGS = 'evaluation.orgs';
export const EVALUATION_DISTRICTS = 'evaluation.districts';
export const EVALUATION_EVENT_TYPES_PROJECTED = ['AssessmentCompleted', 'AssessmentCorrected'] as const;

export const districtEvaluationId = (district: string, year: number): string => `${district}:${year}`;

type AssessmentEvent = RecordedEvent<AssessmentCompleted | AssessmentCorrected>;

const emptyStarCounts = (): StarCounts => ({ '1': 0, '2': 0, '3': 0, '4': 0, '5': 0, '6': 0 });
const starKey = (stars: number): keyof StarCounts => String(stars) as keyof StarCounts;
const passRateOf = (passed: number, assessed: number): number | null => (assessed === 0 ? null : Math.round((passed / assessed) * 10_000) / 10_000);

/** Pure: an organisation's ratings after one assessment event. */
export function evolveOrgEvaluation(current: OrgEvaluation | undefined, event: RecordedEvent): OrgEvaluation | undefined {
  const e = event as AssessmentEvent;
  if (e.type !== 'AssessmentCompleted' && e.type !== 'AssessmentCorrected') return undefined;
  const { orgId, district, year, stars, totalScore, passed, rubricId, rubricVersion } = e.data;
  const org = current ?? { orgId, district, years: [], latest: null };
  const earlier = org.years.find((y) => y.year === year);
  const rating: YearRating = {
    year,
    stars,
    totalScore,
    passed,
    rubricId,
    rubricVersion,
    assessedAt: e.type === 'AssessmentCorrected' && earlier ? earlier.assessedAt : e.occurredAt,
    correctedAt: e.type === 'AssessmentCorrected' ? e.occurredAt : null,
    correctionReason: e.type === 'AssessmentCorrected' ? e.data.reason : null,
  };
  const years = [...org.years.filter((y) => y.year !== year), rating].sort((a, b) => a.year - b.year);
  return { ...org, district: org.district || district, years, latest: years[years.length - 1] };
}

/** Pure: a district's summary of one year after one assessment event (a correction moves one organisation between counts). */
export function evolveDistrictEvaluation(current: DistrictEvaluation | undefined, event: RecordedEvent): DistrictEvaluation | undefined {
  const e = event as AssessmentEvent;
  if (e.type !== 'AssessmentCompleted' && e.type !== 'AssessmentCorrected') return undefined;
  const { district, year, stars, passed } = e.data;
  const summary = current ?? { district, year, assessed: 0, passed: 0, passRate: null, distribution: emptyStarCounts() };
  const distribution = { ...summary.distribution };
  let { assessed, passed: passedCount } = summary;
  const previous = e.type === 'AssessmentCorrected' ? { stars: e.data.previousStars, passed: e.data.previousPassed } : undefined;
  if (previous && distribution[starKey(previous.stars)] > 0) {
    distribution[starKey(previous.stars)] -= 1;
    if (previous.passed) passedCount -= 1;
  } else {
    assessed += 1;
  }
  distribution[starKey(stars)] += 1;
  if (passed) passedCount += 1;
  return { ...summary, assessed, passed: passedCount, passRate: passRateOf(passedCount, assessed), distribution };
}

/** Evaluation: stars per organisation and year; star distribution and pass rate per district and year. */
export const evaluationProjection: Projection = {
  name: 'evaluation',
  collections: [EVALUATION_DISTRICTS, EVALUATION_ORGS],
  queriedBy: { [EVALUATION_DISTRICTS]: ['district'] },
  eventTypes: new Set<string>(EVALUATION_EVENT_TYPES_PROJECTED),
  async apply(event, context) {
    const { orgId, district, year } = (event as AssessmentEvent).data;
    await evolveDocument(context, EVALUATION_ORGS, orgId, event, evolveOrgEvaluation);
    await evolveDocument(context, EVALUATION_DISTRICTS, districtEvaluationId(district, year), event, evolveDistrictEvaluation);
  },
  // Each document depends only on the assessments of its organisation, or of its district and year.
  mayAffect(event, collection, id) {
    const { orgId, district, year } = (event as AssessmentEvent).data;
    if (collection === EVALUATION_ORGS) return orgId === id;
    return collection === EVALUATION_DISTRICTS && districtEvaluationId(district, year) === id;
  },
};
