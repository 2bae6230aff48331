import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { INestMicroservice, LoggerService, LogLevel } from '@nestjs/common';
import { EvaluationServiceModule } from '@liangxin/evaluation-service';
import { type EventStore, PostgresEventStore, SqliteEventStore, withUpcasting } from '@liangxin/event-store';
import { FormationServiceModule } from '@liangxin/formation-service';
import { FundingServiceModule } from '@liangxin/funding-service';
import { startGatewayApp } from '@liangxin/gateway-api';
import { type LiangxinConfig, redactedUrl, startServiceApp, waitFor } from '@liangxin/platform';
import { PostgresReadModelStore, READ_MODELS_FILE, type ReadModelStore, SqliteReadModelStore } from '@liangxin/read-models';
import { RegistryServiceModule } from '@liangxin/registry-service';
import { RequestsServiceModule } from '@liangxin/requests-service';
import {
  type CheckpointStore,
  type DeadLetterStore,
  InProcessBus,
  InProcessClient,
  InProcessConsumerProgress,
  InProcessDeadLetters,
  InProcessServer,
  openConsumerStateDatabase,
  PostgresCheckpointStore,
  PostgresDeadLetterStore,
  SqliteCheckpointStore,
  SqliteDeadLetterStore,
} from '@liangxin/transport';
import { Gauge } from 'prom-client';
import { signingSecret } from './signing-secret';

/** The services of the embedded default; each runs as its own Nest app, as it would in its own process. */
const SERVICES = [
  { name: 'registry', module: RegistryServiceModule },
  { name: 'formation', module: FormationServiceModule },
  { name: 'funding', module: FundingServiceModule },
  { name: 'evaluation', module: EvaluationServiceModule },
  { name: 'requests', module: RequestsServiceModule },
] as const;

export interface EmbeddedSystem {
  url: string;
  adminToken: string;
  eventStore: EventStore;
  /** where the events, read models and consumer state are kept */
  storage: string;
  bus: InProcessBus;
  /** resolves when the read models include `position` */
  waitForReadModels(position: number, timeoutMs?: number): Promise<void>;
  /** resolves once every service and the read models have applied everything in the store, reactions included */
  settled(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  /** 0 picks a free port (tests) */
  port?: number;
  logger?: LoggerService | LogLevel[] | false;
}

/** The stores of the all-in-one process: SQLite files in DATA_DIR by default, one PostgreSQL database when DATABASE_URL is set. */
interface EmbeddedStores {
  storage: string;
  eventStore: EventStore;
  checkpoints: CheckpointStore;
  deadLetters: DeadLetterStore;
  readModels: ReadModelStore;
  sqliteFiles?: { eventsFile: string; readModels: { dataDir: string; fileName: string } };
  close(): Promise<void>;
}

function openSqliteStores(config: LiangxinConfig): EmbeddedStores {
  mkdirSync(config.dataDir, { recursive: true });
  const eventsFile = join(config.dataDir, 'events.sqlite');
  const eventStore = withUpcasting(SqliteEventStore.open({ file: eventsFile, durability: config.durability }));
  const consumerDb = openConsumerStateDatabase(join(config.dataDir, 'consumers.sqlite'));
  const readModels = SqliteReadModelStore.open(config.dataDir, READ_MODELS_FILE);
  return {
    storage: `SQLite files in ${config.dataDir}`,
    eventStore,
    checkpoints: new SqliteCheckpointStore({ db: consumerDb }),
    deadLetters: new SqliteDeadLetterStore({ db: consumerDb }),
    readModels,
    sqliteFiles: { eventsFile, readModels: { dataDir: config.dataDir, fileName: READ_MODELS_FILE } },
    async close() {
      await readModels.close();
      await eventStore.close();
      consumerDb.close();
    },
  };
}

/** Waits for the server (an office's database may start after the app), then opens each store on it. */
async function openPostgresStores(databaseUrl: string): Promise<EmbeddedStores> {
  const where = `PostgreSQL at ${redactedUrl(databaseUrl)}`;
  const eventStore = withUpcasting(await waitFor(`the event store (${where})`, () => PostgresEventStore.connect({ connectionString: databaseUrl, applicationName: 'liangxin-embedded' })));
  const checkpoints = await PostgresCheckpointStore.open({ connectionString: databaseUrl });
  const deadLetters = await PostgresDeadLetterStore.open({ connectionString: databaseUrl });
  const readModels = await PostgresReadModelStore.connect(databaseUrl);
  return {
    storage: where,
    eventStore,
    checkpoints,
    deadLetters,
    readModels,
    async close() {
      await readModels.close();
      await deadLetters.close();
      await checkpoints.close();
      await eventStore.close();
    },
  };
}

/**
 * The whole system in one process: event store, read models and consumer state in SQLite files in DATA_DIR (or in
 * the PostgreSQL database of DATABASE_URL), services on the in-process transport, the gateway on HTTP. Same modules
 * as distributed mode.
 */
export async function startEmbeddedSystem(given: LiangxinConfig, options: EmbeddedOptions = {}): Promise<EmbeddedSystem> {
  mkdirSync(given.dataDir, { recursive: true });
  const config: LiangxinConfig = { ...given, jwtSecret: signingSecret(given.dataDir, given.jwtSecret) };
  const stores = config.databaseUrl ? await openPostgresStores(config.databaseUrl) : openSqliteStores(config);
  const { eventStore, checkpoints, deadLetters, readModels } = stores;
  const bus = new InProcessBus();

  const services: INestMicroservice[] = [];
  for (const service of SERVICES) {
    const strategy = new InProcessServer({ consumer: service.name, store: eventStore, checkpoints, deadLetters, bus, maxDeliveries: config.maxDeliveries });
    services.push(await startServiceApp({ name: service.name, module: service.module, config, eventStore, strategy, logger: options.logger }));
  }

  const gateway = await startGatewayApp({
    config,
    eventStore,
    readModels,
    commands: new InProcessClient(bus),
    deadLetters: new InProcessDeadLetters({ bus, deadLetters }),
    consumerProgress: new InProcessConsumerProgress(bus),
    port: options.port,
    logger: options.logger,
    sqliteFiles: stores.sqliteFiles,
    transportHealth: { name: 'transport', check: async () => Object.fromEntries(bus.eventConsumers().map((consumer) => [consumer, bus.appliedPosition(consumer)])) },
    registerMetrics: (registry) =>
      new Gauge({
        name: 'liangxin_consumer_position',
        help: 'Global position each service consumer has applied',
        labelNames: ['consumer'],
        registers: [registry],
        collect() {
          for (const consumer of bus.eventConsumers()) this.set({ consumer }, bus.appliedPosition(consumer));
        },
      }),
  });

  return {
    url: gateway.url,
    adminToken: gateway.tokens.adminToken,
    eventStore,
    storage: stores.storage,
    bus,
    waitForReadModels: (position, timeoutMs = 5_000) => gateway.projections.waitForPosition(position, timeoutMs),
    async settled(timeoutMs = 10_000) {
      // A reaction appends more events, which others react to in turn: wait until the head stops moving.
      for (;;) {
        const head = await eventStore.headPosition();
        await Promise.all(bus.eventConsumers().map((consumer) => bus.waitUntilApplied(consumer, head, timeoutMs)));
        await gateway.projections.waitForPosition(head, timeoutMs);
        if ((await eventStore.headPosition()) === head) return head;
      }
    },
    async close() {
      await gateway.close();
      for (const service of services.reverse()) await service.close();
      await stores.close();
    },
  };
}
