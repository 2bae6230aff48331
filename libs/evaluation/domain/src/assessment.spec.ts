import type { AssessmentCompleted, AssessmentCorrected, Rubric } from '@liangxin/contracts';
import { fold } from '@liangxin/event-sourcing';
import { DeciderSpecification } from '@liangxin/event-sourcing/testing';
import { assessmentDecider, assessmentHistory, type CompleteAssessment, type CorrectAssessment } from './assessment';

const spec = DeciderSpecification.for(assessmentDecider);

const rubric: Rubric = {
  rubricId: 'five-standards',
  version: 1,
  name: '五化',
  criteria: [
    { id: 'organisation-life', label: '组织生活正常化', weight: 3 },
    { id: 'role-played', label: '作用发挥', weight: 1 },
  ],
  starThresholds: [50, 60, 70, 80, 90],
  passScore: 60,
};

const complete = (overrides: Partial<CompleteAssessment> = {}): CompleteAssessment => ({
  type: 'CompleteAssessment',
  orgId: 'org-a',
  district: '330482',
  year: 2024,
  rubric,
  scores: { 'organisation-life': 90, 'role-played': 70 },
  organisation: { formed: true, district: '330482', formedAt: '2023-04-01T09:00:00+08:00' },
  currentYear: 2026,
  ...overrides,
});

const correct = (overrides: Partial<CorrectAssessment> = {}): CorrectAssessment => ({
  type: 'CorrectAssessment',
  orgId: 'org-a',
  year: 2024,
  rubric,
  scores: { 'organisation-life': 40, 'role-played': 50 },
  reason: 'meeting minutes were missing',
  ...overrides,
});

// (3 × 90 + 1 × 70) / 4 = 85 → five stars, passed
const completed2024: AssessmentCompleted = {
  type: 'AssessmentCompleted',
  schemaVersion: 1,
  data: {
    orgId: 'org-a',
    district: '330482',
    year: 2024,
    rubricId: 'five-standards',
    rubricVersion: 1,
    scores: { 'organisation-life': 90, 'role-played': 70 },
    totalScore: 85,
    stars: 5,
    passed: true,
  },
};

