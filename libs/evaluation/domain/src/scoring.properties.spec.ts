import type { Rubric } from '@liangxin/contracts';
import fc from 'fast-check';
import { rubricDecider } from './rubric';
import { defaultRubric, passesReview, rate, starsForScore, weightedScore } from './scoring';

/** Rubrics the rubric decider accepts: criteria with positive weights, five rising thresholds, a pass score. */
const rubricArb: fc.Arbitrary<Rubric> = fc
  .record({
    weights: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 8 }),
    thresholds: fc.uniqueArray(fc.integer({ min: 0, max: 100 }), { minLength: 5, maxLength: 5 }),
    passScore: fc.integer({ min: 0, max: 100 }),
  })
  .map(({ weights, thresholds, passScore }) => ({
    rubricId: 'generated',
    version: 1,
    name: 'generated',
    criteria: weights.map((weight, i) => ({ id: `c${i}`, label: `criterion ${i}`, weight })),
    starThresholds: [...thresholds].sort((a, b) => a - b) as Rubric['starThresholds'],
    passScore,
  }));

const score = fc.double({ min: 0, max: 100, noNaN: true });

const scoresFor = (rubric: Rubric) => fc.tuple(...rubric.criteria.map(() => score)).map((values) => Object.fromEntries(rubric.criteria.map((c, i) => [c.id, values[i]])));

describe('scoring properties', () => {
  it('generates rubrics the rubric decider accepts', () => {
    fc.assert(
      fc.property(rubricArb, ({ rubricId, name, criteria, starThresholds, passScore }) => {
        expect(rubricDecider.decide({ type: 'PublishRubric', rubricId, name, criteria, starThresholds, passScore }, rubricDecider.initialState())).toHaveLength(1);
      }),
      { numRuns: 100 },
    );
  });

  it('always gives 1 to 6 stars, and a weighted score between 0 and 100', () => {
    fc.assert(
      fc.property(
        rubricArb.chain((rubric) => fc.tuple(fc.constant(rubric), scoresFor(rubric))),
        ([rubric, scores]) => {
          const { totalScore, stars } = rate(rubric, scores);
          expect(totalScore).toBeGreaterThanOrEqual(0);
          expect(totalScore).toBeLessThanOrEqual(100);
          expect(Number.isInteger(stars)).toBe(true);
          expect(stars).toBeGreaterThanOrEqual(1);
          expect(stars).toBeLessThanOrEqual(6);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never gives fewer stars, or a fail instead of a pass, for a higher score', () => {
    fc.assert(
      fc.property(rubricArb, score, score, (rubric, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(starsForScore(rubric, high)).toBeGreaterThanOrEqual(starsForScore(rubric, low));
        if (passesReview(rubric, low)) expect(passesReview(rubric, high)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never lowers the rating when one criterion’s score goes up', () => {
    fc.assert(
      fc.property(
        rubricArb.chain((rubric) => fc.tuple(fc.constant(rubric), scoresFor(rubric), fc.nat({ max: rubric.criteria.length - 1 }), score)),
        ([rubric, scores, index, other]) => {
          const id = rubric.criteria[index].id;
          const raised = { ...scores, [id]: Math.max(scores[id], other) };
          expect(weightedScore(rubric, raised)).toBeGreaterThanOrEqual(weightedScore(rubric, scores));
          expect(rate(rubric, raised).stars).toBeGreaterThanOrEqual(rate(rubric, scores).stars);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reaches every star count on the default rubric', () => {
    const reached = new Set(Array.from({ length: 101 }, (_, s) => starsForScore(defaultRubric, s)));
    expect([...reached].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
