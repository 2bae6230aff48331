import { EVALUATION_SCHEMA_VERSIONS, type InstructorRating, type InstructorReviewCorrected, type InstructorReviewed } from '@liangxin/contracts';
import { type Decider, DomainError } from '@liangxin/event-sourcing';

/**
 * An instructor's or liaison cadre's annual review (004: their work is reviewed each year and tied to their own
 * appraisal). `enterprisesCovered` is their caseload when reviewed, as the caller read it.
 */
export type ReviewInstructor = {
  type: 'ReviewInstructor';
  personId: string;
  name: string;
  district: string;
  year: number;
  rating: InstructorRating;
  enterprisesCovered: number;
  note?: string;
  /** the district the person works for, as the record first shows it (reviews, assignments); absent for someone new */
  instructorDistrict?: string;
  /** the year now, in China (deciders read no clock) */
  currentYear: number;
};
export type CorrectInstructorReview = { type: 'CorrectInstructorReview'; personId: string; year: number; rating: InstructorRating; reason: string };
export type InstructorReviewCommand = ReviewInstructor | CorrectInstructorReview;
export type InstructorReviewEvent = InstructorReviewed | InstructorReviewCorrected;

/** One person's reviews by year, as they stand after corrections. */
export type InstructorReviewState = { byYear: ReadonlyMap<number, { rating: InstructorRating; district: string }> };

export const evolveInstructorReview = (state: InstructorReviewState, event: InstructorReviewEvent): InstructorReviewState => {
  const byYear = new Map(state.byYear);
  byYear.set(event.data.year, { rating: event.data.rating, district: event.data.district });
  return { byYear };
};

export const decideInstructorReview = (command: InstructorReviewCommand, state: InstructorReviewState): InstructorReviewEvent[] => {
  const reviewed = state.byYear.get(command.year);
  if (command.type === 'ReviewInstructor') {
    if (command.instructorDistrict !== undefined && command.instructorDistrict !== command.district)
      throw new DomainError('INSTRUCTOR_NOT_IN_DISTRICT', `${command.personId} works for district ${command.instructorDistrict}: that district reviews them.`, 'district');
    if (command.year > command.currentYear) throw new DomainError('YEAR_IN_FUTURE', `The ${command.year} review cannot be made yet: it is ${command.currentYear}.`, 'year');
    if (reviewed)
      throw new DomainError('REVIEW_EXISTS', `${command.name} was already reviewed for ${command.year} (${reviewed.rating}); correct that review instead.`, 'year', 'conflict');
    if (!Number.isInteger(command.enterprisesCovered) || command.enterprisesCovered < 0)
      throw new DomainError('INVALID_CASELOAD', 'The caseload at review time is a whole number of enterprises.', 'enterprisesCovered');
    return [
      {
        type: 'InstructorReviewed',
        schemaVersion: EVALUATION_SCHEMA_VERSIONS.InstructorReviewed,
        data: {
          personId: command.personId,
          name: command.name.trim(),
          district: command.district,
          year: command.year,
          rating: command.rating,
          enterprisesCovered: command.enterprisesCovered,
          ...(command.note?.trim() && { note: command.note.trim() }),
        },
      },
    ];
  }
  if (!reviewed) throw new DomainError('REVIEW_NOT_FOUND', `No review of ${command.personId} for ${command.year} to correct.`, 'year', 'not_found');
  if (reviewed.rating === command.rating) throw new DomainError('SAME_RATING', `The ${command.year} review already rates ${command.rating}.`, 'rating', 'conflict');
  if (!command.reason.trim()) throw new DomainError('REASON_REQUIRED', 'Say why the review is corrected.', 'reason');
  return [
    {
      type: 'InstructorReviewCorrected',
      schemaVersion: EVALUATION_SCHEMA_VERSIONS.InstructorReviewCorrected,
      data: { personId: command.personId, district: reviewed.district, year: command.year, rating: command.rating, previousRating: reviewed.rating, reason: command.reason.trim() },
    },
  ];
};

/** One person's reviews (stream `evaluation-instructor-<personId>`): one per year, corrected but never edited. */
export const instructorReviewDecider: Decider<InstructorReviewCommand, InstructorReviewState, InstructorReviewEvent> = {
  decide: decideInstructorReview,
  evolve: evolveInstructorReview,
  initialState: () => ({ byYear: new Map() }),
};
