import { createHash } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  type AllocateBudgetDto,
  type ClawBackSubsidyDto,
  type CommandEnvelope,
  type CommandReply,
  fundingBudgetStreamId,
  FundingPatterns,
  type GrantSubsidyDto,
  type ReduceBudgetDto,
} from '@liangxin/contracts';
import type { EventStore } from '@liangxin/event-store';
import { type BudgetCommand, budgetDecider } from '@liangxin/funding-domain';
import { EVENT_STORE, handleCommand } from '@liangxin/platform';

type CommandMetadata = CommandEnvelope<unknown>['metadata'];

/**
 * A grant id the caller did not choose is derived from the command id, so a retried request
 * (same command id) names the same grant and cannot pay twice.
 */
export const grantIdFor = (commandId: string): string => `grant-${createHash('sha256').update(commandId).digest('hex').slice(0, 20)}`;

/** The funding service's command side: every command acts on one district budget of one year. */
@Controller()
export class FundingCommandsController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @MessagePattern(FundingPatterns.allocateBudget)
  allocateBudget(@Payload() { payload, metadata }: CommandEnvelope<AllocateBudgetDto>): Promise<CommandReply> {
    return this.execute({ ...payload, type: 'AllocateBudget' }, metadata);
  }

  @MessagePattern(FundingPatterns.reduceBudget)
  reduceBudget(@Payload() { payload, metadata }: CommandEnvelope<ReduceBudgetDto>): Promise<CommandReply> {
    return this.execute({ ...payload, type: 'ReduceBudget' }, metadata);
  }

  @MessagePattern(FundingPatterns.grantSubsidy)
  async grantSubsidy(@Payload() { payload, metadata }: CommandEnvelope<GrantSubsidyDto>): Promise<CommandReply<{ grantId: string }>> {
    const grantId = payload.grantId ?? grantIdFor(metadata.commandId);
    const reply = await this.execute({ ...payload, type: 'GrantSubsidy', grantId }, metadata);
    return { ...reply, result: { grantId } };
  }

  @MessagePattern(FundingPatterns.clawBackSubsidy)
  clawBackSubsidy(@Payload() { payload, metadata }: CommandEnvelope<ClawBackSubsidyDto>): Promise<CommandReply> {
    return this.execute({ ...payload, type: 'ClawBackSubsidy' }, metadata);
  }

  private async execute(command: BudgetCommand, metadata: CommandMetadata): Promise<CommandReply> {
    const streamId = fundingBudgetStreamId(command.district, command.year);
    const result = await handleCommand(this.store, streamId, budgetDecider, command, { ...metadata, district: command.district });
    return { position: result.position, idempotentReplay: result.idempotentReplay };
  }
}
