import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CompleteAssessmentDto, CorrectAssessmentDto, PublishRubricDto } from './dtos';
import { EVALUATION_EVENT_TYPES, EVALUATION_SCHEMA_VERSIONS, isEvaluationEvent } from './events';
import { EVALUATION_ORG_STREAM_PREFIX, evaluationOrgStreamId, evaluationRubricStreamId } from './streams';

const errorsOf = <T extends object>(type: new () => T, body: object) =>
  validateSync(plainToInstance(type, body), { whitelist: true, forbidNonWhitelisted: true }).map((e) => e.property);

describe('evaluation DTOs', () => {
  const assessment = { orgId: 'org-a', district: '330482', year: 2024, rubricId: 'five-standards', scores: { 'organisation-life': 90, 'role-played': 70.5 } };

  it('accept a well-formed assessment', () => {
    expect(errorsOf(CompleteAssessmentDto, assessment)).toEqual([]);
  });

  it('reject scores outside 0–100, bad criterion keys and empty score sets', () => {
    expect(errorsOf(CompleteAssessmentDto, { ...assessment, scores: { 'role-played': 101 } })).toEqual(['scores']);
    expect(errorsOf(CompleteAssessmentDto, { ...assessment, scores: { 'Role Played': 50 } })).toEqual(['scores']);
    expect(errorsOf(CompleteAssessmentDto, { ...assessment, scores: {} })).toEqual(['scores']);
    expect(errorsOf(CompleteAssessmentDto, { ...assessment, scores: [50] })).toEqual(['scores']);
  });

  it('reject a district that is not six digits and a year out of range', () => {
    expect(errorsOf(CompleteAssessmentDto, { ...assessment, district: '3304', year: 1999 }).sort()).toEqual(['district', 'year']);
  });

  it('want a reason for a correction', () => {
    const { district: _district, ...correction } = assessment;
    expect(errorsOf(CorrectAssessmentDto, { ...correction, reason: 'minutes missing' })).toEqual([]);
    expect(errorsOf(CorrectAssessmentDto, correction)).toEqual(['reason']);
  });

  it('validate a rubric down to its criteria and five thresholds', () => {
    const rubric = { rubricId: 'five-standards', name: '五化', criteria: [{ id: 'role-played', label: '作用发挥', weight: 1 }], starThresholds: [50, 60, 70, 80, 90], passScore: 60 };
    expect(errorsOf(PublishRubricDto, rubric)).toEqual([]);
    expect(errorsOf(PublishRubricDto, { ...rubric, criteria: [{ id: 'role-played', label: '', weight: 0 }] })).toEqual(['criteria']);
    expect(errorsOf(PublishRubricDto, { ...rubric, starThresholds: [50, 60, 70, 80] })).toEqual(['starThresholds']);
  });
});

describe('evaluation streams and guards', () => {
  it('keep organisations and rubrics in separate stream families', () => {
    expect(evaluationOrgStreamId('org-a')).toBe('evaluation-org-org-a');
    expect(evaluationRubricStreamId('five-standards')).toBe('evaluation-rubric-five-standards');
    expect(evaluationOrgStreamId('x').startsWith(EVALUATION_ORG_STREAM_PREFIX)).toBe(true);
  });

  it('recognise evaluation events and nothing else', () => {
    expect(isEvaluationEvent({ type: 'AssessmentCorrected' })).toBe(true);
    expect(isEvaluationEvent({ type: 'SubsidyGranted' })).toBe(false);
    expect(Object.keys(EVALUATION_SCHEMA_VERSIONS).sort()).toEqual([...EVALUATION_EVENT_TYPES].sort());
  });
});
