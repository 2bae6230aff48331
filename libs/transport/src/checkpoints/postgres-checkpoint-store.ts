import type { Pool } from 'pg';
import type { CheckpointStore } from './checkpoint-store';
import { createTablesOnce, resolvePostgresTarget, type PostgresTarget } from './postgres-consumer-state';

const CHECKPOINTS_LOCK_KEY = 7_301_518_840_101;

/**
 * Checkpoints as rows of a `consumer_checkpoints` table (name → jsonb value) for distributed mode on
 * PostgreSQL. A save is one autocommit upsert: acknowledged once it is durable on the primary.
 */
export class PostgresCheckpointStore implements CheckpointStore {
  private constructor(
    private readonly pool: Pool,
    private readonly owned: boolean,
  ) {}

  static async open(target: PostgresTarget): Promise<PostgresCheckpointStore> {
    const { pool, owned } = await resolvePostgresTarget(target);
    try {
      await createTablesOnce(
        pool,
        CHECKPOINTS_LOCK_KEY,
        `CREATE TABLE IF NOT EXISTS consumer_checkpoints (
           name text PRIMARY KEY, value jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
      );
    } catch (error) {
      if (owned) await pool.end();
      throw error;
    }
    return new PostgresCheckpointStore(pool, owned);
  }

  async load<T>(name: string): Promise<T | undefined> {
    const { rows } = await this.pool.query<{ value: T }>('SELECT value FROM consumer_checkpoints WHERE name = $1', [name]);
    return rows[0]?.value;
  }

  async save<T>(name: string, value: T): Promise<void> {
    await this.pool.query(
      `INSERT INTO consumer_checkpoints (name, value, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [name, JSON.stringify(value)],
    );
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.owned) await this.pool.end();
  }
}
