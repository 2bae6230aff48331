import type { RecordedEvent } from '@liangxin/contracts';
import { UnitOfWork } from '../../runner/unit-of-work';
import { INSTRUCTOR_REVIEWS, type InstructorReviews, instructorReviewsProjection } from './instructor-reviews';

const event = (position: number, type: string, data: Record<string, unknown>, actor = 'officer:wang'): RecordedEvent => {
  const at = new Date(Date.UTC(2026, 0, 10, 0, 0, position)).toISOString();
  return { type, schemaVersion: 1, data, eventId: `e${position}`, streamId: 'evaluation-instructor-p-li', streamVersion: position - 1, globalPosition: position, occurredAt: at, recordedAt: at, metadata: { actor } };
};
const reviewed = (position: number, year: number, rating: string) =>
  event(position, 'InstructorReviewed', { personId: 'p-li', name: '李指导员', district: '430104', year, rating, enterprisesCovered: 10 + year - 2024 });

async function project(events: readonly RecordedEvent[]) {
  const unit = new UnitOfWork(async () => undefined);
  for (const e of events) await instructorReviewsProjection.apply(e, unit);
  return (await unit.load<InstructorReviews>(INSTRUCTOR_REVIEWS, 'p-li'))?.body;
}

describe('instructor reviews projection', () => {
  it('lists each year’s review by year, with who reviewed and the caseload carried', async () => {
    const doc = await project([reviewed(1, 2025, 'competent'), reviewed(2, 2024, 'excellent')]);
    expect(doc?.reviews.map((r) => [r.year, r.rating, r.enterprisesCovered, r.reviewedBy])).toEqual([
      [2024, 'excellent', 10, 'officer:wang'],
      [2025, 'competent', 11, 'officer:wang'],
    ]);
  });

  it('applies a correction to its year, keeping what it replaced; a redelivered event changes nothing', async () => {
    const corrected = event(2, 'InstructorReviewCorrected', { personId: 'p-li', district: '430104', year: 2025, rating: 'basically-competent', previousRating: 'competent', reason: '复核' }, 'officer:zhao');
    const once = await project([reviewed(1, 2025, 'competent'), corrected]);
    expect(once?.reviews[0]).toMatchObject({ rating: 'basically-competent', corrections: [{ previousRating: 'competent', reason: '复核', by: 'officer:zhao' }] });
    expect(await project([reviewed(1, 2025, 'competent'), corrected, reviewed(1, 2025, 'competent'), corrected])).toEqual(once);
  });
});
