import { join } from 'node:path';
import { KurrentDbEventStore } from './kurrentdb/kurrentdb-event-store';
import type { EventStore } from './port';
import { SqliteEventStore, type SqliteDurability } from './sqlite/sqlite-event-store';

export interface EventStoreConfig {
  /** when set, the distributed store is used (e.g. kurrentdb://localhost:2113?tls=false) */
  kurrentDbUrl?: string;
  /** folder of the embedded store's file (default ./data) */
  dataDir?: string;
  /** file name inside dataDir (default events.db) */
  sqliteFileName?: string;
  durability?: SqliteDurability;
}

/** Reads the deployment's choice from the environment: KURRENTDB_URL, DATA_DIR, EVENT_STORE_DURABILITY. */
export const eventStoreConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): EventStoreConfig => ({
  kurrentDbUrl: env['KURRENTDB_URL'] || undefined,
  dataDir: env['DATA_DIR'] || undefined,
  durability: env['EVENT_STORE_DURABILITY'] === 'os' ? 'os' : 'fsync',
});

/** KurrentDB when a URL is configured, otherwise the embedded SQLite file under DATA_DIR. */
export const createEventStore = (config: EventStoreConfig = eventStoreConfigFromEnv()): EventStore => {
  if (config.kurrentDbUrl) return KurrentDbEventStore.connect({ connectionString: config.kurrentDbUrl });
  return SqliteEventStore.open({
    file: join(config.dataDir ?? './data', config.sqliteFileName ?? 'events.db'),
    durability: config.durability ?? 'fsync',
  });
};
