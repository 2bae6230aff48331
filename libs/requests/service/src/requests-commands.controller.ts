import { createHash } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  type AcceptRequestMessage,
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
import { fold } from '@liangxin/event-sourcing';
import type { EventStore } from '@liangxin/event-store';
import { type ServiceRequestCommand, serviceRequestDecider } from '@liangxin/requests-domain';
import { EVENT_STORE, handleCommand } from '@liangxin/platform';

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
  async submit(@Payload() { payload, metadata }: CommandEnvelope<SubmitRequestMessage>): Promise<CommandReply<{ requestId: string }>> {
    const requestId = requestIdFor(metadata.commandId);
    const command: ServiceRequestCommand = {
      type: 'SubmitRequest',
      requestId,
      district: payload.district,
      creditCode: payload.creditCode,
      category: payload.category,
      description: payload.description,
      submittedBy: metadata.actor,
      submittedAt: new Date().toISOString(),
    };
    const reply = await this.execute(command, metadata);
    return { ...reply, result: { requestId } };
  }

  @MessagePattern(RequestPatterns.accept)
  accept(@Payload() { payload, metadata }: CommandEnvelope<AcceptRequestMessage>): Promise<CommandReply> {
    return this.execute({ type: 'AcceptRequest', requestId: payload.requestId, owner: payload.owner, dueDate: payload.dueDate }, metadata);
  }

  @MessagePattern(RequestPatterns.startWork)
  startWork(@Payload() { payload, metadata }: CommandEnvelope<RequestRefMessage>): Promise<CommandReply> {
    return this.execute({ type: 'StartWork', requestId: payload.requestId }, metadata);
  }

  @MessagePattern(RequestPatterns.resolve)
  resolve(@Payload() { payload, metadata }: CommandEnvelope<ResolveRequestMessage>): Promise<CommandReply> {
    return this.execute({ type: 'ResolveRequest', requestId: payload.requestId, resolution: payload.resolution }, metadata);
  }

  @MessagePattern(RequestPatterns.confirm)
  confirm(@Payload() { payload, metadata }: CommandEnvelope<RequestRefMessage>): Promise<CommandReply> {
    return this.execute({ type: 'ConfirmResolution', requestId: payload.requestId }, metadata);
  }

  @MessagePattern(RequestPatterns.reopen)
  reopen(@Payload() { payload, metadata }: CommandEnvelope<ReopenRequestMessage>): Promise<CommandReply> {
    return this.execute({ type: 'ReopenRequest', requestId: payload.requestId, reason: payload.reason }, { ...metadata, reason: payload.reason });
  }

  private async execute(command: ServiceRequestCommand, metadata: CommandMetadata): Promise<CommandReply> {
    const streamId = serviceRequestStreamId(command.requestId);
    const result = await handleCommand(this.store, streamId, serviceRequestDecider, command, { ...metadata, district: await this.districtOf(command, streamId) });
    return { position: result.position, idempotentReplay: result.idempotentReplay };
  }

  /** The district every event's metadata names for tenancy: the submission's, or the one the request was submitted in (a stream of a few events). */
  private async districtOf(command: ServiceRequestCommand, streamId: string): Promise<string | undefined> {
    if (command.type === 'SubmitRequest') return command.district;
    const state = fold(serviceRequestDecider, await this.store.readStream<ServiceRequestEvent>(streamId));
    return state.status === 'none' ? undefined : state.district;
  }
}
