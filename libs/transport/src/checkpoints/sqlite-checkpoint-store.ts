import type Database from 'better-sqlite3';
import type { CheckpointStore } from './checkpoint-store';
import { resolveSqliteTarget, type SqliteTarget } from './sqlite-database';

/** Checkpoints as rows of a `checkpoints` table (name → JSON value), in its own file or a given database. */
export class SqliteCheckpointStore implements CheckpointStore {
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private readonly selectOne: Database.Statement<[string], { value: string }>;
  private readonly upsert: Database.Statement<[string, string, string]>;

  constructor(target: SqliteTarget) {
    const { db, owned } = resolveSqliteTarget(target);
    this.db = db;
    this.ownsDb = owned;
    db.exec(`CREATE TABLE IF NOT EXISTS checkpoints (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`);
    this.selectOne = db.prepare('SELECT value FROM checkpoints WHERE name = ?');
    this.upsert = db.prepare(
      `INSERT INTO checkpoints (name, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
  }

  async load<T>(name: string): Promise<T | undefined> {
    const row = this.selectOne.get(name);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async save<T>(name: string, value: T): Promise<void> {
    this.upsert.run(name, JSON.stringify(value), new Date().toISOString());
  }

  async close(): Promise<void> {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}
