import { createHash } from 'node:crypto';
import { Controller, Inject, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  type ActorScope,
  type AllocateBudgetDto,
  type ClawBackSubsidyDto,
  type CommandEnvelope,
  type CommandReply,
  type EventMetadata,
  fundingBudgetStreamId,
  type FundingEvent,
  FundingPatterns,
  type GrantSubsidyDto,
  type ReduceBudgetDto,
  type SubsidyRefused,
} from '@liangxin/contracts';
import { isDomainError } from '@liangxin/event-sourcing';
import type { EventStore } from '@liangxin/event-store';
import { type BudgetCommand, budgetDecider, FUNDING_ACTOR, formationGrantId, type GrantSubsidy } from '@liangxin/funding-domain';
import { assertMayActIn, EVENT_STORE, handleCommand, SYSTEM_SCOPE } from '@liangxin/platform';
import { FundingFacts } from './funding-facts';

type CommandMetadata = CommandEnvelope<unknown>['metadata'];

/**
 * A grant id the caller did not choose is derived from the command id, so a retried request
 * (same command id) names the same grant and cannot pay twice.
 */
export const grantIdFor = (commandId: string): string => `grant-${createHash('sha256').update(commandId).digest('hex').slice(0, 20)}`;

/** Automatic formation subsidies refused for want of money, still unpaid: what a new allocation pays first. */
export const waitingFormationSubsidies = (events: readonly FundingEvent[]): SubsidyRefused['data'][] => {
  const paid = new Set<string>();
  const waiting = new Map<string, SubsidyRefused['data']>();
  for (const event of events) {
    if (event.type === 'SubsidyGranted' && event.data.item === 'formation') paid.add(event.data.orgId);
    if (event.type === 'SubsidyRefused' && event.data.item === 'formation' && event.data.reason !== 'enterprise_already_subsidised') waiting.set(event.data.orgId, event.data);
  }
  return [...waiting.values()].filter((refused) => !paid.has(refused.orgId));
};

/**
 * The funding service's command side: every command acts on one district budget of one year. Tenancy is decided
 * by the record: the budget's district, and for a grant the district formation's stream gives the organisation.
 */
@Controller()
export class FundingCommandsController {
  private readonly logger = new Logger(FundingCommandsController.name);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly facts: FundingFacts,
  ) {}

  @MessagePattern(FundingPatterns.allocateBudget)
  async allocateBudget(@Payload() { payload, scope, metadata }: CommandEnvelope<AllocateBudgetDto>): Promise<CommandReply> {
    assertMayActIn(scope, payload.district, 'district');
    const reply = await this.execute({ ...payload, type: 'AllocateBudget' }, metadata);
    const position = await this.payWaitingFormationSubsidies(payload.district, payload.year, metadata);
    return { ...reply, position: Math.max(reply.position, position) };
  }

  @MessagePattern(FundingPatterns.reduceBudget)
  reduceBudget(@Payload() { payload, scope, metadata }: CommandEnvelope<ReduceBudgetDto>): Promise<CommandReply> {
    assertMayActIn(scope, payload.district, 'district');
    return this.execute({ ...payload, type: 'ReduceBudget' }, metadata);
  }

  @MessagePattern(FundingPatterns.grantSubsidy)
  async grantSubsidy(@Payload() { payload, scope, metadata }: CommandEnvelope<GrantSubsidyDto>): Promise<CommandReply<{ grantId: string }>> {
    const grantId = payload.grantId ?? grantIdFor(metadata.commandId);
    const command = await this.grantCommand({ ...payload, grantId }, scope);
    const reply = await this.execute(command, metadata);
    return { ...reply, result: { grantId } };
  }

  @MessagePattern(FundingPatterns.clawBackSubsidy)
  async clawBackSubsidy(@Payload() { payload, scope, metadata }: CommandEnvelope<ClawBackSubsidyDto>): Promise<CommandReply> {
    assertMayActIn(scope, payload.district, 'district');
    const facts = { justifying: await this.facts.justifying(payload.justifiedBy) };
    return this.execute({ ...payload, type: 'ClawBackSubsidy', facts }, metadata);
  }

  /** The grant with the facts the record holds; an organisation of another district is refused before anything is decided. */
  private async grantCommand(payload: GrantSubsidyDto & { grantId: string }, scope: ActorScope): Promise<GrantSubsidy> {
    assertMayActIn(scope, payload.district, 'district');
    const organisation = await this.facts.organisation(payload.orgId);
    if (organisation.district !== undefined) assertMayActIn(scope, organisation.district, 'orgId');
    const facts = {
      organisation,
      justifying: await this.facts.justifying(payload.justifiedBy ?? []),
      currentYear: this.facts.currentYear(),
      earlierFormationSubsidies: payload.item === 'formation' ? await this.facts.earlierFormationSubsidies(payload.district, payload.year) : new Map<string, string>(),
    };
    return { ...payload, type: 'GrantSubsidy', facts };
  }

  /**
   * An allocation pays the automatic formation subsidies refused for want of money, each through the grant an officer
   * would send (every rule applies), under a command id from the refusal so a retried allocation pays none twice.
   */
  private async payWaitingFormationSubsidies(district: string, year: number, cause: CommandMetadata): Promise<number> {
    let position = 0;
    const waiting = waitingFormationSubsidies(await this.store.readStream<FundingEvent>(fundingBudgetStreamId(district, year)));
    for (const refused of waiting) {
      const orgId = refused.orgId;
      const metadata: EventMetadata = {
        actor: FUNDING_ACTOR,
        commandId: `funding:formation-subsidy-on-allocation:${district}-${year}-${orgId}`,
        correlationId: cause.correlationId ?? cause.commandId,
        causationId: cause.commandId,
        policyVersion: this.facts.policy.version,
      };
      try {
        const command = await this.grantCommand({ district, year, orgId, grantId: formationGrantId(orgId), item: 'formation', justifiedBy: refused.justifiedBy }, SYSTEM_SCOPE);
        position = Math.max(position, (await this.execute(command, metadata)).position);
      } catch (error) {
        if (!isDomainError(error)) throw error;
        this.logger.warn(`The waiting formation subsidy of ${orgId} (${district}, ${year}) was not paid: ${error.code}`);
      }
    }
    return position;
  }

  private async execute(command: BudgetCommand, metadata: EventMetadata): Promise<CommandReply> {
    const streamId = fundingBudgetStreamId(command.district, command.year);
    const result = await handleCommand(this.store, streamId, budgetDecider, command, { ...metadata, district: command.district });
    return { position: result.position, idempotentReplay: result.idempotentReplay };
  }
}
