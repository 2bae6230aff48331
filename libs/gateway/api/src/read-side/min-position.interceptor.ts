import { BadRequestException, type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor, ServiceUnavailableException } from '@nestjs/common';
import type { ProjectionRunner } from '@liangxin/read-models';
import type { Request } from 'express';
import { from, type Observable, switchMap } from 'rxjs';
import { PROJECTION_RUNNER } from './tokens';
import { parseNonNegativeWholeNumber } from '../http/validation';

export const MIN_POSITION_HEADER = 'x-min-position';
/** How long a read waits for the projections to reach the position the client asked for. */
export const MIN_POSITION_WAIT_MS = 5_000;

/**
 * Read your writes: a GET with `X-Min-Position: N` is answered only once the read models include
 * event N (every write answers with its position). Past the wait the client gets 503 and may retry,
 * rather than silently stale data.
 */
@Injectable()
export class MinPositionInterceptor implements NestInterceptor {
  constructor(@Inject(PROJECTION_RUNNER) private readonly projections: Pick<ProjectionRunner, 'position' | 'waitForPosition'>) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const raw = request.method === 'GET' ? request.header(MIN_POSITION_HEADER) : undefined;
    if (raw === undefined) return next.handle();
    const position = parseNonNegativeWholeNumber(raw);
    if (position === undefined) {
      throw new BadRequestException({ message: 'X-Min-Position must be a whole number', details: [{ field: 'X-Min-Position', reason: 'must be a non-negative integer' }] });
    }
    const response = context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>();
    const reached = this.projections.position >= position ? Promise.resolve() : this.projections.waitForPosition(position, MIN_POSITION_WAIT_MS);
    return from(
      reached.then(
        () => response.setHeader('X-Position', String(this.projections.position)),
        () => {
          throw new ServiceUnavailableException({
            message: `The read models have not yet reached position ${position} (now at ${this.projections.position}); retry shortly`,
            details: [{ field: 'X-Min-Position', reason: 'not reached within 5 s' }],
          });
        },
      ),
    ).pipe(switchMap(() => next.handle()));
  }
}
