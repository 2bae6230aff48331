import { Module } from '@nestjs/common';
import { EVALUATION_STREAM_PREFIX } from '@liangxin/contracts';
import { EvaluationCommandsController } from './evaluation-commands.controller';
import { EvaluationFacts } from './evaluation-facts';

/**
 * Annual assessments on the six-star scale (apps/evaluation): rubrics published as versions,
 * one assessment per organisation and year, changed only by corrections.
 * Needs EVENT_STORE from the platform's InfrastructureModule. It consumes no other service's events; it reads formation's organisation streams to check what it rates.
 */
@Module({ controllers: [EvaluationCommandsController], providers: [EvaluationFacts] })
export class EvaluationServiceModule {}

/** Stream prefix whose events this service owns (and forwards to other services, funding among them). */
export const EVALUATION_SOURCE_PREFIX = EVALUATION_STREAM_PREFIX;
