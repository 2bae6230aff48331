import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  type ActorScope,
  type ChangeEmployeeCountDto,
  type ChangeMemberCountDto,
  type ChangeOperatingStatusDto,
  type CommandEnvelope,
  type CommandReply,
  type CorrectLedgerDto,
  districtOfCreditCode,
  type ImportRegisterRowMessage,
  type ImportRegisterRowResult,
  enterpriseStreamId,
  type RegisterEnterpriseDto,
  RegistryCommands,
  type RegistryEvent,
} from '@liangxin/contracts';
import { DomainError, fold } from '@liangxin/event-sourcing';
import type { EventStore } from '@liangxin/event-store';
import { assertMayActIn, type CommandResult, EVENT_STORE, handleCommand } from '@liangxin/platform';
import { type EnterpriseCommand, enterpriseDecider } from '@liangxin/registry-domain';

type ForEnterprise<T> = T & { creditCode: string };

/** The registry's command side: each message pattern loads one enterprise's ledger, decides, appends. */
@Controller()
export class RegistryCommandsController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @MessagePattern(RegistryCommands.RegisterEnterprise)
  async register(@Payload() { payload, scope, metadata }: CommandEnvelope<RegisterEnterpriseDto>): Promise<CommandReply<{ creditCode: string; district: string }>> {
    const reply = await this.execute({ type: 'RegisterEnterprise', data: payload }, payload.creditCode, scope, metadata);
    return { ...reply, result: { creditCode: payload.creditCode, district: districtOfCreditCode(payload.creditCode) } };
  }

  @MessagePattern(RegistryCommands.ChangeMemberCount)
  changeMemberCount(@Payload() { payload, scope, metadata }: CommandEnvelope<ForEnterprise<ChangeMemberCountDto>>): Promise<CommandReply> {
    return this.execute({ type: 'ChangeMemberCount', data: payload }, payload.creditCode, scope, metadata);
  }

  @MessagePattern(RegistryCommands.ChangeEmployeeCount)
  changeEmployeeCount(@Payload() { payload, scope, metadata }: CommandEnvelope<ForEnterprise<ChangeEmployeeCountDto>>): Promise<CommandReply> {
    return this.execute({ type: 'ChangeEmployeeCount', data: payload }, payload.creditCode, scope, metadata);
  }

  @MessagePattern(RegistryCommands.ChangeOperatingStatus)
  changeOperatingStatus(@Payload() { payload, scope, metadata }: CommandEnvelope<ForEnterprise<ChangeOperatingStatusDto>>): Promise<CommandReply> {
    return this.execute({ type: 'ChangeOperatingStatus', data: payload }, payload.creditCode, scope, metadata);
  }

  @MessagePattern(RegistryCommands.CorrectLedger)
  correctLedger(@Payload() { payload, scope, metadata }: CommandEnvelope<ForEnterprise<CorrectLedgerDto & { note?: string }>>): Promise<CommandReply> {
    return this.execute({ type: 'CorrectLedger', data: payload }, payload.creditCode, scope, metadata);
  }

  /** One row of a register file: its command id (file hash and row) makes a resumed or repeated import append nothing twice. */
  @MessagePattern(RegistryCommands.ImportRegisterRow)
  async importRegisterRow(@Payload() { payload, scope, metadata }: CommandEnvelope<ImportRegisterRowMessage>): Promise<CommandReply<ImportRegisterRowResult>> {
    const result = await executeEnterpriseCommand(this.store, { type: 'ImportRegisterRow', data: payload }, payload.creditCode, scope, { ...metadata, reason: metadata.reason ?? 'import' });
    return { position: result.position, idempotentReplay: result.idempotentReplay, result: importOutcome(result) };
  }

  private async execute(command: EnterpriseCommand, creditCode: string, scope: ActorScope, metadata: CommandEnvelope<unknown>['metadata']): Promise<CommandReply> {
    const result = await executeEnterpriseCommand(this.store, command, creditCode, scope, metadata);
    return { position: result.position, idempotentReplay: result.idempotentReplay };
  }
}

/**
 * The registry's command path: load the enterprise's ledger, check the caller against the district it records, decide,
 * append. The message patterns use it, and so does the admin CLI's import on the embedded store.
 */
export async function executeEnterpriseCommand(
  store: EventStore,
  command: EnterpriseCommand,
  creditCode: unknown,
  scope: ActorScope,
  metadata: CommandEnvelope<unknown>['metadata'],
): Promise<CommandResult> {
  // without a code there is no record to check the caller's district against: nothing may be written
  if (typeof creditCode !== 'string') throw new DomainError('CREDIT_CODE_REQUIRED', 'creditCode must be a unified social credit code', 'creditCode', 'invalid');
  const district = await districtOf(store, creditCode);
  assertMayActIn(scope, district, 'creditCode');
  return handleCommand(store, enterpriseStreamId(creditCode), enterpriseDecider, command, { ...metadata, district });
}

/**
 * What an imported row did: registered, updated, or nothing. A row imported before (same file, same row: a repeated or
 * resumed import) changes nothing now; `events` then says what it did the first time.
 */
export function importOutcome(result: Pick<CommandResult, 'events' | 'idempotentReplay'>): ImportRegisterRowResult {
  const events = result.events.map((event) => event.type);
  const outcome = result.idempotentReplay || events.length === 0 ? 'unchanged' : events[0] === 'EnterpriseRegistered' ? 'registered' : 'updated';
  return { outcome, events, alreadyImported: result.idempotentReplay };
}

/** The enterprise's district as its ledger records it; for one not registered (yet), the district its code names. */
async function districtOf(store: EventStore, creditCode: string): Promise<string> {
  const ledger = fold(enterpriseDecider, await store.readStream<RegistryEvent>(enterpriseStreamId(creditCode)));
  return ledger.registered ? ledger.district : districtOfCreditCode(creditCode);
}