describe('annual assessment: CompleteAssessment', () => {
  it('scores the organisation against the rubric: weighted score, stars, pass', () => spec.given([]).when(complete()).then([completed2024]));

  describe('against the record of the organisation', () => {
    it('refuses an organisation never formed (six stars for a ghost)', () =>
      spec.given([]).when(complete({ orgId: 'ghost-org', organisation: { formed: false } })).thenThrows('ORG_NOT_FOUND', 'orgId'));

    it('refuses an organisation of another district', () =>
      spec.given([]).when(complete({ organisation: { formed: true, district: '430105', formedAt: '2023-04-01T09:00:00+08:00' } })).thenThrows('ORG_NOT_IN_DISTRICT', 'district'));

    it('refuses a year still to come', () => spec.given([]).when(complete({ year: 2031 })).thenThrows('YEAR_IN_FUTURE', 'year'));

    it('refuses a year the organisation was not active in: dissolved before it, or formed after it', () => {
      spec
        .given([])
        .when(complete({ organisation: { formed: true, district: '330482', formedAt: '2020-01-01T00:00:00+08:00', endedAt: '2023-02-01T00:00:00+08:00' } }))
        .thenThrows('ORG_NOT_ACTIVE', 'orgId');
      spec.given([]).when(complete({ organisation: { formed: true, district: '330482', formedAt: '2025-01-01T09:00:00+08:00' } })).thenThrows('ORG_NOT_ACTIVE', 'orgId');
    });
  });

  it('records the assessor when named', () =>
    spec.given([]).when(complete({ assessor: 'officer-7' })).thenMatches(([event]) => expect(event.data).toMatchObject({ assessor: 'officer-7' })));

  it('gives six stars at or above the last threshold and one below the first', () => {
    spec.given([]).when(complete({ scores: { 'organisation-life': 90, 'role-played': 90 } })).thenMatches(([e]) => expect(e.data).toMatchObject({ totalScore: 90, stars: 6, passed: true }));
    spec.given([]).when(complete({ scores: { 'organisation-life': 40, 'role-played': 60 } })).thenMatches(([e]) => expect(e.data).toMatchObject({ totalScore: 45, stars: 1, passed: false }));
  });

  it('passes exactly at the pass score', () =>
    spec.given([]).when(complete({ scores: { 'organisation-life': 60, 'role-played': 60 } })).thenMatches(([e]) => expect(e.data).toMatchObject({ totalScore: 60, stars: 3, passed: true })));

  it('assesses each year once, and keeps the history', () => {
    spec.given([completed2024]).when(complete({ year: 2025 })).thenMatches(([e]) => expect(e.data.year).toBe(2025));
    const state = fold(assessmentDecider, [completed2024, { ...completed2024, data: { ...completed2024.data, year: 2023, stars: 3 } }]);
    expect(assessmentHistory(state).map((a) => [a.year, a.stars])).toEqual([
      [2023, 3],
      [2024, 5],
    ]);
  });

  it('refuses a second assessment of the same year: that is a correction', () =>
    spec.given([completed2024]).when(complete()).thenThrows('ASSESSMENT_ALREADY_COMPLETED', 'year'));

  it('refuses a missing score', () => spec.given([]).when(complete({ scores: { 'organisation-life': 90 } })).thenThrows('SCORE_MISSING', 'scores.role-played'));

  it('refuses a score for a criterion the rubric lacks', () =>
    spec.given([]).when(complete({ scores: { 'organisation-life': 90, 'role-played': 70, venue: 50 } })).thenThrows('UNKNOWN_CRITERION', 'scores.venue'));

  it.each([-1, 100.5, Number.NaN])('refuses the score %p', (score) =>
    spec.given([]).when(complete({ scores: { 'organisation-life': score, 'role-played': 70 } })).thenThrows('SCORE_OUT_OF_RANGE', 'scores.organisation-life'));

  it('refuses an implausible year', () => spec.given([]).when(complete({ year: 24 })).thenThrows('INVALID_YEAR', 'year'));

  it('refuses a district that is not a 6-digit code', () => spec.given([]).when(complete({ district: '33' })).thenThrows('INVALID_DISTRICT', 'district'));

  it('refuses another organisation in this history', () => spec.given([completed2024]).when(complete({ orgId: 'org-b', year: 2025 })).thenThrows('WRONG_ORG', 'orgId'));

  it('refuses an assessment of nobody', () => spec.given([]).when(complete({ orgId: ' ' })).thenThrows('ORG_REQUIRED', 'orgId'));
});

describe('annual assessment: CorrectAssessment', () => {
  const correction: AssessmentCorrected = {
    type: 'AssessmentCorrected',
    schemaVersion: 1,
    data: {
      orgId: 'org-a',
      district: '330482',
      year: 2024,
      rubricId: 'five-standards',
      rubricVersion: 1,
      scores: { 'organisation-life': 40, 'role-played': 50 },
      totalScore: 42.5,
      stars: 1,
      passed: false,
      previousTotalScore: 85,
      previousStars: 5,
      previousPassed: true,
      reason: 'meeting minutes were missing',
    },
  };

  it('records a correction as its own event, saying what it replaced and why', () => spec.given([completed2024]).when(correct()).then([correction]));

  it('makes the correction the year’s standing result', () => {
    const state = fold(assessmentDecider, [completed2024, correction]);
    expect(assessmentHistory(state)).toEqual([expect.objectContaining({ year: 2024, stars: 1, passed: false })]);
  });

  it('may rescore against a newer rubric version', () =>
    spec
      .given([completed2024])
      .when(correct({ rubric: { ...rubric, version: 2, passScore: 40 } }))
      .thenMatches(([e]) => expect(e.data).toMatchObject({ rubricVersion: 2, passed: true })));

  it('does nothing when the correction changes nothing (a retry)', () =>
    spec.given([completed2024]).when(correct({ scores: { 'organisation-life': 90, 'role-played': 70 } })).thenNothingHappens());

  it('refuses to correct a year never assessed', () => spec.given([completed2024]).when(correct({ year: 2023 })).thenThrows('ASSESSMENT_NOT_FOUND', 'year'));

  it('wants a reason', () => spec.given([completed2024]).when(correct({ reason: '  ' })).thenThrows('REASON_REQUIRED', 'reason'));

  it('validates the new scores like an assessment', () => spec.given([completed2024]).when(correct({ scores: { 'role-played': 50 } })).thenThrows('SCORE_MISSING'));
});
