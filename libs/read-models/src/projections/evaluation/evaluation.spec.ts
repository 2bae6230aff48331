import type { RecordedEvent } from '@liangxin/contracts';
import { UnitOfWork } from '../../runner/unit-of-work';
import { type DistrictEvaluation, districtEvaluationId, EVALUATION_DISTRICTS, EVALUATION_ORGS, evaluationProjection, type OrgEvaluation } from './evaluation';

let position = 0;
const recorded = (type: string, data: Record<string, unknown>): RecordedEvent => {
  position += 1;
  const at = new Date(Date.UTC(2025, 0, 10, 0, 0, position)).toISOString();
  return { type, schemaVersion: 1, data, eventId: `e${position}`, streamId: `evaluation-org-${String(data['orgId'])}`, streamVersion: 0, globalPosition: position, occurredAt: at, recordedAt: at, metadata: { actor: 'test' } };
};

const outcome = (orgId: string, year: number, stars: number, passed: boolean, district = '330482') => ({
  orgId,
  district,
  year,
  rubricId: 'five-standards',
  rubricVersion: 1,
  scores: {},
  totalScore: 40 + stars * 10,
  stars,
  passed,
});
const completed = (orgId: string, year: number, stars: number, passed: boolean, district?: string) => recorded('AssessmentCompleted', outcome(orgId, year, stars, passed, district));
const corrected = (orgId: string, year: number, stars: number, passed: boolean, previous: { stars: number; passed: boolean }) =>
  recorded('AssessmentCorrected', { ...outcome(orgId, year, stars, passed), previousTotalScore: 40 + previous.stars * 10, previousStars: previous.stars, previousPassed: previous.passed, reason: 'minutes missing' });

async function project(events: readonly RecordedEvent[]) {
  const unit = new UnitOfWork(async () => undefined);
  for (const event of events) await evaluationProjection.apply(event, unit);
  return {
    district: async (district: string, year: number) => (await unit.load<DistrictEvaluation>(EVALUATION_DISTRICTS, districtEvaluationId(district, year)))?.body,
    org: async (orgId: string) => (await unit.load<OrgEvaluation>(EVALUATION_ORGS, orgId))?.body,
  };
}

describe('evaluation projection', () => {
  beforeEach(() => {
    position = 0;
  });

  it('keeps each organisation’s stars by year, a correction replacing the year it corrects', async () => {
    const view = await project([completed('org-a', 2024, 4, true), completed('org-a', 2023, 6, true), corrected('org-a', 2024, 1, false, { stars: 4, passed: true })]);

    const org = await view.org('org-a');
    expect(org?.years.map((y) => [y.year, y.stars, y.passed, y.correctionReason])).toEqual([
      [2023, 6, true, null],
      [2024, 1, false, 'minutes missing'],
    ]);
    expect(org?.latest?.year).toBe(2024);
    expect(org?.years[1].assessedAt).toBe('2025-01-10T00:00:01.000Z');
  });

  it('counts the star distribution and pass rate per district and year, moving a corrected organisation between counts', async () => {
    const view = await project([
      completed('org-a', 2024, 6, true),
      completed('org-b', 2024, 3, true),
      completed('org-c', 2024, 1, false),
      completed('org-d', 2024, 5, true, '330483'),
      completed('org-a', 2023, 2, false),
      corrected('org-b', 2024, 2, false, { stars: 3, passed: true }),
    ]);

    expect(await view.district('330482', 2024)).toEqual({
      district: '330482',
      year: 2024,
      assessed: 3,
      passed: 1,
      passRate: 0.3333,
      distribution: { '1': 1, '2': 1, '3': 0, '4': 0, '5': 0, '6': 1 },
    });
    expect(await view.district('330483', 2024)).toMatchObject({ assessed: 1, passRate: 1 });
    expect(await view.district('330482', 2023)).toMatchObject({ assessed: 1, passed: 0, passRate: 0 });
  });

  it('applies a redelivered assessment once', async () => {
    const first = completed('org-a', 2024, 5, true);
    const view = await project([first, first]);

    expect(await view.district('330482', 2024)).toMatchObject({ assessed: 1, passed: 1, distribution: { '5': 1 } });
    expect((await view.org('org-a'))?.years).toHaveLength(1);
  });
});

describe('evaluation projection, for time travel to one document', () => {
  it('names only the assessments that can change an organisation or a district year', () => {
    const assessed = { type: 'AssessmentCompleted', data: outcome('org-a', 2024, 5, true) } as unknown as RecordedEvent;
    const mayAffect = evaluationProjection.mayAffect as NonNullable<typeof evaluationProjection.mayAffect>;
    expect(mayAffect(assessed, EVALUATION_ORGS, 'org-a')).toBe(true);
    expect(mayAffect(assessed, EVALUATION_ORGS, 'org-b')).toBe(false);
    expect(mayAffect(assessed, EVALUATION_DISTRICTS, districtEvaluationId('330482', 2024))).toBe(true);
    expect(mayAffect(assessed, EVALUATION_DISTRICTS, districtEvaluationId('330482', 2023))).toBe(false);
  });
});
