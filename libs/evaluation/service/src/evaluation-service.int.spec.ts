import {
  type AssessmentOutcome,
  evaluationInstructorStreamId,
  evaluationOrgStreamId,
  EvaluationPatterns,
  evaluationRubricStreamId,
  orgStreamId,
  type PublishRubricDto,
  type Rubric,
} from '@liangxin/contracts';
import { ServiceTestbed } from '@liangxin/platform/testing';
import type { AssessmentResult } from './evaluation-commands.controller';
import { EvaluationServiceModule } from './evaluation-service.module';

const rubric: PublishRubricDto = {
  rubricId: 'five-standards',
  name: '五化',
  criteria: [
    { id: 'organisation-life', label: '组织生活正常化', weight: 1 },
    { id: 'role-played', label: '作用发挥', weight: 3 },
  ],
  starThresholds: [50, 60, 70, 80, 90],
  passScore: 60,
};

describe('evaluation service as a Nest microservice over the in-process transport and SQLite', () => {
  let testbed: ServiceTestbed;
  let store: ServiceTestbed['store'];

  beforeEach(async () => {
    testbed = await ServiceTestbed.start({ name: 'evaluation', module: EvaluationServiceModule, actor: 'officer:wang' });
    store = testbed.store;
  });

  afterEach(async () => {
    await testbed.close();
  });

  const send = <R extends object = object>(pattern: string, payload: object, commandId?: string) => testbed.send<R>(pattern, payload, commandId);
  const refusal = (pattern: string, payload: object) => testbed.refusalCode(pattern, payload);
  /** An organisation formation recorded, as formation appends it (district 330482, formed in 2022). */
  const formed = (orgId: string) =>
    store.append(
      orgStreamId(orgId),
      [
        {
          type: 'OrgFormed',
          schemaVersion: 1,
          occurredAt: '2022-05-01T02:00:00.000Z',
          data: { orgId, district: '330482', automatic: false, name: `${orgId} 党支部`, mode: 'standalone', level: 'branch', committeeSize: 0, enterprises: [], fullMembers: 3, probationaryMembers: 0 },
          metadata: { actor: 'officer:wang', district: '330482' },
        },
      ],
      { expected: 'no_stream' },
    );

  it('publishes rubric versions: the same definition again is a retry, a changed one the next version', async () => {
    expect((await send(EvaluationPatterns.publishRubric, rubric)).result).toEqual({ rubricId: 'five-standards', version: 1 });
    expect((await send(EvaluationPatterns.publishRubric, rubric)).result).toEqual({ rubricId: 'five-standards', version: 1 });
    expect((await send(EvaluationPatterns.publishRubric, { ...rubric, passScore: 70 })).result).toEqual({ rubricId: 'five-standards', version: 2 });

    expect(await store.readStream(evaluationRubricStreamId('five-standards'))).toHaveLength(2);
    const first = await testbed.query<Rubric>(EvaluationPatterns.getRubric, { rubricId: 'five-standards', version: 1 });
    expect(first.passScore).toBe(60);
  });

  it('publishes a rubric only for an admin: an officer is refused and nothing is appended', async () => {
    const asOfficer = await ServiceTestbed.start({ name: 'evaluation', module: EvaluationServiceModule, actor: 'officer:li', scope: { role: 'officer', districts: ['330482'] } });
    try {
      expect(await asOfficer.refusalCode(EvaluationPatterns.publishRubric, rubric)).toBe('RUBRIC_ADMIN_ONLY');
      expect(await asOfficer.store.readStream(evaluationRubricStreamId('five-standards'))).toHaveLength(0);
    } finally {
      await asOfficer.close();
    }
    const asAdmin = await ServiceTestbed.start({ name: 'evaluation', module: EvaluationServiceModule, actor: 'admin:root', scope: { role: 'admin', districts: 'all' } });
    try {
      expect((await asAdmin.send(EvaluationPatterns.publishRubric, rubric)).result).toEqual({ rubricId: 'five-standards', version: 1 });
    } finally {
      await asAdmin.close();
    }
  });

  it('scores an assessment against the newest rubric unless a version is named, once per organisation and year', async () => {
    await send(EvaluationPatterns.publishRubric, rubric);
    await send(EvaluationPatterns.publishRubric, { ...rubric, passScore: 70 });
    const scores = { 'organisation-life': 60, 'role-played': 68 }; // weighted 66: passes v1 (60), fails v2 (70)
    await formed('org-a');
    await formed('org-b');

    const newest = await send<AssessmentResult>(EvaluationPatterns.completeAssessment, { orgId: 'org-a', district: '330482', year: 2024, rubricId: 'five-standards', scores });
    const older = await send<AssessmentResult>(EvaluationPatterns.completeAssessment, { orgId: 'org-b', district: '330482', year: 2024, rubricId: 'five-standards', rubricVersion: 1, scores });

    expect(newest.result).toEqual({ orgId: 'org-a', year: 2024, rubricId: 'five-standards', rubricVersion: 2, totalScore: 66, stars: 3, passed: false });
    expect(older.result).toMatchObject({ rubricVersion: 1, totalScore: 66, passed: true });
    expect(await refusal(EvaluationPatterns.completeAssessment, { orgId: 'org-a', district: '330482', year: 2024, rubricId: 'five-standards', scores })).toBe(
      'ASSESSMENT_ALREADY_COMPLETED',
    );
    expect(await store.readStream(evaluationOrgStreamId('org-a'))).toHaveLength(1);
  });

  it('refuses to score against a rubric that was never published, appending nothing', async () => {
    expect(await refusal(EvaluationPatterns.completeAssessment, { orgId: 'org-c', district: '330482', year: 2024, rubricId: 'double-strong', scores: { x: 1 } })).toBe(
      'RUBRIC_NOT_FOUND',
    );
    expect(await store.headPosition()).toBe(0);
  });

  it('refuses to rate an organisation that was never formed, or one of another district, appending nothing', async () => {
    await send(EvaluationPatterns.publishRubric, rubric);
    await formed('org-e');
    const assessment = { year: 2024, rubricId: 'five-standards', scores: { 'organisation-life': 90, 'role-played': 90 } };
    expect(await refusal(EvaluationPatterns.completeAssessment, { ...assessment, orgId: 'ghost-org', district: '330482' })).toBe('ORG_NOT_FOUND');
    expect(await refusal(EvaluationPatterns.completeAssessment, { ...assessment, orgId: 'org-e', district: '430104' })).toBe('ORG_NOT_IN_DISTRICT');
    expect(await store.readStream(evaluationOrgStreamId('ghost-org'))).toEqual([]);
    expect(await store.readStream(evaluationOrgStreamId('org-e'))).toEqual([]);
  });

  it('reviews a person only in the district whose review first recorded them', async () => {
    await send(EvaluationPatterns.reviewInstructor, { personId: 'p-zhao', name: '赵指导员', district: '430105', year: 2024, rating: 'competent', enterprisesCovered: 3 });
    expect(await refusal(EvaluationPatterns.reviewInstructor, { personId: 'p-zhao', name: '改名', district: '430104', year: 2025, rating: 'excellent', enterprisesCovered: 0 })).toBe(
      'INSTRUCTOR_NOT_IN_DISTRICT',
    );
    expect(await store.readStream(evaluationInstructorStreamId('p-zhao'))).toHaveLength(1);
  });

  it('corrects an assessment, keeping what it replaced, and answers history as corrected', async () => {
    await send(EvaluationPatterns.publishRubric, rubric);
    await formed('org-d');
    await send(EvaluationPatterns.completeAssessment, { orgId: 'org-d', district: '330482', year: 2023, rubricId: 'five-standards', scores: { 'organisation-life': 90, 'role-played': 90 } });
    const correction = { orgId: 'org-d', year: 2023, rubricId: 'five-standards', scores: { 'organisation-life': 40, 'role-played': 40 }, reason: 'minutes missing' };

    const corrected = await send<AssessmentResult>(EvaluationPatterns.correctAssessment, correction);
    const again = await send<AssessmentResult>(EvaluationPatterns.correctAssessment, correction);

    expect(corrected.result).toMatchObject({ totalScore: 40, stars: 1, passed: false });
    expect(again.result).toEqual(corrected.result);
    const events = await store.readStream(evaluationOrgStreamId('org-d'));
    expect(events.map((e) => e.type)).toEqual(['AssessmentCompleted', 'AssessmentCorrected']);
    expect(events[1].data).toMatchObject({ district: '330482', previousTotalScore: 90, previousStars: 6, previousPassed: true, reason: 'minutes missing' });
    const history = await testbed.query<AssessmentOutcome[]>(EvaluationPatterns.getOrgHistory, { orgId: 'org-d' });
    expect(history.map((h) => [h.year, h.stars, h.passed])).toEqual([[2023, 1, false]]);
  });
  it('reviews an instructor once a year with the caseload carried, corrects it with a reason, and refuses a second review of the year', async () => {
    const review = { personId: 'p-li', name: '李指导员', district: '430104', year: 2025, rating: 'competent', enterprisesCovered: 14 };
    const first = await send(EvaluationPatterns.reviewInstructor, review, 'review-1');
    expect(await send(EvaluationPatterns.reviewInstructor, review, 'review-1')).toMatchObject({ position: first.position, idempotentReplay: true });
    expect(await refusal(EvaluationPatterns.reviewInstructor, { ...review, rating: 'excellent' })).toBe('REVIEW_EXISTS');
    await send(EvaluationPatterns.correctInstructorReview, { personId: 'p-li', year: 2025, rating: 'excellent', reason: '复核后调整' });
    expect(await refusal(EvaluationPatterns.correctInstructorReview, { personId: 'p-li', year: 2024, rating: 'excellent', reason: 'x' })).toBe('REVIEW_NOT_FOUND');
    const stream = await store.readStream(evaluationInstructorStreamId('p-li'));
    expect(stream.map((e) => [e.type, e.data['rating']])).toEqual([
      ['InstructorReviewed', 'competent'],
      ['InstructorReviewCorrected', 'excellent'],
    ]);
    expect(stream[0]).toMatchObject({ data: { enterprisesCovered: 14 }, metadata: { actor: 'officer:wang', district: '430104' } });
  });
});
