import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Registry } from 'prom-client';
import { HEALTH_PROBES, HealthController, type HealthProbe } from './health.controller';
import { HttpMetricsMiddleware, METRICS_REGISTRY, MetricsController } from './metrics';

/** /health and /metrics for any app: the gateway and every service in distributed mode. */
@Module({})
export class OpsModule implements NestModule {
  static forRoot(options: { probes: HealthProbe[]; metrics: Registry }): DynamicModule {
    const providers = [
      { provide: HEALTH_PROBES, useValue: options.probes },
      { provide: METRICS_REGISTRY, useValue: options.metrics },
    ];
    return {
      module: OpsModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [...providers, HttpMetricsMiddleware],
      exports: providers,
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
