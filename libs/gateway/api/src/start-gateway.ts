import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ClientProxy } from '@nestjs/microservices';
import type { EventStore } from '@liangxin/event-store';
import { createMetricsRegistry, type HealthProbe, InfrastructureModule, type LiangxinConfig, serviceRootModule } from '@liangxin/platform';
import { AuditTrail, ProjectionRunner, type ReadModelStore, TimeTravel } from '@liangxin/read-models';
import type { DeadLetterAdmin } from '@liangxin/transport';
import { Gauge, type Registry } from 'prom-client';
import { TokenService } from './auth/tokens';
import { GatewayApiModule } from './gateway-api.module';
import { configureHttpApp } from './http/configure';
import { projectionsFor } from './read-side/projections';

export interface GatewayAppOptions {
  config: LiangxinConfig;
  eventStore: EventStore;
  readModels: ReadModelStore;
  /** sends commands to the services over the mode's transport */
  commands: ClientProxy;
  /** dead letters of every consumer, for the admin routes */
  deadLetters: DeadLetterAdmin;
  /** the transport's own health (consumers running, broker reachable) */
  transportHealth: HealthProbe;
  /** adds the mode's own gauges (consumer positions, lag) */
  registerMetrics?: (registry: Registry) => void;
  port?: number;
  logger?: LoggerService | LogLevel[] | false;
}

export interface GatewayApp {
  app: INestApplication;
  url: string;
  tokens: TokenService;
  projections: ProjectionRunner;
  close(): Promise<void>;
}

/**
 * The gateway as both modes run it: the projections kept up to date from the event store, the HTTP API,
 * the dashboard, health and metrics. Only the adapters handed in differ between modes.
 */
export async function startGatewayApp(options: GatewayAppOptions): Promise<GatewayApp> {
  const { config, eventStore, readModels } = options;
  const settings = { coverageTarget: config.coverageTarget, mode: config.mode };
  const projections = new ProjectionRunner(eventStore, readModels, projectionsFor(settings), { pollIntervalMs: 50 });
  await projections.start();
  // Wake the projections as soon as anything is appended, instead of at their next poll.
  const wakeUp = eventStore.subscribeToAll({ after: await eventStore.headPosition() }, () => projections.poke());

  const metrics = createMetricsRegistry('gateway');
  new Gauge({
    name: 'liangxin_events_appended',
    help: 'Global position of the newest event in the store',
    registers: [metrics],
    async collect() {
      this.set(await eventStore.headPosition());
    },
  });
  new Gauge({
    name: 'liangxin_projection_position',
    help: 'Global position the read models have reached',
    registers: [metrics],
    collect() {
      this.set(projections.position);
    },
  });
  options.registerMetrics?.(metrics);

  const health: HealthProbe[] = [
    { name: 'eventStore', check: async () => ({ head: await eventStore.headPosition() }) },
    options.transportHealth,
    {
      name: 'readModels',
      check: async () => ({ position: projections.position, lag: (await eventStore.headPosition()) - projections.position }),
    },
  ];

  const tokens = new TokenService({ adminToken: config.adminToken, jwtSecret: config.jwtSecret });
  const module = GatewayApiModule.forRoot({
    settings,
    tokens,
    commands: options.commands,
    readModels,
    projections,
    timeTravel: new TimeTravel(eventStore, readModels),
    audit: new AuditTrail(eventStore, readModels),
    health,
    metrics,
    deadLetters: options.deadLetters,
  });
  const app = await NestFactory.create(serviceRootModule('gateway', [InfrastructureModule.forRoot({ config, eventStore }), module]), {
    bodyParser: false,
    logger: options.logger,
  });
  configureHttpApp(app);
  // Longer than the usual client/proxy idle timeout (60 s), so the server never closes a kept-alive
  // connection at the moment a client reuses it.
  app.getHttpServer().keepAliveTimeout = 65_000;
  await app.listen(options.port ?? config.port, '0.0.0.0');
  const { port } = app.getHttpServer().address() as { port: number };

  return {
    app,
    url: `http://localhost:${port}`,
    tokens,
    projections,
    async close() {
      await app.close();
      await wakeUp.stop();
      await projections.stop();
    },
  };
}
