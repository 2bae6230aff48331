import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { type EventStore, KurrentDbEventStore, PostgresEventStore, SqliteEventStore, type VerifyReport, withUpcasting } from '@liangxin/event-store';
import { projectionsFor } from '@liangxin/gateway-api';
import { type LiangxinConfig, redactedUrl } from '@liangxin/platform';
import { MongoReadModelStore, PostgresReadModelStore, type Projection, type ReadModelStore, SqliteReadModelStore } from '@liangxin/read-models';
import { CONSUMER_STATE_FILE, type DeadLetterAdmin, InProcessBus, InProcessDeadLetters, JetStreamDeadLetters, PostgresDeadLetterStore, SqliteDeadLetterStore } from '@liangxin/transport';
import { AdminError } from './admin-error';

/** The embedded system's files inside DATA_DIR (see apps/embedded/src/embedded-system.ts). */
export const DATA_FILES = { events: 'events.sqlite', consumers: CONSUMER_STATE_FILE, readModels: 'read-models.sqlite' } as const;

/**
 * What the admin commands work on, whichever mode the system runs in. Each part is opened on first use,
 * so `verify` never touches the read models and `dead-letters` never opens the event store.
 */
export interface AdminContext {
  readonly mode: LiangxinConfig['mode'];
  /** where the data lives, for messages: the data folder or the servers' URLs */
  readonly location: string;
  /** every projection the gateway serves, configured with the operator's coverage target */
  readonly projections: readonly Projection[];
  events(): Promise<EventStore>;
  readModels(): Promise<ReadModelStore>;
  deadLetters(): Promise<DeadLetterAdmin>;
  /** recomputes the event store's hash chain; undefined where the store keeps none (KurrentDB) */
  tamperEvidence(): Promise<{ verify(): Promise<VerifyReport> } | undefined>;
  /**
   * Whether a dead letter can be retried from this process. In the embedded mode the consumer that parked it
   * runs inside the system's process, not the CLI's, so the CLI sends the retry to the running gateway instead.
   */
  readonly retriesInProcess: boolean;
  /** the embedded mode's SQLite files: a rebuild is then shared between worker threads */
  readonly sqliteFiles?: { eventsFile: string; readModels: { dataDir: string; fileName: string }; coverageTarget: number };
  close(): Promise<void>;
}

const once = <T>(open: () => Promise<T>) => {
  let opened: Promise<T> | undefined;
  return {
    get: () => (opened ??= open()),
    ifOpened: () => opened,
  };
};

export function openAdminContext(config: LiangxinConfig): AdminContext {
  if (config.mode === 'distributed') return distributedContext(config);
  return config.databaseUrl ? embeddedPostgresContext(config, config.databaseUrl) : embeddedContext(config);
}

/** The all-in-one process on PostgreSQL (DATABASE_URL without NATS_URL): the same database, the in-process bus's dead letters. */
function embeddedPostgresContext(config: LiangxinConfig, databaseUrl: string): AdminContext {
  const unreachable = (error: unknown) => {
    throw new AdminError(`Cannot reach PostgreSQL at ${redactedUrl(databaseUrl)}: ${error instanceof Error ? error.message : String(error)}`);
  };
  const events = once(async () => withUpcasting(await PostgresEventStore.connect({ connectionString: databaseUrl, applicationName: 'liangxin-admin' }).catch(unreachable)));
  const readModels = once(() => PostgresReadModelStore.connect(databaseUrl).catch(unreachable));
  const deadLetterStore = once(() => PostgresDeadLetterStore.open({ connectionString: databaseUrl }).catch(unreachable));
  return {
    mode: 'embedded',
    location: `PostgreSQL ${redactedUrl(databaseUrl)}`,
    projections: projectionsFor(config),
    events: events.get,
    readModels: readModels.get,
    // as with the SQLite files: the consumers run in the system's process, so a retry goes through the gateway
    deadLetters: async () => new InProcessDeadLetters({ bus: new InProcessBus(), deadLetters: await deadLetterStore.get() }),
    tamperEvidence: events.get,
    retriesInProcess: false,
    async close() {
      await (await readModels.ifOpened()?.catch(() => undefined))?.close();
      await (await events.ifOpened()?.catch(() => undefined))?.close();
      await (await deadLetterStore.ifOpened()?.catch(() => undefined))?.close();
    },
  };
}

