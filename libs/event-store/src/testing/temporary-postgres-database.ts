import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server the tests use: PostgreSQL 15 on this machine and in CI, user postgres, trust auth. */
export const POSTGRES_TEST_SERVER = process.env['POSTGRES_TEST_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const withAdmin = async <T>(work: (admin: Client) => Promise<T>): Promise<T> => {
  const admin = new Client({ connectionString: POSTGRES_TEST_SERVER });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
};

/**
 * A database of its own for one test suite (`liangxin_test_<random>`), so suites never share a schema or
 * see each other's rows. `drop()` removes it, closing any connection still open to it.
 */
export const createTemporaryPostgresDatabase = async (label = 'test'): Promise<{ name: string; url: string; drop: () => Promise<void> }> => {
  const name = `liangxin_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_TEST_SERVER);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
};
