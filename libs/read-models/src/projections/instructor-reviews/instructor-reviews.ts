import type { InstructorRating, InstructorReviewCorrected, InstructorReviewed, RecordedEvent } from '@liangxin/contracts';
import { evolveDocument, type Projection } from '../../projection';

export interface InstructorReviewCorrection {
  rating: InstructorRating;
  previousRating: InstructorRating;
  reason: string;
  by: string;
  at: string;
}

/** One year's review of an instructor or liaison cadre, as it stands after corrections. */
export interface InstructorYearReview {
  year: number;
  district: string;
  rating: InstructorRating;
  /** enterprises they gave work coverage to when reviewed */
  enterprisesCovered: number;
  note: string | null;
  reviewedBy: string;
  reviewedAt: string;
  corrections: InstructorReviewCorrection[];
}

/** An instructor's or liaison cadre's reviews, year by year (docs/domain.md, "Instructors and liaison cadres": reviewed each year, tied to their own appraisal). */
export interface InstructorReviews {
  personId: string;
  name: string;
  /** sorted by year */
  reviews: InstructorYearReview[];
}

export const INSTRUCTOR_REVIEWS = 'instructor-reviews';
export const INSTRUCTOR_REVIEW_EVENT_TYPES: ReadonlySet<string> = new Set(['InstructorReviewed', 'InstructorReviewCorrected']);

/** Pure: the person's reviews after one event. */
export function evolveInstructorReviews(current: InstructorReviews | undefined, event: RecordedEvent): InstructorReviews | undefined {
  if (event.type === 'InstructorReviewed') {
    const d = event.data as InstructorReviewed['data'];
    const review: InstructorYearReview = {
      year: d.year,
      district: d.district,
      rating: d.rating,
      enterprisesCovered: d.enterprisesCovered,
      note: d.note ?? null,
      reviewedBy: event.metadata.actor,
      reviewedAt: event.occurredAt,
      corrections: [],
    };
    const others = (current?.reviews ?? []).filter((r) => r.year !== d.year);
    return { personId: d.personId, name: d.name, reviews: [...others, review].sort((a, b) => a.year - b.year) };
  }
  if (event.type === 'InstructorReviewCorrected' && current) {
    const d = event.data as InstructorReviewCorrected['data'];
    const correction: InstructorReviewCorrection = { rating: d.rating, previousRating: d.previousRating, reason: d.reason, by: event.metadata.actor, at: event.occurredAt };
    return {
      ...current,
      reviews: current.reviews.map((r) => (r.year === d.year ? { ...r, rating: d.rating, corrections: [...r.corrections, correction] } : r)),
    };
  }
  return undefined;
}

export const instructorReviewsProjection: Projection = {
  name: 'instructor-reviews',
  collections: [INSTRUCTOR_REVIEWS],
  eventTypes: INSTRUCTOR_REVIEW_EVENT_TYPES,
  async apply(event, context) {
    const { personId } = event.data as { personId?: string };
    if (personId) await evolveDocument(context, INSTRUCTOR_REVIEWS, personId, event, evolveInstructorReviews);
  },
};
