import { Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type DeadLetterAdmin, DeadLetterNotFound, type DeadLetterView } from '@liangxin/transport';
import { ApiPaginated, orderBy, pageRequest, paginate } from '../read-side/pagination';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import type { Request } from 'express';
import { AdminAudit } from './admin-audit';

export const DEAD_LETTERS = 'LIANGXIN_DEAD_LETTERS';

/** dead letters are few (each is an incident); the list pages over at most this many, oldest first */
const MAX_DEAD_LETTERS_LISTED = 10_000;
const DEAD_LETTER_ORDER = orderBy<DeadLetterView>({ of: (d) => d.globalPosition }, { of: (d) => d.consumer }, { of: (d) => d.id });

/** Events a service gave up on after N tries: admins see why, and send them again once the cause is fixed. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin/dead-letters')
@Roles('admin')
export class DeadLettersController {
  constructor(
    @Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetterAdmin,
    private readonly audit: AdminAudit,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Events parked after repeated failures, with the error' })
  @ApiQuery({ name: 'consumer', required: false })
  @ApiPaginated()
  async list(@Query('consumer') consumer?: string, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    const page = pageRequest(limit, cursor, DEAD_LETTER_ORDER.arity);
    return paginate(await this.deadLetters.list({ consumer, limit: MAX_DEAD_LETTERS_LISTED }), DEAD_LETTER_ORDER, page);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deliver a dead letter to its consumer again' })
  async retry(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    const outcome = await this.notFoundAsHttp(id, () => this.deadLetters.retry(id));
    await this.audit.record(principal, request, 'dead-letters.retry', { id, outcome: outcome.status });
    return outcome;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Drop a dead letter (the event stays in the store; only this delivery is given up)' })
  async discard(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    await this.notFoundAsHttp(id, () => this.deadLetters.discard(id));
    await this.audit.record(principal, request, 'dead-letters.discard', { id });
  }

  private async notFoundAsHttp<T>(id: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DeadLetterNotFound) throw new NotFoundException({ message: `No dead letter ${id}`, details: [{ field: 'id', reason: 'not parked (already retried or discarded?)' }] });
      throw error;
    }
  }
}
