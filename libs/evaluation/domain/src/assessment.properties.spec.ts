import type { EvaluationEvent } from '@liangxin/contracts';
import { isDomainError } from '@liangxin/event-sourcing';
import fc from 'fast-check';
import { assessmentDecider, assessmentHistory, type AssessmentCommand, type AssessmentEvent } from './assessment';
import { defaultRubric } from './scoring';
import { currentAssessments } from './statistics';

const year = fc.integer({ min: 2021, max: 2024 });
const score = fc.integer({ min: 0, max: 100 });
const scores = fc.tuple(...defaultRubric.criteria.map(() => score)).map((values) => Object.fromEntries(defaultRubric.criteria.map((c, i) => [c.id, values[i]])));

const command: fc.Arbitrary<AssessmentCommand> = fc.oneof(
  fc.record({ year, scores }).map(({ year, scores }): AssessmentCommand => ({
    type: 'CompleteAssessment',
    orgId: 'org-a',
    district: '330482',
    year,
    rubric: defaultRubric,
    scores,
    organisation: { formed: true, district: '330482', formedAt: '2020-05-01T00:00:00+08:00' },
    currentYear: 2026,
  })),
  fc.record({ year, scores, reason: fc.constantFrom('re-audit', '') }).map(({ year, scores, reason }): AssessmentCommand => ({ type: 'CorrectAssessment', orgId: 'org-a', year, rubric: defaultRubric, scores, reason })),
);

describe('annual assessment properties', () => {
  it('completes each year at most once, corrects only what was completed, and the statistics agree with the history', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 30 }), (commands) => {
        let state = assessmentDecider.initialState();
        const history: AssessmentEvent[] = [];
        for (const c of commands) {
          try {
            for (const event of assessmentDecider.decide(c, state)) {
              state = assessmentDecider.evolve(state, event);
              history.push(event);
            }
          } catch (error) {
            if (!isDomainError(error)) throw error;
          }
        }
        const completedYears = history.filter((e) => e.type === 'AssessmentCompleted').map((e) => e.data.year);
        expect(new Set(completedYears).size).toBe(completedYears.length);
        const seen = new Set<number>();
        for (const event of history) {
          if (event.type === 'AssessmentCorrected') expect(seen.has(event.data.year)).toBe(true);
          seen.add(event.data.year);
          expect(event.data.stars).toBeGreaterThanOrEqual(1);
          expect(event.data.stars).toBeLessThanOrEqual(6);
        }
        const fromStatistics = currentAssessments(history as EvaluationEvent[]).sort((a, b) => a.year - b.year);
        expect(fromStatistics).toEqual(assessmentHistory(state));
      }),
      { numRuns: 200 },
    );
  });
});
