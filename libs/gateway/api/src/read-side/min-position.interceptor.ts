import { BadRequestException, type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor, Optional, ServiceUnavailableException } from '@nestjs/common';
import { stageTimings } from '@liangxin/diagnostics';
import type { ProjectionRunner } from '@liangxin/read-models';
import type { Request } from 'express';
import { from, type Observable, switchMap } from 'rxjs';
import { parseNonNegativeWholeNumber } from '../http/validation';
import { CONSISTENCY_HEADER, SETTLED, SETTLED_WAIT_MS } from './settled/settled-read-headers';
import type { SettledPositions } from './settled/settled-position';
import { PROJECTION_RUNNER, SETTLED_POSITIONS } from './tokens';

export const MIN_POSITION_HEADER = 'x-min-position';
/** How long a read waits for the projections to reach the position the client asked for. */
export const MIN_POSITION_WAIT_MS = 5_000;

/**
 * Read your writes: a GET with `X-Min-Position: N` is answered only once the read models include
 * event N (every write answers with its position). With `X-Consistency: settled` as well, only once they
 * include everything event N caused, in cascade (SettledPositions). Past the wait the client gets 503 and
 * may retry, rather than silently stale data.
 */
@Injectable()
export class MinPositionInterceptor implements NestInterceptor {
  constructor(
    @Inject(PROJECTION_RUNNER) private readonly projections: Pick<ProjectionRunner, 'position' | 'waitForPosition'>,
    @Optional() @Inject(SETTLED_POSITIONS) private readonly settled?: SettledPositions,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const raw = request.method === 'GET' ? request.header(MIN_POSITION_HEADER) : undefined;
    const consistency = request.method === 'GET' ? request.header(CONSISTENCY_HEADER) : undefined;
    if (consistency !== undefined && consistency.trim().toLowerCase() !== SETTLED) {
      throw new BadRequestException({ message: 'X-Consistency takes one value: settled', details: [{ field: 'X-Consistency', reason: 'must be "settled"' }] });
    }
    if (consistency !== undefined && raw === undefined) {
      throw new BadRequestException({
        message: 'X-Consistency: settled waits for what a write caused: send the position the write answered as X-Min-Position',
        details: [{ field: 'X-Min-Position', reason: 'required with X-Consistency: settled' }],
      });
    }
    if (raw === undefined) return next.handle();
    const position = parseNonNegativeWholeNumber(raw);
    if (position === undefined) {
      throw new BadRequestException({ message: 'X-Min-Position must be a whole number', details: [{ field: 'X-Min-Position', reason: 'must be a non-negative integer' }] });
    }
    const response = context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>();
    const reached = consistency === undefined ? this.projected(position) : this.settledAt(position, response);
    return from(reached.then(() => response.setHeader('X-Position', String(this.projections.position)))).pipe(switchMap(() => next.handle()));
  }

  private projected(position: number): Promise<void> {
    const waitStarted = stageTimings.now();
    if (this.projections.position >= position) {
      stageTimings.record('read-wait', 0);
      return Promise.resolve();
    }
    return this.projections.waitForPosition(position, MIN_POSITION_WAIT_MS).then(() => stageTimings.since('read-wait', waitStarted), () => {
      throw new ServiceUnavailableException({
        message: `The read models have not yet reached position ${position} (now at ${this.projections.position}); retry shortly`,
        details: [{ field: 'X-Min-Position', reason: 'not reached within 5 s' }],
      });
    });
  }

  private async settledAt(position: number, response: { setHeader(name: string, value: string): void }): Promise<void> {
    if (!this.settled) {
      throw new ServiceUnavailableException({ message: 'This gateway cannot tell how far the services have reacted; read without X-Consistency', details: [{ field: 'X-Consistency', reason: 'not available here' }] });
    }
    try {
      const last = await this.settled.waitUntilSettled(position, SETTLED_WAIT_MS);
      response.setHeader('X-Settled-Position', String(last));
    } catch (error) {
      throw new ServiceUnavailableException({
        message: `${error instanceof Error ? error.message : String(error)}; retry shortly`,
        details: [{ field: 'X-Consistency', reason: `not settled within ${SETTLED_WAIT_MS / 1000} s` }],
      });
    }
  }
}
