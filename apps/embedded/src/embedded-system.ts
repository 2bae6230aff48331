import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication, INestMicroservice, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SqliteEventStore } from '@liangxin/event-store';
import { configureHttpApp, GatewayApiModule, projectionsFor, TokenService } from '@liangxin/gateway-api';
import { createMetricsRegistry, type HealthProbe, InfrastructureModule, type LiangxinConfig, serviceRootModule, startServiceApp } from '@liangxin/platform';
import { AuditTrail, ProjectionRunner, SqliteReadModelStore, TimeTravel } from '@liangxin/read-models';
import { RegistryServiceModule } from '@liangxin/registry-service';
import { InProcessBus, InProcessClient, InProcessServer, openConsumerStateDatabase, SqliteCheckpointStore, SqliteDeadLetterStore } from '@liangxin/transport';
import { Gauge } from 'prom-client';

/** The services of the embedded default; each runs as its own Nest app, as it would in its own process. */
const SERVICES = [{ name: 'registry', module: RegistryServiceModule }] as const;

export interface EmbeddedSystem {
  url: string;
  adminToken: string;
  eventStore: SqliteEventStore;
  projections: ProjectionRunner;
  bus: InProcessBus;
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  /** 0 picks a free port (tests) */
  port?: number;
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * The whole system in one process: SQLite event store, read models and consumer state in DATA_DIR,
 * services on the in-process transport, the gateway on HTTP. Same modules as distributed mode.
 */
export async function startEmbeddedSystem(config: LiangxinConfig, options: EmbeddedOptions = {}): Promise<EmbeddedSystem> {
  mkdirSync(config.dataDir, { recursive: true });
  const logger = options.logger;
  const eventStore = SqliteEventStore.open({ file: join(config.dataDir, 'events.sqlite'), durability: config.durability });
  const consumerDb = openConsumerStateDatabase(join(config.dataDir, 'consumers.sqlite'));
  const checkpoints = new SqliteCheckpointStore({ db: consumerDb });
  const deadLetters = new SqliteDeadLetterStore({ db: consumerDb });
  const bus = new InProcessBus();

  const services: INestMicroservice[] = [];
  for (const service of SERVICES) {
    const strategy = new InProcessServer({ consumer: service.name, store: eventStore, checkpoints, deadLetters, bus, maxDeliveries: config.maxDeliveries });
    services.push(await startServiceApp({ name: service.name, module: service.module, config, eventStore, strategy, logger }));
  }

  const settings = { coverageTarget: config.coverageTarget, mode: config.mode };
  const readModels = SqliteReadModelStore.open(config.dataDir);
  const projections = new ProjectionRunner(eventStore, readModels, projectionsFor(settings), { pollIntervalMs: 50 });
  await projections.start();
  // Wake the projections as soon as anything is appended, instead of at their next poll.
  const wakeUp = eventStore.subscribeToAll({ after: await eventStore.headPosition() }, () => projections.poke());

  const metrics = createMetricsRegistry('embedded');
  registerEmbeddedMetrics(metrics, eventStore, projections, bus);
  const health: HealthProbe[] = [
    { name: 'eventStore', check: async () => ({ head: await eventStore.headPosition() }) },
    {
      name: 'transport',
      check: async () => Object.fromEntries(SERVICES.map((s) => [s.name, bus.appliedPosition(s.name)])),
    },
    {
      name: 'readModels',
      check: async () => {
        const head = await eventStore.headPosition();
        return { position: projections.position, lag: head - projections.position };
      },
    },
  ];

  const tokens = new TokenService({ adminToken: config.adminToken, jwtSecret: config.jwtSecret });
  const gatewayModule = GatewayApiModule.forRoot({
    settings,
    tokens,
    commands: new InProcessClient(bus),
    readModels,
    projections,
    timeTravel: new TimeTravel(eventStore, readModels),
    audit: new AuditTrail(eventStore, readModels),
    health,
    metrics,
  });
  const gateway: INestApplication = await NestFactory.create(
    serviceRootModule('gateway', [InfrastructureModule.forRoot({ config, eventStore }), gatewayModule]),
    { bodyParser: false, logger },
  );
  configureHttpApp(gateway);
  await gateway.listen(options.port ?? config.port, '0.0.0.0');
  const address = gateway.getHttpServer().address() as { port: number };

  return {
    url: `http://localhost:${address.port}`,
    adminToken: tokens.adminToken,
    eventStore,
    projections,
    bus,
    async close() {
      await gateway.close();
      for (const service of services.reverse()) await service.close();
      await wakeUp.stop();
      await projections.stop();
      await readModels.close();
      await eventStore.close();
      consumerDb.close();
    },
  };
}

function registerEmbeddedMetrics(registry: import('prom-client').Registry, eventStore: SqliteEventStore, projections: ProjectionRunner, bus: InProcessBus): void {
  new Gauge({
    name: 'liangxin_events_appended',
    help: 'Global position of the newest event in the store (events appended so far)',
    registers: [registry],
    async collect() {
      this.set(await eventStore.headPosition());
    },
  });
  new Gauge({
    name: 'liangxin_projection_position',
    help: 'Global position the read models have reached',
    registers: [registry],
    collect() {
      this.set(projections.position);
    },
  });
  new Gauge({
    name: 'liangxin_consumer_position',
    help: 'Global position each service consumer has applied',
    labelNames: ['consumer'],
    registers: [registry],
    collect() {
      for (const s of SERVICES) this.set({ consumer: s.name }, bus.appliedPosition(s.name));
    },
  });
}
