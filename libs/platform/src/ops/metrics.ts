import { Controller, Get, Header, Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { Public } from './public-route';

export const METRICS_REGISTRY = 'LIANGXIN_METRICS_REGISTRY';

/** A registry with Node's default metrics; the app adds its own gauges (store head, positions, lag). */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly latency: Histogram<'method' | 'route' | 'status'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const existing = registry.getSingleMetric('liangxin_http_request_seconds') as Histogram<'method' | 'route' | 'status'> | undefined;
    this.latency =
      existing ??
      new Histogram({
        name: 'liangxin_http_request_seconds',
        help: 'HTTP request latency by route',
        labelNames: ['method', 'route', 'status'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
      });
  }

  use(request: Request, response: Response, next: NextFunction): void {
    const end = this.latency.startTimer();
    response.on('finish', () => {
      // The matched route pattern, not the raw URL, so credit codes do not explode the label set.
      const route = (request as Request & { route?: { path?: string } }).route?.path ?? 'unmatched';
      end({ method: request.method, route: `${request.baseUrl ?? ''}${route}`, status: String(response.statusCode) });
    });
    next();
  }
}

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  @ApiOperation({ summary: 'Prometheus metrics: appends, consumer positions and lag, projection positions, request latency' })
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
