import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** File name of the consumer-state database (checkpoints and dead letters) inside DATA_DIR. */
export const CONSUMER_STATE_FILE = 'consumers.sqlite';

/**
 * Opens (or creates) a SQLite file for consumer state, in WAL mode with synchronous=NORMAL: a commit
 * survives a process crash at once and a power cut once the WAL is checkpointed. That is enough here
 * and much cheaper than a sync per save (3.5 ms against 0.02 ms measured, on every event of every
 * consumer): a checkpoint lost to a power cut only means redelivery, which idempotent consumers absorb,
 * and a dead letter lost with it is parked again when its event fails again. The events themselves
 * live in the event store, which does sync before it acknowledges.
 */
export function openConsumerStateDatabase(file: string): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** `<dataDir>/consumers.sqlite`, where dataDir defaults to DATA_DIR or ./data. */
export const consumerStateFile = (dataDir: string = process.env['DATA_DIR'] ?? './data'): string =>
  join(dataDir, CONSUMER_STATE_FILE);

/** Either an open database (shared, the caller closes it) or a file this store opens and owns. */
export type SqliteTarget = { db: Database.Database } | { file: string };

export function resolveSqliteTarget(target: SqliteTarget): { db: Database.Database; owned: boolean } {
  return 'db' in target ? { db: target.db, owned: false } : { db: openConsumerStateDatabase(target.file), owned: true };
}
