import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  type AssessmentOutcome,
  type CommandEnvelope,
  type CommandReply,
  type CompleteAssessmentDto,
  type CorrectAssessmentDto,
  type CorrectInstructorReviewMessage,
  evaluationInstructorStreamId,
  evaluationOrgStreamId,
  EvaluationPatterns,
  evaluationRubricStreamId,
  type PublishRubricDto,
  type ReviewInstructorMessage,
  type RecordedEvent,
  type Rubric,
  type RubricPublished,
} from '@liangxin/contracts';
import {
  type AssessmentCommand,
  assessmentDecider,
  type AssessmentEvent,
  assessmentHistory,
  type InstructorReviewCommand,
  instructorReviewDecider,
  type InstructorReviewEvent,
  type Rating,
  rubricDecider,
  type RubricState,
  rubricVersionOf,
} from '@liangxin/evaluation-domain';
import { DomainError, fold } from '@liangxin/event-sourcing';
import type { EventStore } from '@liangxin/event-store';
import { assertMayActIn, EVENT_STORE, handleCommand } from '@liangxin/platform';
import { EvaluationFacts } from './evaluation-facts';

type CommandMetadata = CommandEnvelope<unknown>['metadata'];

/** What an assessment command answers besides its position: the rating it produced (or had produced, on a retry). */
export type AssessmentResult = Rating & { orgId: string; year: number; rubricId: string; rubricVersion: number };

const ratingOf = (events: readonly RecordedEvent[], fallback: AssessmentOutcome | undefined): AssessmentResult | undefined => {
  const outcome = (events.at(-1)?.data as AssessmentOutcome | undefined) ?? fallback;
  if (!outcome) return undefined;
  const { orgId, year, rubricId, rubricVersion, totalScore, stars, passed } = outcome;
  return { orgId, year, rubricId, rubricVersion, totalScore, stars, passed };
};

/**
 * The evaluation service's command side. Rubrics are versioned streams of their own; an assessment
 * is scored against the rubric version it names (the newest when it names none), which the service
 * loads and hands to the pure assessment decider.
 */
