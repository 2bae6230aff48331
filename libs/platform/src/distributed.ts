import type { DynamicModule, INestApplication, LoggerService, LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { EVENT_SOURCES, type ServiceName } from '@liangxin/contracts';
import { type EventStore, KurrentDbEventStore, PostgresEventStore } from '@liangxin/event-store';
import { type CheckpointStore, ensureTopology, JetStreamServer, MongoCheckpointStore, PostgresCheckpointStore, StoreForwarder, WireErrorFilter } from '@liangxin/transport';
import mongoose from 'mongoose';
import { Gauge } from 'prom-client';
import type { LiangxinConfig } from './config';
import { InfrastructureModule } from './infrastructure.module';
import { createMetricsRegistry } from './ops/metrics';
import { OpsModule } from './ops/ops.module';
import { serviceRootModule } from './service-app';

/** The servers of distributed mode, opened once per app. */
export interface DistributedInfrastructure {
  eventStore: EventStore;
  /** when MONGODB_URL is set; else read models and checkpoints are on PostgreSQL (DATABASE_URL) */
  mongo?: mongoose.Connection;
  nats: NatsConnection;
  checkpoints: CheckpointStore;
  close(): Promise<void>;
}

export function requireDistributed(config: LiangxinConfig, app: string): asserts config is LiangxinConfig & { natsUrl: string } {
  if (config.mode !== 'distributed') {
    throw new Error(`${app} runs alone only in distributed mode: set NATS_URL and DATABASE_URL, or NATS_URL, KURRENTDB_URL and MONGODB_URL (or run "npm start" for the embedded default)`);
  }
}

/** KurrentDB when KURRENTDB_URL is set, else PostgreSQL (DATABASE_URL); loadConfig makes sure one of them is. */
export async function openDistributedEventStore(config: LiangxinConfig, app: string): Promise<EventStore> {
  if (config.kurrentDbUrl) return KurrentDbEventStore.connect({ connectionString: config.kurrentDbUrl });
  if (config.databaseUrl) return PostgresEventStore.connect({ connectionString: config.databaseUrl, applicationName: `liangxin-${app}` });
  throw new Error(`${app}: no event store configured (KURRENTDB_URL or DATABASE_URL)`);
}

export async function openDistributedInfrastructure(config: LiangxinConfig, app: string): Promise<DistributedInfrastructure> {
  requireDistributed(config, app);
  const eventStore = await openDistributedEventStore(config, app);
  const mongo = config.mongoDbUrl ? await mongoose.createConnection(config.mongoDbUrl).asPromise() : undefined;
  const checkpoints = mongo ? new MongoCheckpointStore(mongo) : await PostgresCheckpointStore.open({ connectionString: config.databaseUrl as string });
  const nats = await connect({ servers: config.natsUrl, name: `liangxin-${app}`, maxReconnectAttempts: -1 });
  await ensureTopology(await jetstreamManager(nats), { replicas: config.streamReplicas });
  return {
    eventStore,
    mongo,
    nats,
    checkpoints,
    async close() {
      await nats.drain();
      await mongo?.close();
      if (checkpoints instanceof PostgresCheckpointStore) await checkpoints.close();
      await eventStore.close();
    },
  };
}

export interface DistributedServiceOptions {
  name: ServiceName;
  module: Type | DynamicModule;
  /** services whose events this one reacts to */
  consumes: readonly ServiceName[];
  config: LiangxinConfig;
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * One service alone (distributed mode): its commands and reactions over JetStream, its own events
 * forwarded from the store's log to NATS, /health and /metrics on PORT.
 */
export async function startDistributedService(options: DistributedServiceOptions): Promise<{ app: INestApplication; close(): Promise<void> }> {
  const { name, config } = options;
  const infra = await openDistributedInfrastructure(config, name);
  requireDistributed(config, name);

  const forwarder = new StoreForwarder({
    source: { name, store: infra.eventStore, streamPrefixes: EVENT_SOURCES[name] },
    connection: infra.nats,
    checkpoints: infra.checkpoints,
  });
  const server = new JetStreamServer({
    servers: config.natsUrl,
    service: name,
    sources: options.consumes.map((source) => ({ name: source, store: infra.eventStore, streamPrefixes: EVENT_SOURCES[source] })),
    checkpoints: infra.checkpoints,
    maxDeliveries: config.maxDeliveries,
  });

  const metrics = createMetricsRegistry(name);
  new Gauge({
    name: 'liangxin_consumer_source_lag',
    help: 'Events of a source not yet applied by this service',
    labelNames: ['source'],
    registers: [metrics],
    collect() {
      for (const [source, m] of Object.entries(server.metrics().sources)) this.set({ source }, m.lag);
    },
  });
  new Gauge({
    name: 'liangxin_consumer_gaps_detected',
    help: 'Sequence gaps seen on NATS and filled from the store',
    labelNames: ['source'],
    registers: [metrics],
    collect() {
      for (const [source, m] of Object.entries(server.metrics().sources)) this.set({ source }, m.gapsDetected);
    },
  });
  new Gauge({
    name: 'liangxin_consumer_events_backfilled',
    help: 'Events read from the store because NATS did not deliver them',
    labelNames: ['source'],
    registers: [metrics],
    collect() {
      for (const [source, m] of Object.entries(server.metrics().sources)) this.set({ source }, m.eventsBackfilled);
    },
  });

  const probes = [
    { name: 'eventStore', check: async () => ({ head: await infra.eventStore.headPosition() }) },
    { name: 'transport', check: async () => ({ forwarder: forwarder.metrics().acknowledged, consumer: server.metrics().sources }) },
  ];
  const root = serviceRootModule(name, [InfrastructureModule.forRoot({ config, eventStore: infra.eventStore }), options.module, OpsModule.forRoot({ probes, metrics })]);
  const app = await NestFactory.create(root, { logger: options.logger });
  const microservice = app.connectMicroservice({ strategy: server });
  microservice.useGlobalFilters(new WireErrorFilter());
  app.enableShutdownHooks();
  await forwarder.start();
  await app.startAllMicroservices();
  await app.listen(config.port, config.host);
  return {
    app,
    async close() {
      await app.close();
      await forwarder.stop();
      await infra.close();
    },
  };
}