function embeddedContext(config: LiangxinConfig): AdminContext {
  const file = (name: string) => join(config.dataDir, name);
  const requireFile = (name: string, what: string) => {
    if (!existsSync(file(name))) {
      throw new AdminError(`No ${what} in ${config.dataDir} (expected ${name}). Is DATA_DIR right? The system creates it on its first start (npm start).`);
    }
  };
  const events = once(async () => {
    requireFile(DATA_FILES.events, 'event store');
    return withUpcasting(SqliteEventStore.open({ file: file(DATA_FILES.events), durability: config.durability }));
  });
  const readModels = once(async () => {
    requireFile(DATA_FILES.readModels, 'read models');
    return SqliteReadModelStore.open(config.dataDir, DATA_FILES.readModels);
  });
  const deadLetterStore = once(async () => {
    requireFile(DATA_FILES.consumers, 'consumer state (checkpoints and dead letters)');
    return new SqliteDeadLetterStore({ file: file(DATA_FILES.consumers) });
  });
  return {
    mode: 'embedded',
    location: config.dataDir,
    projections: projectionsFor(config),
    events: events.get,
    readModels: readModels.get,
    // No consumer runs on this bus: listing works, a retry is refused and the CLI goes through the gateway.
    deadLetters: async () => new InProcessDeadLetters({ bus: new InProcessBus(), deadLetters: await deadLetterStore.get() }),
    tamperEvidence: events.get,
    retriesInProcess: false,
    sqliteFiles: { eventsFile: file(DATA_FILES.events), readModels: { dataDir: config.dataDir, fileName: DATA_FILES.readModels }, coverageTarget: config.coverageTarget },
    async close() {
      await (await readModels.ifOpened()?.catch(() => undefined))?.close();
      await (await events.ifOpened()?.catch(() => undefined))?.close();
      await (await deadLetterStore.ifOpened()?.catch(() => undefined))?.close();
    },
  };
}

function distributedContext(config: LiangxinConfig): AdminContext {
  const { kurrentDbUrl, mongoDbUrl, databaseUrl = '', natsUrl } = config as Required<Pick<LiangxinConfig, 'natsUrl'>> & LiangxinConfig;
  const unreachable = (what: string, url: string) => (error: unknown) => {
    throw new AdminError(`Cannot reach ${what} at ${redactedUrl(url)}: ${error instanceof Error ? error.message : String(error)}`);
  };
  // loadConfig makes sure of an event store and a read-model store: DATABASE_URL (PostgreSQL) stands in for either
  const postgresEvents = kurrentDbUrl
    ? undefined
    : once(async (): Promise<PostgresEventStore> => withUpcasting(await PostgresEventStore.connect({ connectionString: databaseUrl }).catch(unreachable('PostgreSQL', databaseUrl))));
  const events = postgresEvents ?? once(async (): Promise<EventStore> => withUpcasting(KurrentDbEventStore.connect({ connectionString: kurrentDbUrl as string })));
  const readModels = once((): Promise<ReadModelStore> =>
    mongoDbUrl ? MongoReadModelStore.connect(mongoDbUrl).catch(unreachable('MongoDB', mongoDbUrl)) : PostgresReadModelStore.connect(databaseUrl).catch(unreachable('PostgreSQL', databaseUrl)),
  );
  const nats = once(() => connect({ servers: config.natsServers ?? natsUrl, name: 'liangxin-admin' }).catch(unreachable('NATS', natsUrl)));
  return {
    mode: 'distributed',
    location: `${kurrentDbUrl ? `KurrentDB ${redactedUrl(kurrentDbUrl)}` : `PostgreSQL ${redactedUrl(databaseUrl)}`}, ${mongoDbUrl ? `MongoDB ${redactedUrl(mongoDbUrl)}` : 'read models on PostgreSQL'}, NATS ${redactedUrl(natsUrl)}`,
    projections: projectionsFor(config),
    events: events.get,
    readModels: readModels.get,
    deadLetters: async () => new JetStreamDeadLetters(await nats.get()),
    // the PostgreSQL log carries the same hash chains as SQLite's; KurrentDB's has none of ours
    tamperEvidence: async () => (postgresEvents ? postgresEvents.get() : undefined),
    retriesInProcess: true,
    async close() {
      await (await readModels.ifOpened()?.catch(() => undefined))?.close();
      await (await events.ifOpened()?.catch(() => undefined))?.close();
      await (await nats.ifOpened()?.catch(() => undefined))?.drain();
    },
  };
}
