import { createHash } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  type AcceptRequestMessage,
  type ActorScope,
  districtOfCreditCode,
  type EnterpriseRegistered,
  enterpriseStreamId,
  type CommandEnvelope,
  type CommandReply,
  type ReopenRequestMessage,
  RequestPatterns,
  type RequestRefMessage,
  type ResolveRequestMessage,
  type ServiceRequestEvent,
  serviceRequestStreamId,
  type SubmitRequestMessage,
} from '@liangxin/contracts';
import { DomainError, fold } from '@liangxin/event-sourcing';
import type { EventStore } from '@liangxin/event-store';
import { type ServiceRequestCommand, serviceRequestDecider, type ServiceRequestState } from '@liangxin/requests-domain';
import { assertMayActIn, EVENT_STORE, handleCommand } from '@liangxin/platform';

type CommandMetadata = CommandEnvelope<unknown>['metadata'];

/**
 * A request's id is derived from the command id, so a retried submission (same command id, i.e. the
 * same Idempotency-Key) names the same request stream and is received once.
 */
export const requestIdFor = (commandId: string): string => `req-${createHash('sha256').update(commandId).digest('hex').slice(0, 20)}`;

/** The service-requests service's command side: every command acts on one request's stream. */
@Controller()
export class RequestsCommandsController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @MessagePattern(RequestPatterns.submit)
  async submit(@Payload() { payload, scope, metadata }: CommandEnvelope<SubmitRequestMessage>): Promise<CommandReply<{ requestId: string }>> {
    const requestId = requestIdFor(metadata.commandId);
    const district = await this.registeredDistrictFor(payload.creditCode, scope);
    const command: ServiceRequestCommand = {
      type: 'SubmitRequest',
      requestId,
      district,
      creditCode: payload.creditCode,
      category: payload.category,
      description: payload.description,
      submittedBy: metadata.actor,
      submittedAt: new Date().toISOString(),
    };
    const reply = await this.execute(command, scope, metadata);
    return { ...reply, result: { requestId } };
  }

  @MessagePattern(RequestPatterns.accept)
  accept(@Payload() { payload, scope, metadata }: CommandEnvelope<AcceptRequestMessage>): Promise<CommandReply> {
    return this.execute({ type: 'AcceptRequest', requestId: payload.requestId, owner: payload.owner, dueDate: payload.dueDate }, scope, metadata);
  }

  @MessagePattern(RequestPatterns.startWork)
  startWork(@Payload() { payload, scope, metadata }: CommandEnvelope<RequestRefMessage>): Promise<CommandReply> {
    return this.execute({ type: 'StartWork', requestId: payload.requestId }, scope, metadata);
  }

  @MessagePattern(RequestPatterns.resolve)
  resolve(@Payload() { payload, scope, metadata }: CommandEnvelope<ResolveRequestMessage>): Promise<CommandReply> {
    return this.execute({ type: 'ResolveRequest', requestId: payload.requestId, resolution: payload.resolution }, scope, metadata);
  }

  @MessagePattern(RequestPatterns.confirm)
  confirm(@Payload() { payload, scope, metadata }: CommandEnvelope<RequestRefMessage>): Promise<CommandReply> {
    return this.execute({ type: 'ConfirmResolution', requestId: payload.requestId }, scope, metadata);
  }

  @MessagePattern(RequestPatterns.reopen)
  reopen(@Payload() { payload, scope, metadata }: CommandEnvelope<ReopenRequestMessage>): Promise<CommandReply> {
    return this.execute({ type: 'ReopenRequest', requestId: payload.requestId, reason: payload.reason }, scope, { ...metadata, reason: payload.reason });
  }

  private async execute(command: ServiceRequestCommand, scope: ActorScope, metadata: CommandMetadata): Promise<CommandReply> {
    const streamId = serviceRequestStreamId(command.requestId);
    const district = command.type === 'SubmitRequest' ? command.district : this.assertMayActOn(await this.requestState(streamId), scope);
    const result = await handleCommand(this.store, streamId, serviceRequestDecider, command, { ...metadata, district });
    return { position: result.position, idempotentReplay: result.idempotentReplay };
  }

  private async requestState(streamId: string): Promise<ServiceRequestState> {
    return fold(serviceRequestDecider, await this.store.readStream<ServiceRequestEvent>(streamId));
  }

  /** Tenancy by the record: the request's own enterprise, or an officer of the district it was submitted in. Gives that district. */
  private assertMayActOn(request: ServiceRequestState, scope: ActorScope): string | undefined {
    if (request.status === 'none') return undefined;
    if (scope.role === 'enterprise') assertOwnEnterprise(scope, request.creditCode, 'requestId');
    else assertMayActIn(scope, request.district, 'requestId');
    return request.district;
  }

  /** The enterprise's district as its ledger records it, once the caller may act for it; a code not registered is refused. */
  private async registeredDistrictFor(creditCode: string, scope: ActorScope): Promise<string> {
    if (scope.role === 'enterprise') assertOwnEnterprise(scope, creditCode, 'creditCode');
    // an officer learns nothing about enterprises outside its districts, not even whether they are registered
    else assertMayActIn(scope, districtOfCreditCode(creditCode), 'creditCode');
    const [registered] = await this.store.readStream<EnterpriseRegistered>(enterpriseStreamId(creditCode));
    if (registered?.type !== 'EnterpriseRegistered') {
      throw new DomainError('ENTERPRISE_NOT_REGISTERED', `No enterprise with credit code ${creditCode} is registered`, 'creditCode', 'not_found');
    }
    if (scope.role !== 'enterprise') assertMayActIn(scope, registered.data.district, 'creditCode');
    return registered.data.district;
  }
}

/** An enterprise account acts only for itself. */
function assertOwnEnterprise(scope: ActorScope, creditCode: string, field: string): void {
  if (scope.creditCode !== creditCode) throw new DomainError('NOT_YOUR_ENTERPRISE', 'An enterprise account acts only for its own enterprise', field, 'forbidden');
}
