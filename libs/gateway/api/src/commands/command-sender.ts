import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import type { CommandEnvelope, CommandReply } from '@liangxin/contracts';
import { stageTimings } from '@liangxin/diagnostics';
import type { Request } from 'express';
import { firstValueFrom, timeout } from 'rxjs';
import { actorOf, type Principal, scopeOf } from '../auth/principal';
import { asWireError } from '../http/error-body';
import { commandFingerprint, IdempotencyKeys } from './idempotency';

export const COMMAND_CLIENT = 'LIANGXIN_COMMAND_CLIENT';
const COMMAND_TIMEOUT_MS = 10_000;

/** The header a client sets to make a retried POST idempotent (the same key never applies twice). */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/**
 * Sends a command to the service that owns it (request/reply over the configured transport),
 * stamped with who asked, a command id for idempotency and the request id for correlation.
 */
@Injectable()
export class CommandSender {
  private readonly keys = new IdempotencyKeys();

  constructor(@Inject(COMMAND_CLIENT) private readonly client: ClientProxy) {}

  async send<R extends object = object>(pattern: string, payload: object, principal: Principal, request: Request & { id?: string; receivedAt?: number }): Promise<CommandReply<R>> {
    stageTimings.since('http', request.receivedAt ?? 0);
    const key = request.header(IDEMPOTENCY_HEADER);
    // Scoped by actor so two callers choosing the same key never collide.
    const commandId = key ? `${actorOf(principal)}:${key}` : randomUUID();
    const fingerprint = key ? commandFingerprint(pattern, request.params, request.body) : undefined;
    const envelope: CommandEnvelope<object> = {
      payload,
      scope: scopeOf(principal),
      metadata: { actor: actorOf(principal), commandId, ...(fingerprint && { commandFingerprint: fingerprint }), correlationId: request.id },
    };
    if (!fingerprint) return this.request<R>(pattern, envelope);
    this.keys.claim(commandId, fingerprint);
    try {
      return await this.request<R>(pattern, envelope);
    } catch (error) {
      // a broken rule appended nothing: the key may carry the corrected request; after a timeout it may have applied
      const kind = asWireError(error)?.kind;
      if (kind !== undefined && kind !== 'unavailable' && kind !== 'internal') this.keys.release(commandId, fingerprint);
      throw error;
    }
  }

  private async request<R extends object>(pattern: string, envelope: CommandEnvelope<object>): Promise<CommandReply<R>> {
    const sentAt = stageTimings.now();
    const reply = await firstValueFrom(this.client.send<CommandReply<R>>(pattern, envelope).pipe(timeout(COMMAND_TIMEOUT_MS)));
    stageTimings.since('round-trip', sentAt);
    return reply;
  }
}
