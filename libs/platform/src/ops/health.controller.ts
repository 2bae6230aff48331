import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Public } from './public-route';

/** One thing /health checks: the event store, the transport, the read models. */
export interface HealthProbe {
  name: string;
  /** resolves with details when healthy; throws (with a message an operator understands) when not */
  check(): Promise<Record<string, unknown>>;
}

export const HEALTH_PROBES = 'LIANGXIN_HEALTH_PROBES';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(HEALTH_PROBES) private readonly probes: HealthProbe[],
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: '200 {status: "ok"} once the store, transport and read models answer; 503 naming what does not' })
  check() {
    return this.health.check(this.probes.map((probe) => () => this.run(probe)));
  }

  private async run(probe: HealthProbe): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(probe.name);
    try {
      return indicator.up(await probe.check());
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
