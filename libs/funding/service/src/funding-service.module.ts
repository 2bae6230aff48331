import { Module } from '@nestjs/common';
import { FUNDING_STREAM_PREFIX } from '@liangxin/contracts';
import { FUNDING_TRIGGER_EVENT_TYPES } from '@liangxin/funding-domain';
import { FundingCommandsController } from './funding-commands.controller';
import { FundingFacts } from './funding-facts';
import { FundingReactionsController } from './funding-reactions.controller';

/**
 * District budgets and subsidies (apps/funding): officers' commands in, and the automatic reactions
 * to formation (formation subsidy) and evaluation (secretary post eligibility).
 * Needs EVENT_STORE from the platform's InfrastructureModule.
 */
@Module({ controllers: [FundingCommandsController, FundingReactionsController], providers: [FundingFacts] })
export class FundingServiceModule {}

/** Stream prefix whose events this service owns (and forwards to other services). */
export const FUNDING_SOURCE_PREFIX = FUNDING_STREAM_PREFIX;

/** Event types the service consumes from other services. */
export const FUNDING_CONSUMED_EVENT_TYPES = FUNDING_TRIGGER_EVENT_TYPES;

/** Durable consumer name of the funding service's event subscription (its checkpoint is kept under it). */
export const FUNDING_CONSUMER = 'funding';
