import type { Event } from '../event';

/** A criterion of an annual assessment rubric; weights are relative (they need not sum to 1). */
export type RubricCriterion = {
  /** stable key scores are given under, e.g. `organisation-setup` */
  id: string;
  label: string;
  weight: number;
};

/**
 * The scale an organisation is rated on, versioned: a published rubric never changes,
 * publishing again makes the next version, and every assessment names the version it used.
 */
export type Rubric = {
  rubricId: string;
  version: number;
  name: string;
  criteria: RubricCriterion[];
  /**
   * Five ascending weighted-score cut points (0–100): a score below the first earns 1 star,
   * a score at or above the last earns 6 (六星).
   */
  starThresholds: [number, number, number, number, number];
  /** weighted score (0–100) at or above which the organisation passes the annual review */
  passScore: number;
};

/** Scores per criterion id, each 0–100. */
export type CriterionScores = Record<string, number>;

export type RubricPublished = Event<'RubricPublished', Rubric>;

export type AssessmentOutcome = {
  orgId: string;
  /** 6-digit administrative division of the organisation, for per-district statistics */
  district: string;
  /** the year under review */
  year: number;
  rubricId: string;
  rubricVersion: number;
  scores: CriterionScores;
  /** weighted score 0–100, one decimal */
  totalScore: number;
  /** 1–6 */
  stars: number;
  passed: boolean;
};

export type AssessmentCompleted = Event<'AssessmentCompleted', AssessmentOutcome & { assessor?: string }>;

/** A completed assessment is never edited: a correction is its own event and says what it replaced. */
export type AssessmentCorrected = Event<
  'AssessmentCorrected',
  AssessmentOutcome & {
    previousTotalScore: number;
    previousStars: number;
    previousPassed: boolean;
    reason: string;
  }
>;

/** The annual appraisal grades of a party-building instructor or liaison cadre (优秀 / 称职 / 基本称职 / 不称职). */
export const INSTRUCTOR_RATINGS = ['excellent', 'competent', 'basically-competent', 'incompetent'] as const;
export type InstructorRating = (typeof INSTRUCTOR_RATINGS)[number];

/**
 * An instructor's or liaison cadre's work reviewed for a year (004: their work is reviewed each year and tied to
 * their own appraisal), with the caseload they carried when reviewed. One review per person and year.
 */
export type InstructorReviewed = Event<
  'InstructorReviewed',
  {
    personId: string;
    name: string;
    /** the district whose office reviewed them */
    district: string;
    year: number;
    rating: InstructorRating;
    /** enterprises they gave work coverage to when reviewed */
    enterprisesCovered: number;
    note?: string;
  }
>;

/** A review is never edited: a correction is its own event, says what it replaced and why. */
export type InstructorReviewCorrected = Event<
  'InstructorReviewCorrected',
  { personId: string; district: string; year: number; rating: InstructorRating; previousRating: InstructorRating; reason: string }
>;

export type EvaluationEvent = RubricPublished | AssessmentCompleted | AssessmentCorrected | InstructorReviewed | InstructorReviewCorrected;

export const EVALUATION_EVENT_TYPES = [
  'RubricPublished',
  'AssessmentCompleted',
  'AssessmentCorrected',
  'InstructorReviewed',
  'InstructorReviewCorrected',
] as const satisfies readonly EvaluationEvent['type'][];

/** Current schema version of each evaluation event type. */
export const EVALUATION_SCHEMA_VERSIONS: Record<EvaluationEvent['type'], number> = {
  RubricPublished: 1,
  AssessmentCompleted: 1,
  AssessmentCorrected: 1,
  InstructorReviewed: 1,
  InstructorReviewCorrected: 1,
};

export const isEvaluationEvent = (event: { readonly type: string }): event is EvaluationEvent =>
  (EVALUATION_EVENT_TYPES as readonly string[]).includes(event.type);
