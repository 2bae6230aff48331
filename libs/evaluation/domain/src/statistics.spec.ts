import type { AssessmentOutcome, EvaluationEvent } from '@liangxin/contracts';
import { currentAssessments, districtSummaries, passRate, starDistribution, summariseUnder } from './statistics';

const outcome = (orgId: string, district: string, year: number, stars: number, passed: boolean): AssessmentOutcome => ({
  orgId,
  district,
  year,
  rubricId: 'five-standards',
  rubricVersion: 1,
  scores: {},
  totalScore: stars * 15,
  stars,
  passed,
});

describe('evaluation statistics', () => {
  it('counts organisations per number of stars', () => {
    expect(starDistribution([outcome('a', '330482', 2024, 6, true), outcome('b', '330482', 2024, 6, true), outcome('c', '330482', 2024, 2, false)])).toEqual({
      1: 0,
      2: 1,
      3: 0,
      4: 0,
      5: 0,
      6: 2,
    });
  });

  it('gives the pass rate, and no rate at all when nobody was assessed', () => {
    expect(passRate([outcome('a', 'd', 2024, 6, true), outcome('b', 'd', 2024, 2, false), outcome('c', 'd', 2024, 4, true), outcome('e', 'd', 2024, 4, true)])).toBe(0.75);
    expect(passRate([])).toBeNull();
  });

  it('takes each organisation’s year as corrected', () => {
    const completed: EvaluationEvent = { type: 'AssessmentCompleted', schemaVersion: 1, data: outcome('a', '330482', 2024, 5, true) };
    const corrected: EvaluationEvent = {
      type: 'AssessmentCorrected',
      schemaVersion: 1,
      data: { ...outcome('a', '330482', 2024, 2, false), previousTotalScore: 75, previousStars: 5, previousPassed: true, reason: 'r' },
    };
    const otherYear: EvaluationEvent = { type: 'AssessmentCompleted', schemaVersion: 1, data: outcome('a', '330482', 2025, 4, true) };
    const current = currentAssessments([completed, otherYear, corrected]);
    expect(current.map((a) => [a.year, a.stars, a.passed]).sort()).toEqual([
      [2024, 2, false],
      [2025, 4, true],
    ]);
  });

  it('summarises a year per district, in district order', () => {
    const summaries = districtSummaries(
      [outcome('a', '330482', 2024, 6, true), outcome('b', '330482', 2024, 3, false), outcome('c', '361100', 2024, 4, true), outcome('d', '330482', 2023, 1, false)],
      2024,
    );
    expect(summaries).toEqual([
      { district: '330482', year: 2024, assessed: 2, passed: 1, passRate: 0.5, distribution: { 1: 0, 2: 0, 3: 1, 4: 0, 5: 0, 6: 1 } },
      { district: '361100', year: 2024, assessed: 1, passed: 1, passRate: 1, distribution: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0, 6: 0 } },
    ]);
  });

  it('rolls a year up the organisation tree to a committee, without looping on a cycle', () => {
    const parents: Record<string, string> = { 'branch-1': 'chain-committee', 'branch-2': 'general-branch', 'general-branch': 'chain-committee', 'x': 'y', 'y': 'x' };
    const summary = summariseUnder(
      [
        outcome('branch-1', '430104', 2024, 6, true),
        outcome('branch-2', '430104', 2024, 2, false),
        outcome('general-branch', '430104', 2024, 4, true),
        outcome('other', '430104', 2024, 5, true),
        outcome('x', '430104', 2024, 5, true),
        outcome('branch-1', '430104', 2023, 1, false),
      ],
      2024,
      'chain-committee',
      (orgId) => parents[orgId],
    );
    expect(summary).toMatchObject({ assessed: 3, passed: 2, distribution: { 2: 1, 4: 1, 6: 1 } });
  });
});