@Controller()
export class EvaluationCommandsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly facts: EvaluationFacts,
  ) {}

  @MessagePattern(EvaluationPatterns.publishRubric)
  async publishRubric(@Payload() { payload, scope, metadata }: CommandEnvelope<PublishRubricDto>): Promise<CommandReply<{ rubricId: string; version: number }>> {
    // a rubric scores every district's organisations: only the city-wide admin (or the system itself) sets it
    if (scope.role !== 'admin' && scope.role !== 'system')
      throw new DomainError('RUBRIC_ADMIN_ONLY', 'Only an administrator may publish a rubric: it scores the organisations of every district', 'role', 'forbidden');
    const streamId = evaluationRubricStreamId(payload.rubricId);
    const result = await handleCommand(this.store, streamId, rubricDecider, { ...payload, type: 'PublishRubric' }, metadata);
    // Publishing the same definition again appends nothing: the answer is the version already in force.
    const published = (result.events.at(-1) as RecordedEvent<RubricPublished> | undefined)?.data ?? (await this.rubricState(payload.rubricId)).current;
    return { position: result.position, idempotentReplay: result.idempotentReplay, result: { rubricId: payload.rubricId, version: published?.version ?? 0 } };
  }

  @MessagePattern(EvaluationPatterns.completeAssessment)
  async completeAssessment(@Payload() { payload, scope, metadata }: CommandEnvelope<CompleteAssessmentDto>): Promise<CommandReply<AssessmentResult>> {
    // tenancy by the record: the organisation's district as formation recorded it, not the body's
    const organisation = await this.facts.organisation(payload.orgId);
    assertMayActIn(scope, organisation.district ?? payload.district, organisation.district ? 'orgId' : 'district');
    const rubric = await this.rubric(payload.rubricId, payload.rubricVersion);
    const command: AssessmentCommand = {
      type: 'CompleteAssessment',
      orgId: payload.orgId,
      district: payload.district,
      year: payload.year,
      rubric,
      scores: payload.scores,
      ...(payload.assessor !== undefined && { assessor: payload.assessor }),
      organisation,
      currentYear: this.facts.currentYear(),
    };
    return this.assess(command, { ...metadata, district: payload.district });
  }

  @MessagePattern(EvaluationPatterns.correctAssessment)
  async correctAssessment(@Payload() { payload, scope, metadata }: CommandEnvelope<CorrectAssessmentDto>): Promise<CommandReply<AssessmentResult>> {
    const assessed = fold(assessmentDecider, await this.store.readStream<AssessmentEvent>(evaluationOrgStreamId(payload.orgId)));
    const district = assessed.byYear.get(payload.year)?.district ?? assessed.district;
    if (district !== undefined) assertMayActIn(scope, district, 'orgId');
    const rubric = await this.rubric(payload.rubricId, payload.rubricVersion);
    const command: AssessmentCommand = { type: 'CorrectAssessment', orgId: payload.orgId, year: payload.year, rubric, scores: payload.scores, reason: payload.reason };
    return this.assess(command, { ...metadata, reason: payload.reason });
  }

  /** An instructor's or liaison cadre's review for a year, with the caseload they carried (stream per person). */
  @MessagePattern(EvaluationPatterns.reviewInstructor)
  async reviewInstructor(@Payload() { payload, scope, metadata }: CommandEnvelope<ReviewInstructorMessage>): Promise<CommandReply> {
    // the person's district as the record first shows it; only someone new is reviewed where the body says
    const instructorDistrict = await this.facts.instructorDistrict(payload.personId);
    assertMayActIn(scope, instructorDistrict ?? payload.district, instructorDistrict ? 'personId' : 'district');
    const command: InstructorReviewCommand = {
      type: 'ReviewInstructor',
      personId: payload.personId,
      name: payload.name,
      district: payload.district,
      year: payload.year,
      rating: payload.rating,
      enterprisesCovered: payload.enterprisesCovered,
      ...(payload.note !== undefined && { note: payload.note }),
      ...(instructorDistrict !== undefined && { instructorDistrict }),
      currentYear: this.facts.currentYear(),
    };
    const result = await handleCommand(this.store, evaluationInstructorStreamId(payload.personId), instructorReviewDecider, command, { ...metadata, district: payload.district });
    return { position: result.position, idempotentReplay: result.idempotentReplay };
  }

  @MessagePattern(EvaluationPatterns.correctInstructorReview)
  async correctInstructorReview(@Payload() { payload, scope, metadata }: CommandEnvelope<CorrectInstructorReviewMessage>): Promise<CommandReply> {
    const reviews = fold(instructorReviewDecider, await this.store.readStream<InstructorReviewEvent>(evaluationInstructorStreamId(payload.personId)));
    const reviewed = reviews.byYear.get(payload.year);
    if (reviewed) assertMayActIn(scope, reviewed.district, 'personId');
    const command: InstructorReviewCommand = { type: 'CorrectInstructorReview', personId: payload.personId, year: payload.year, rating: payload.rating, reason: payload.reason };
    const result = await handleCommand(this.store, evaluationInstructorStreamId(payload.personId), instructorReviewDecider, command, { ...metadata, reason: payload.reason });
    return { position: result.position, idempotentReplay: result.idempotentReplay };
  }

  @MessagePattern(EvaluationPatterns.getRubric)
  async getRubric(@Payload() query: { rubricId: string; version?: number }): Promise<Rubric> {
    return this.rubric(query.rubricId, query.version);
  }

  @MessagePattern(EvaluationPatterns.getOrgHistory)
  async getOrgHistory(@Payload() query: { orgId: string }): Promise<AssessmentOutcome[]> {
    const history = await this.store.readStream<AssessmentEvent>(evaluationOrgStreamId(query.orgId));
    return assessmentHistory(fold(assessmentDecider, history));
  }

  private async assess(command: AssessmentCommand, metadata: CommandMetadata & { district?: string }): Promise<CommandReply<AssessmentResult>> {
    const streamId = evaluationOrgStreamId(command.orgId);
    const result = await handleCommand(this.store, streamId, assessmentDecider, command, metadata);
    // A correction that changes nothing appends nothing: answer with the assessment as it stands.
    const standing = result.events.length === 0 ? fold(assessmentDecider, await this.store.readStream<AssessmentEvent>(streamId)).byYear.get(command.year) : undefined;
    const rating = ratingOf(result.events, standing);
    return { position: result.position, idempotentReplay: result.idempotentReplay, ...(rating && { result: rating }) };
  }

  private async rubricState(rubricId: string): Promise<RubricState> {
    return fold(rubricDecider, await this.store.readStream<RubricPublished>(evaluationRubricStreamId(rubricId)));
  }

  private async rubric(rubricId: string, version?: number): Promise<Rubric> {
    const found = rubricVersionOf(await this.rubricState(rubricId), version);
    if (!found) {
      const which = version === undefined ? `Rubric ${rubricId}` : `Version ${version} of rubric ${rubricId}`;
      throw new DomainError('RUBRIC_NOT_FOUND', `${which} has not been published; publish it first (PUT /api/evaluation/rubric)`, 'rubricId', 'not_found');
    }
    return found;
  }
}
