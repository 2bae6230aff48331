import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  type ChangeEmployeeCountDto,
  type ChangeMemberCountDto,
  type ChangeOperatingStatusDto,
  type CommandEnvelope,
  type CommandReply,
  type CorrectLedgerDto,
  districtOfCreditCode,
  enterpriseStreamId,
  type RegisterEnterpriseDto,
  RegistryCommands,
} from '@liangxin/contracts';
import type { EventStore } from '@liangxin/event-store';
import { EVENT_STORE, handleCommand } from '@liangxin/platform';
import { type EnterpriseCommand, enterpriseDecider } from '@liangxin/registry-domain';

type ForEnterprise<T> = T & { creditCode: string };

/** The registry's command side: each message pattern loads one enterprise's ledger, decides, appends. */
@Controller()
export class RegistryCommandsController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @MessagePattern(RegistryCommands.RegisterEnterprise)
  async register(@Payload() { payload, metadata }: CommandEnvelope<RegisterEnterpriseDto>): Promise<CommandReply<{ creditCode: string; district: string }>> {
    const reply = await this.execute({ type: 'RegisterEnterprise', data: payload }, payload.creditCode, metadata);
    return { ...reply, result: { creditCode: payload.creditCode, district: districtOfCreditCode(payload.creditCode) } };
  }

  @MessagePattern(RegistryCommands.ChangeMemberCount)
  changeMemberCount(@Payload() { payload, metadata }: CommandEnvelope<ForEnterprise<ChangeMemberCountDto>>): Promise<CommandReply> {
    return this.execute({ type: 'ChangeMemberCount', data: payload }, payload.creditCode, metadata);
  }

  @MessagePattern(RegistryCommands.ChangeEmployeeCount)
  changeEmployeeCount(@Payload() { payload, metadata }: CommandEnvelope<ForEnterprise<ChangeEmployeeCountDto>>): Promise<CommandReply> {
    return this.execute({ type: 'ChangeEmployeeCount', data: payload }, payload.creditCode, metadata);
  }

  @MessagePattern(RegistryCommands.ChangeOperatingStatus)
  changeOperatingStatus(@Payload() { payload, metadata }: CommandEnvelope<ForEnterprise<ChangeOperatingStatusDto>>): Promise<CommandReply> {
    return this.execute({ type: 'ChangeOperatingStatus', data: payload }, payload.creditCode, metadata);
  }

  @MessagePattern(RegistryCommands.CorrectLedger)
  correctLedger(@Payload() { payload, metadata }: CommandEnvelope<ForEnterprise<CorrectLedgerDto & { note?: string }>>): Promise<CommandReply> {
    return this.execute({ type: 'CorrectLedger', data: payload }, payload.creditCode, metadata);
  }

  private async execute(command: EnterpriseCommand, creditCode: string, metadata: CommandEnvelope<unknown>['metadata']): Promise<CommandReply> {
    const district = typeof creditCode === 'string' ? districtOfCreditCode(creditCode) : undefined;
    const result = await handleCommand(this.store, enterpriseStreamId(String(creditCode)), enterpriseDecider, command, { ...metadata, district });
    return { position: result.position, idempotentReplay: result.idempotentReplay };
  }
}
