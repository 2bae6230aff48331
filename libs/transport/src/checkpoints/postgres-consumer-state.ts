import type { Pool } from 'pg';

/** A pool given by the caller (shared with other stores, left open) or opened from a URL (closed with the store). */
export type PostgresTarget = { pool: Pool } | { connectionString: string };

/** pg is loaded only here, on first use: an app on SQLite alone never loads it */
export const resolvePostgresTarget = async (target: PostgresTarget): Promise<{ pool: Pool; owned: boolean }> => {
  if ('pool' in target) return { pool: target.pool, owned: false };
  const { Pool: PgPool } = await import('pg');
  const pool = new PgPool({ connectionString: target.connectionString, max: 2, application_name: 'liangxin-consumer-state' });
  // an idle connection that breaks (a server restart) is dropped by the pool; unhandled, it would end the process
  pool.on('error', () => undefined);
  return { pool, owned: true };
};

/** Instances starting together create a table one at a time (CREATE TABLE IF NOT EXISTS can race otherwise). */
export const createTablesOnce = async (pool: Pool, lockKey: number, ddl: string): Promise<void> => {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
    await client.query(ddl);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
};
