import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import type { CommandEnvelope, CommandReply } from '@liangxin/contracts';
import type { Request } from 'express';
import { firstValueFrom, timeout } from 'rxjs';
import { actorOf, type Principal, scopeOf } from '../auth/principal';

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
  constructor(@Inject(COMMAND_CLIENT) private readonly client: ClientProxy) {}

  async send<R extends object = object>(pattern: string, payload: object, principal: Principal, request: Request & { id?: string }): Promise<CommandReply<R>> {
    const key = request.header(IDEMPOTENCY_HEADER);
    const envelope: CommandEnvelope<object> = {
      payload,
      scope: scopeOf(principal),
      metadata: {
        actor: actorOf(principal),
        // Scoped by actor so two callers choosing the same key never collide.
        commandId: key ? `${actorOf(principal)}:${key}` : randomUUID(),
        correlationId: request.id,
      },
    };
    return firstValueFrom(this.client.send<CommandReply<R>>(pattern, envelope).pipe(timeout(COMMAND_TIMEOUT_MS)));
  }
}
