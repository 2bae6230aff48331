import { Controller, Inject, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { RecordedEvent } from '@liangxin/contracts';
import type { EventStore } from '@liangxin/event-store';
import { budgetDecider, type BudgetCommand, fundingReactionsTo } from '@liangxin/funding-domain';
import { EVENT_STORE, handleCommand } from '@liangxin/platform';
import { FundingFacts } from './funding-facts';

/**
 * The funding process manager at work: formation and evaluation events become budget commands.
 * Delivery is at least once. Each reaction carries a command id derived from the causing event, so a
 * redelivered event finds its command already in the budget stream and appends nothing.
 */
@Controller()
export class FundingReactionsController {
  private readonly logger = new Logger(FundingReactionsController.name);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly facts: FundingFacts,
  ) {}

  @EventPattern('OrgFormed')
  onOrgFormed(@Payload() event: RecordedEvent): Promise<void> {
    return this.react(event);
  }

  @EventPattern('AssessmentCompleted')
  onAssessmentCompleted(@Payload() event: RecordedEvent): Promise<void> {
    return this.react(event);
  }

  @EventPattern('AssessmentCorrected')
  onAssessmentCorrected(@Payload() event: RecordedEvent): Promise<void> {
    return this.react(event);
  }

  private async react(event: RecordedEvent): Promise<void> {
    for (const reaction of fundingReactionsTo(event, this.facts.policy)) {
      const command = await this.withFacts(reaction.command);
      const result = await handleCommand(this.store, reaction.streamId, budgetDecider, command, { ...reaction.metadata, commandId: reaction.commandId });
      if (result.events.some((e) => e.type === 'SubsidyRefused') && !result.idempotentReplay) {
        this.logger.warn(`${reaction.command.type} for ${event.type} ${event.eventId} was refused: see ${reaction.streamId}`);
      }
    }
  }

  /** A formation subsidy is decided knowing the district's earlier ones: one per enterprise within the policy's period. */
  private async withFacts(command: BudgetCommand): Promise<BudgetCommand> {
    if (command.type !== 'RequestFormationSubsidy') return command;
    return { ...command, earlierFormationSubsidies: await this.facts.earlierFormationSubsidies(command.district, command.year) };
  }
}
