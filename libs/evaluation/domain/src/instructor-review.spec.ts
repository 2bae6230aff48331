import type { InstructorRating } from '@liangxin/contracts';
import { DeciderSpecification } from '@liangxin/event-sourcing/testing';
import fc from 'fast-check';
import { type InstructorReviewCommand, type InstructorReviewEvent, instructorReviewDecider, type ReviewInstructor } from './instructor-review';

// Instructors and liaison cadres (docs/domain.md): their work is reviewed each year and tied to their own appraisal.
const spec = DeciderSpecification.for(instructorReviewDecider);
const review = (year = 2025, rating: InstructorRating = 'competent', enterprisesCovered = 12): ReviewInstructor => ({
  type: 'ReviewInstructor',
  personId: 'p-li',
  name: ' 李指导员 ',
  district: '430104',
  year,
  rating,
  enterprisesCovered,
  note: ' 联系企业走访到位 ',
  currentYear: 2026,
});
const reviewed = (year = 2025, rating: InstructorRating = 'competent'): InstructorReviewEvent => ({
  type: 'InstructorReviewed',
  schemaVersion: 1,
  data: { personId: 'p-li', name: '李指导员', district: '430104', year, rating, enterprisesCovered: 12, note: '联系企业走访到位' },
});
const correct = (rating: InstructorRating, reason = '复核后调整'): InstructorReviewCommand => ({ type: 'CorrectInstructorReview', personId: 'p-li', year: 2025, rating, reason });

describe('instructor reviews', () => {
  it('records a year’s review with the caseload carried', () => spec.given([]).when(review()).then([reviewed()]));

  it('reviews each year once: a second review of the year is refused, another year is not', () => {
    spec.given([reviewed()]).when(review(2025, 'excellent')).thenThrows('REVIEW_EXISTS', 'year');
    spec.given([reviewed()]).when(review(2026)).thenMatches((events) => expect(events[0].data).toMatchObject({ year: 2026 }));
    spec.given([]).when(review(2025, 'competent', -1)).thenThrows('INVALID_CASELOAD', 'enterprisesCovered');
  });

  it('reviews a person only in the district the record shows them working for, and no year still to come', () => {
    spec.given([]).when({ ...review(), instructorDistrict: '430105' }).thenThrows('INSTRUCTOR_NOT_IN_DISTRICT', 'district');
    spec.given([]).when({ ...review(), instructorDistrict: '430104' }).thenMatches((events) => expect(events).toHaveLength(1));
    spec.given([]).when(review(2027)).thenThrows('YEAR_IN_FUTURE', 'year');
  });

  it('corrects a review, saying what it replaced and why; never one that does not exist or to the same rating', () => {
    spec
      .given([reviewed()])
      .when(correct('basically-competent'))
      .then([
        {
          type: 'InstructorReviewCorrected',
          schemaVersion: 1,
          data: { personId: 'p-li', district: '430104', year: 2025, rating: 'basically-competent', previousRating: 'competent', reason: '复核后调整' },
        },
      ]);
    spec.given([]).when(correct('excellent')).thenThrows('REVIEW_NOT_FOUND', 'year');
    spec.given([reviewed()]).when(correct('competent')).thenThrows('SAME_RATING', 'rating');
    spec.given([reviewed()]).when(correct('excellent', ' ')).thenThrows('REASON_REQUIRED', 'reason');
  });

  it('property: whatever is tried, each year holds one review, and its rating is the last one recorded for that year', () => {
    const ratings: InstructorRating[] = ['excellent', 'competent', 'basically-competent', 'incompetent'];
    const attempt = fc.record({ correct: fc.boolean(), year: fc.integer({ min: 2023, max: 2025 }), rating: fc.constantFrom(...ratings) });
    fc.assert(
      fc.property(fc.array(attempt, { maxLength: 20 }), (attempts) => {
        let state = instructorReviewDecider.initialState();
        const recorded: InstructorReviewEvent[] = [];
        for (const a of attempts) {
          try {
            const events = instructorReviewDecider.decide(a.correct ? { ...correct(a.rating), year: a.year } : review(a.year, a.rating), state);
            for (const e of events) state = instructorReviewDecider.evolve(state, e);
            recorded.push(...events);
          } catch (error) {
            expect((error as Error).name).toBe('DomainError');
          }
        }
        const years = new Set(recorded.map((e) => e.data.year));
        for (const year of years) {
          const ofYear = recorded.filter((e) => e.data.year === year);
          expect(ofYear.filter((e) => e.type === 'InstructorReviewed')).toHaveLength(1);
          expect(ofYear[0].type).toBe('InstructorReviewed');
          expect(state.byYear.get(year)?.rating).toBe(ofYear.at(-1)?.data.rating);
        }
      }),
    );
  });
});
