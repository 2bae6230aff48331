import { Controller, Inject, type MessageEvent, Sse } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ProjectionRunner } from '@liangxin/read-models';
import { distinctUntilChanged, interval, map, type Observable, startWith } from 'rxjs';
import { AllowQueryToken, Roles } from '../auth/auth.guard';
import { PROJECTION_RUNNER } from '../read-side/tokens';

const TICK_MS = 250;

@ApiTags('live updates')
@ApiBearerAuth()
@Controller('api/events')
export class LiveUpdatesController {
  constructor(@Inject(PROJECTION_RUNNER) private readonly projections: Pick<ProjectionRunner, 'position'>) {}

  /** Server-sent events: one `projection` event each time the read models move on, so dashboards refresh. */
  @Sse('stream')
  @AllowQueryToken()
  @Roles('admin', 'officer', 'auditor', 'enterprise')
  @ApiOperation({ summary: 'Server-sent events: `projection` with the position the read models reached' })
  stream(): Observable<MessageEvent> {
    return interval(TICK_MS).pipe(
      startWith(0),
      map(() => this.projections.position),
      distinctUntilChanged(),
      map((position) => ({ type: 'projection', data: { position, projection: 'all' } })),
    );
  }
}
