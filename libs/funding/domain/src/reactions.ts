import {
  EVALUATION_ORG_STREAM_PREFIX,
  ORG_STREAM_PREFIX,
  fundingBudgetStreamId,
  type AssessmentCompleted,
  type AssessmentCorrected,
  type EventMetadata,
  type OrgFormed,
  type RecordedEvent,
} from '@liangxin/contracts';
import type { BudgetCommand } from './budget';
import { budgetYearOf } from './calendar';
import { defaultFundingPolicy, type FundingPolicy } from './policy';

/** A command the funding process manager sends to a budget stream in reaction to another context's event. */
export type FundingReaction = {
  streamId: string;
  /** derived from the triggering event, so a redelivered event appends nothing twice */
  commandId: string;
  command: BudgetCommand;
  metadata: EventMetadata;
};

/** The events the funding process manager listens to. */
export const FUNDING_TRIGGER_EVENT_TYPES = ['OrgFormed', 'AssessmentCompleted', 'AssessmentCorrected'] as const;
/** ...and the streams they are appended to, for a subscription filter. */
export const FUNDING_TRIGGER_STREAM_PREFIXES = [ORG_STREAM_PREFIX, EVALUATION_ORG_STREAM_PREFIX] as const;

export const FUNDING_ACTOR = 'system:funding';

/** The grant id of an organisation's formation subsidy: one per organisation, so one id. */
export const formationGrantId = (orgId: string): string => `formation-${orgId}`;

const metadataFor = (event: RecordedEvent, district: string, policy: FundingPolicy): EventMetadata => ({
  actor: FUNDING_ACTOR,
  causationId: event.eventId,
  correlationId: event.metadata.correlationId ?? event.eventId,
  district,
  policyVersion: policy.version,
});

const onOrgFormed = (event: RecordedEvent<OrgFormed>, policy: FundingPolicy): FundingReaction[] => {
  const { orgId, district, publicUnit, enterprises } = event.data;
  // public units are funded by their own budgets; the two-new budget pays two-new organisations
  if (publicUnit) return [];
  const year = budgetYearOf(event.occurredAt);
  if (year === undefined) return [];
  return [
    {
      streamId: fundingBudgetStreamId(district, year),
      commandId: `funding:formation-subsidy:${event.eventId}`,
      command: {
        type: 'RequestFormationSubsidy',
        district,
        year,
        grantId: formationGrantId(orgId),
        orgId,
        orgFormedOn: event.occurredAt,
        enterprises: enterprises.map((enterprise) => enterprise.creditCode),
        justifiedBy: [event.eventId],
      },
      metadata: metadataFor(event, district, policy),
    },
  ];
};

/**
 * The review of a year decides the post subsidy paid from that year's budget. A pass confirms
 * eligibility; a fail (a correction turning a pass into a fail) revokes it, which claws back a
 * post subsidy already paid. Both are no-ops in the budget when nothing changes.
 */
const onAssessment = (event: RecordedEvent<AssessmentCompleted | AssessmentCorrected>, policy: FundingPolicy): FundingReaction[] => {
  const { orgId, district, year, passed, stars } = event.data;
  const streamId = fundingBudgetStreamId(district, year);
  const metadata = metadataFor(event, district, policy);
  if (passed) {
    return [
      {
        streamId,
        commandId: `funding:secretary-post-eligibility:${event.eventId}`,
        command: { type: 'ConfirmSecretaryPostEligibility', district, year, orgId, stars, justifiedBy: [event.eventId] },
        metadata,
      },
    ];
  }
  if (event.type !== 'AssessmentCorrected') return [];
  return [
    {
      streamId,
      commandId: `funding:secretary-post-revocation:${event.eventId}`,
      command: {
        type: 'RevokeSecretaryPostEligibility',
        district,
        year,
        orgId,
        reason: `The ${year} annual review was corrected to a fail: ${event.data.reason}`,
        justifiedBy: [event.eventId],
      },
      metadata,
    },
  ];
};

/**
 * The funding process manager, as a pure function: which budget commands follow from an event of
 * formation or evaluation. The service delivers each one to its stream with the command id for
 * idempotency; what the budget then allows is the decider's business.
 */
export const fundingReactionsTo = (event: RecordedEvent, policy: FundingPolicy = defaultFundingPolicy): FundingReaction[] => {
  switch (event.type) {
    case 'OrgFormed':
      return onOrgFormed(event as RecordedEvent<OrgFormed>, policy);
    case 'AssessmentCompleted':
    case 'AssessmentCorrected':
      return onAssessment(event as RecordedEvent<AssessmentCompleted | AssessmentCorrected>, policy);
    default:
      return [];
  }
};
