import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { INestMicroservice, LoggerService, LogLevel } from '@nestjs/common';
import { EvaluationServiceModule } from '@liangxin/evaluation-service';
import { SqliteEventStore, withUpcasting } from '@liangxin/event-store';
import { FormationServiceModule } from '@liangxin/formation-service';
import { FundingServiceModule } from '@liangxin/funding-service';
import { startGatewayApp } from '@liangxin/gateway-api';
import { type LiangxinConfig, startServiceApp } from '@liangxin/platform';
import { READ_MODELS_FILE, SqliteReadModelStore } from '@liangxin/read-models';
import { RegistryServiceModule } from '@liangxin/registry-service';
import { RequestsServiceModule } from '@liangxin/requests-service';
import { InProcessBus, InProcessClient, InProcessConsumerProgress, InProcessDeadLetters, InProcessServer, openConsumerStateDatabase, SqliteCheckpointStore, SqliteDeadLetterStore } from '@liangxin/transport';
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
  eventStore: SqliteEventStore;
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

/**
 * The whole system in one process: SQLite event store, read models and consumer state in DATA_DIR,
 * services on the in-process transport, the gateway on HTTP. Same modules as distributed mode.
 */
export async function startEmbeddedSystem(given: LiangxinConfig, options: EmbeddedOptions = {}): Promise<EmbeddedSystem> {
  mkdirSync(given.dataDir, { recursive: true });
  const config: LiangxinConfig = { ...given, jwtSecret: signingSecret(given.dataDir, given.jwtSecret) };
  const eventsFile = join(config.dataDir, 'events.sqlite');
  const eventStore = withUpcasting(SqliteEventStore.open({ file: eventsFile, durability: config.durability }));
  const consumerDb = openConsumerStateDatabase(join(config.dataDir, 'consumers.sqlite'));
  const checkpoints = new SqliteCheckpointStore({ db: consumerDb });
  const deadLetters = new SqliteDeadLetterStore({ db: consumerDb });
  const bus = new InProcessBus();

  const services: INestMicroservice[] = [];
  for (const service of SERVICES) {
    const strategy = new InProcessServer({ consumer: service.name, store: eventStore, checkpoints, deadLetters, bus, maxDeliveries: config.maxDeliveries });
    services.push(await startServiceApp({ name: service.name, module: service.module, config, eventStore, strategy, logger: options.logger }));
  }

  const readModels = SqliteReadModelStore.open(config.dataDir, READ_MODELS_FILE);
  const gateway = await startGatewayApp({
    config,
    eventStore,
    readModels,
    commands: new InProcessClient(bus),
    deadLetters: new InProcessDeadLetters({ bus, deadLetters }),
    consumerProgress: new InProcessConsumerProgress(bus),
    port: options.port,
    logger: options.logger,
    sqliteFiles: { eventsFile, readModels: { dataDir: config.dataDir, fileName: READ_MODELS_FILE } },
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
      await readModels.close();
      await eventStore.close();
      consumerDb.close();
    },
  };
}
