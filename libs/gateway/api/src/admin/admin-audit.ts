import { Inject, Injectable } from '@nestjs/common';
import { ADMIN_ACTIONS_STREAM, type AdminActionPerformed, type NewEvent } from '@liangxin/contracts';
import type { EventStore } from '@liangxin/event-store';
import { EVENT_STORE } from '@liangxin/platform';
import type { Request } from 'express';
import { actorOf, type Principal } from '../auth/principal';

export interface AdminAction {
  position: number;
  occurredAt: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

/** Records who did which admin action, in the event log itself (so `verify` covers it too). */
@Injectable()
export class AdminAudit {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {}

  async record(principal: Principal, request: Request & { id?: string }, action: string, details: Record<string, unknown>): Promise<number> {
    const event: NewEvent<AdminActionPerformed> = {
      type: 'AdminActionPerformed',
      schemaVersion: 1,
      data: { action, details },
      metadata: { actor: actorOf(principal), correlationId: request.id },
    };
    const result = await this.events.append(ADMIN_ACTIONS_STREAM, [event], { expected: 'any' });
    return result.lastPosition;
  }

  /** every admin action, newest first (the routes page them) */
  async list(): Promise<AdminAction[]> {
    const events = await this.events.readStream<AdminActionPerformed>(ADMIN_ACTIONS_STREAM);
    return events
      .reverse()
      .map((e) => ({ position: e.globalPosition, occurredAt: e.occurredAt, actor: e.metadata.actor, action: e.data.action, details: e.data.details }));
  }
}
