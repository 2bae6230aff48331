import { type DynamicModule, type INestApplication, Logger, type LoggerService, type LogLevel, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestMicroservice } from '@nestjs/microservices/nest-microservice';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { EVENT_SOURCES, type ServiceName } from '@liangxin/contracts';
import { type EventStore, KurrentDbEventStore, PostgresEventStore, withUpcasting } from '@liangxin/event-store';
import { type CheckpointStore, ensureTopology, JetStreamServer, MongoCheckpointStore, PostgresCheckpointStore, StoreForwarder, WireErrorFilter } from '@liangxin/transport';
import mongoose from 'mongoose';
import { Gauge } from 'prom-client';
import type { LiangxinConfig } from './config';
import { InfrastructureModule } from './infrastructure.module';
import { createMetricsRegistry } from './ops/metrics';
import { OpsModule } from './ops/ops.module';
import { serviceRootModule } from './service-app';
import { redactedUrl } from './redacted-url';
import { type Backoff, DEFAULT_BACKOFF, waitFor } from './wait-for';

/** The servers of distributed mode, opened once per app. */
export interface DistributedInfrastructure {
  eventStore: EventStore;
  nats: NatsConnection;
  /** consumer and forwarder checkpoints, kept in the read-model store */
  checkpoints: CheckpointStore;
  close(): Promise<void>;
}

/**
 * How an app opens the stores of distributed mode. Each opener resolves once its store answered and rejects while
 * it is unreachable (releasing what it half-opened): `openDistributedInfrastructure` retries it with backoff.
 * The defaults follow the configuration; an adapter chosen by another variable plugs in here.
 */
export interface StoreOpeners {
  eventStore: { name: string; open(): Promise<EventStore> };
  readModelStore: { name: string; open(): Promise<{ checkpoints: CheckpointStore; close(): Promise<void> }> };
}

export function requireDistributed(config: LiangxinConfig, app: string): asserts config is LiangxinConfig & { natsUrl: string } {
  if (config.mode !== 'distributed') {
    throw new Error(`${app} runs alone only in distributed mode: set NATS_URL and DATABASE_URL, or NATS_URL, KURRENTDB_URL and MONGODB_URL (or run "npm start" for the embedded default)`);
  }
}

/** Closes what `open` half-opened when its probe fails, so a retry starts clean. */
const probed = async <T>(value: T, probe: (value: T) => Promise<unknown>, close: (value: T) => Promise<unknown>): Promise<T> => {
  try {
    await probe(value);
    return value;
  } catch (error) {
    await close(value).catch(() => undefined);
    throw error;
  }
};

/**
 * The stores as configured: KurrentDB for the events when KURRENTDB_URL is set, else PostgreSQL (DATABASE_URL); MongoDB
 * for the read models and checkpoints when MONGODB_URL is set, else PostgreSQL. loadConfig makes sure of one of each.
 */
export function configuredStoreOpeners(config: LiangxinConfig, app: string): StoreOpeners {
  requireDistributed(config, app);
  const { kurrentDbUrl, mongoDbUrl, databaseUrl } = config;
  const eventStore: StoreOpeners['eventStore'] = kurrentDbUrl
    ? {
        name: `the event store (KurrentDB at ${redactedUrl(kurrentDbUrl)})`,
        open: () => probed(withUpcasting(KurrentDbEventStore.connect({ connectionString: kurrentDbUrl })), (store) => store.headPosition(), (store) => store.close()),
      }
    : {
        name: `the event store (PostgreSQL at ${redactedUrl(databaseUrl)})`,
        open: async () => withUpcasting(await PostgresEventStore.connect({ connectionString: databaseUrl as string, applicationName: `liangxin-${app}` })),
      };
  const readModelStore: StoreOpeners['readModelStore'] = mongoDbUrl
    ? {
        name: `the read-model store (MongoDB at ${redactedUrl(mongoDbUrl)})`,
        open: async () => {
          const mongo = await mongoose.createConnection(mongoDbUrl, { serverSelectionTimeoutMS: 5_000 }).asPromise();
          return { checkpoints: new MongoCheckpointStore(mongo), close: () => mongo.close() };
        },
      }
    : {
        name: `the checkpoint store (PostgreSQL at ${redactedUrl(databaseUrl)})`,
        open: async () => {
          const checkpoints = await PostgresCheckpointStore.open({ connectionString: databaseUrl as string });
          return { checkpoints, close: () => checkpoints.close() };
        },
      };
  return { eventStore, readModelStore };
}

/** NATS with the JetStream streams in place; rejects while the server (or JetStream on it) is not there. */
export async function connectToNats(config: LiangxinConfig, app: string): Promise<NatsConnection> {
  if (!config.natsUrl) throw new Error(`${app} needs NATS_URL in distributed mode`);
  const nats = await connect({ servers: config.natsServers ?? config.natsUrl, name: `liangxin-${app}`, maxReconnectAttempts: -1 });
  const topology = { replicas: config.streamReplicas, maxAgeMs: config.streamMaxAgeMs, maxBytes: config.streamMaxBytes };
  return probed(nats, async (connection) => ensureTopology(await jetstreamManager(connection), topology), (connection) => connection.close());
}

/**
 * Opens the event store, the read-model store and NATS, each waited for with backoff (logging what the app waits
 * for) rather than failing the start: an app started before its servers serves once they are up.
 */
export async function openDistributedInfrastructure(
  config: LiangxinConfig,
  app: string,
  options: { stores?: StoreOpeners; backoff?: Backoff } = {},
): Promise<DistributedInfrastructure> {
  const stores = options.stores ?? configuredStoreOpeners(config, app);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const logger = new Logger(app);
  const eventStore = withUpcasting(await waitFor(stores.eventStore.name, stores.eventStore.open, backoff, logger));
  const readModelStore = await waitFor(stores.readModelStore.name, stores.readModelStore.open, backoff, logger);
  const nats = await waitFor(`NATS at ${redactedUrl(config.natsUrl)}`, () => connectToNats(config, app), backoff, logger);
  return {
    eventStore,
    nats,
    checkpoints: readModelStore.checkpoints,
    async close() {
      await nats.drain();
      await readModelStore.close();
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
  /** the stores to open (default: as configured); tests hand in others */
  stores?: StoreOpeners;
  backoff?: Backoff;
}

/**
 * One service alone (distributed mode): its commands and reactions over JetStream, its own events
 * forwarded from the store's log to NATS, /health and /metrics on PORT.
 */
export async function startDistributedService(options: DistributedServiceOptions): Promise<{ app: INestApplication; close(): Promise<void> }> {
  const { name, config } = options;
  const infra = await openDistributedInfrastructure(config, name, { stores: options.stores, backoff: options.backoff });
  const natsServers = config.natsServers ?? (config.natsUrl as string);

  const forwarder = new StoreForwarder({
    source: { name, store: infra.eventStore, streamPrefixes: EVENT_SOURCES[name] },
    connection: infra.nats,
    checkpoints: infra.checkpoints,
  });
  const server = new JetStreamServer({
    servers: natsServers,
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
  // Nest registers a connected microservice's handlers at once unless deferred, and a filter added after that is
  // ignored: every refusal then reached the gateway as INTERNAL (HTTP 500). So: defer, add the filter, then register
  // as connectMicroservice itself does when not deferred (its lifecycle hooks run with the app's).
  const microservice = app.connectMicroservice({ strategy: server }, { deferInitialization: true }) as unknown as NestMicroservice;
  microservice.useGlobalFilters(new WireErrorFilter());
  microservice.registerListeners();
  microservice.setIsInitialized(true);
  microservice.setIsInitHookCalled(true);
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
