import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WakeUpSubscription } from './read-side/wake-up-subscription';
import { type INestApplication, Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ClientProxy } from '@nestjs/microservices';
import type { EventStore } from '@liangxin/event-store';
import { createMetricsRegistry, type HealthProbe, InfrastructureModule, type LiangxinConfig, serviceRootModule } from '@liangxin/platform';
import { AuditTrail, type LiveProjections, MongoReadModelStore, PostgresReadModelStore, ProjectionRunner, type ProjectionRunnerOptions, ProjectionThread, type ReadModelStore, rebuildInWorkers, rebuildProjections, TimeTravel } from '@liangxin/read-models';
import type { ConsumerProgress, DeadLetterAdmin } from '@liangxin/transport';
import { Gauge, type Registry } from 'prom-client';
import { TokenService } from './auth/tokens';
import { GatewayApiModule } from './gateway-api.module';
import { configureHttpApp } from './http/configure';
import { type ProjectionRebuilder, projectionsFor } from './read-side/projections';
import { SettledPositions } from './read-side/settled/settled-position';

export interface GatewayAppOptions {
  config: LiangxinConfig;
  eventStore: EventStore;
  readModels: ReadModelStore;
  /** sends commands to the services over the mode's transport */
  commands: ClientProxy;
  /** dead letters of every consumer, for the admin routes */
  deadLetters: DeadLetterAdmin;
  /** how far the services' event consumers have got: settled reads wait on it (without it they answer 503) */
  consumerProgress?: ConsumerProgress;
  /** the transport's own health (consumers running, broker reachable) */
  transportHealth: HealthProbe;
  /** adds the mode's own gauges (consumer positions, lag) */
  registerMetrics?: (registry: Registry) => void;
  port?: number;
  logger?: LoggerService | LogLevel[] | false;
  /**
   * The SQLite files behind `eventStore` and `readModels`, when both are embedded: the live projections then
   * run in a worker thread (the HTTP thread only answers), and a rebuild is shared between worker threads.
   */
  sqliteFiles?: { eventsFile: string; readModels: { dataDir: string; fileName: string } };
}

export interface GatewayApp {
  app: INestApplication;
  url: string;
  tokens: TokenService;
  projections: LiveProjections;
  close(): Promise<void>;
}

/**
 * The gateway as both modes run it: the projections kept up to date from the event store, the HTTP API,
 * the dashboard, health and metrics. Only the adapters handed in differ between modes.
 */
export async function startGatewayApp(options: GatewayAppOptions): Promise<GatewayApp> {
  const { config, eventStore, readModels } = options;
  const settings = { coverageTarget: config.coverageTarget, mode: config.mode };
  const files = options.sqliteFiles;
  const projections: LiveProjections = files
    ? await ProjectionThread.start({ ...files, coverageTarget: config.coverageTarget, live: { pollIntervalMs: 50 }, onError: reportProjectionFailure })
    : await startProjectionRunner(eventStore, readModels, projectionsFor(settings), { onError: reportProjectionFailure });
  const rebuild: ProjectionRebuilder = files
    ? (onProgress) => rebuildInWorkers({ ...files, coverageTarget: config.coverageTarget, projections: projectionsFor(settings).map((p) => p.name), onProgress })
    : (onProgress) => rebuildProjections(eventStore, readModels, projectionsFor(settings), { onProgress });
  // Wake the projections as soon as anything is appended, instead of at their next poll; re-subscribed when it dies.
  const wakeUp = await WakeUpSubscription.start(eventStore, () => projections.poke(), {
    onFailure: (error, failures) => new Logger('Projections').warn(`Wake-up subscription failed (${failures} in a row), re-subscribing: ${String(error)}`),
  });

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
      check: async () => {
        if (projections.failure) throw projections.failure;
        // lag in events, counted up to LAG_COUNT_LIMIT: a difference of positions would be bytes on KurrentDB
        const behind = await eventStore.readAll({ after: projections.position, limit: LAG_COUNT_LIMIT });
        return { position: projections.position, lag: behind.length, ...(behind.length === LAG_COUNT_LIMIT && { lagAtLeast: true }), wakeUp: wakeUp.health() };
      },
    },
  ];

  const tokens = new TokenService({ adminToken: config.adminToken, jwtSecret: config.jwtSecret });
  const module = GatewayApiModule.forRoot({
    settings,
    tokens,
    commands: options.commands,
    readModels,
    projections,
    settledPositions: options.consumerProgress && new SettledPositions(eventStore, options.consumerProgress, projections),
    rebuildProjections: rebuild,
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
  configureHttpApp(app, config.limits);
  // connectionsCheckingInterval: read by Node when the server starts listening, untyped in @types/node
  const server = app.getHttpServer() as Server & { connectionsCheckingInterval: number };
  // Longer than the usual client/proxy idle timeout (60 s), so the server never closes a kept-alive
  // connection at the moment a client reuses it.
  server.keepAliveTimeout = 65_000;
  // A client that trickles its headers or body is cut off (408, then closed) instead of holding a socket for ever.
  server.headersTimeout = config.limits.headersTimeoutMs;
  server.requestTimeout = config.limits.requestTimeoutMs;
  // Node checks those timeouts on this interval (30 s by default): check often enough that a limit means what it says.
  server.connectionsCheckingInterval = Math.max(100, Math.min(1_000, Math.floor(config.limits.headersTimeoutMs / 4)));
  await app.listen(options.port ?? config.port, config.host);
  const { port } = server.address() as AddressInfo;

  return {
    app,
    url: `http://${urlHost(config.host)}:${port}`,
    tokens,
    projections,
    async close() {
      await app.close();
      await wakeUp.stop();
      await projections.stop();
    },
  };
}

/** How to reach a server listening on `host`: on every interface through loopback, an IPv6 address in brackets. */
const urlHost = (host: string): string => (host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host);

/** health counts the events the read models are behind up to this many */
const LAG_COUNT_LIMIT = 1_000;

/** the read models keep failing: /health turns down (its readModels check throws) until a batch succeeds, and the log says why */
const reportProjectionFailure = (error: unknown) =>
  new Logger('Projections').error(`The read models keep failing and retry with backoff: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);

/**
 * The gateway's live projections in this thread. Over a PostgreSQL or MongoDB read-model database, which several gateways may
 * share, only the holder of the projection lock projects; the others answer reads at once and follow its
 * checkpoints, and one of them takes over when the holder dies.
 */
export async function startProjectionRunner(...args: ConstructorParameters<typeof ProjectionRunner>): Promise<ProjectionRunner> {
  const [events, store, projections, options] = args;
  const exclusive: ProjectionRunnerOptions | undefined = store instanceof PostgresReadModelStore || store instanceof MongoReadModelStore
    ? {
        projectionLock: (lost) => store.acquireProjectionLock({ lost }),
        onProjectionLockLost: (error) => new Logger('Projections').warn(`Lost the projection lock, waiting to take it again: ${String(error)}`),
      }
    : undefined;
  const runner = new ProjectionRunner(events, store, projections, { pollIntervalMs: 50, ...exclusive, ...options });
  await runner.start();
  return runner;
}
