import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createTemporaryPostgresDatabase } from '@liangxin/event-store/testing';
import { generateCreditCode } from '@liangxin/registry-domain';
import { freePort } from '@liangxin/transport/testing';
import { AppProcess, REPO_ROOT } from './app-process';

const DISTRICT = '430102';
const ADMIN_TOKEN = 'embedded-postgres-admin-token';

/**
 * `DATABASE_URL=postgres://… npm start`: the all-in-one process keeps its events, read models and consumer state in
 * PostgreSQL instead of SQLite files. An enterprise registered over HTTP is there after a SIGKILL and a restart, read
 * back from the read models the restarted process rebuilt from the same database, and DATA_DIR stays empty.
 */
describe('npm start with DATABASE_URL: the all-in-one process on PostgreSQL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'liangxin-embedded-pg-'));
  let database: Awaited<ReturnType<typeof createTemporaryPostgresDatabase>>;
  let system: AppProcess;

  beforeAll(async () => {
    database = await createTemporaryPostgresDatabase('embedded');
    system = new AppProcess('npm start', 'embedded', await freePort(), {
      ...process.env,
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      ADMIN_TOKEN,
      JWT_SECRET: 'embedded-postgres-secret',
      NATS_URL: '',
      KURRENTDB_URL: '',
      MONGODB_URL: '',
    });
  });

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, token: string, json?: object, headers: Record<string, string> = {}) => {
    const response = await fetch(`${system.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json && { 'content-type': 'application/json' }), ...headers },
      body: json && JSON.stringify(json),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };

  it('registers an enterprise over HTTP into PostgreSQL, and reads it back after a crash and a restart', async () => {
    await system.start();
    expect(system.output()).toContain('PostgreSQL at postgres://127.0.0.1:');
    const officer = (await call('POST', '/api/admin/tokens', ADMIN_TOKEN, { subject: 'pg-officer', role: 'officer', districts: [DISTRICT] })).body['token'] as string;
    const creditCode = generateCreditCode(DISTRICT, 71);
    const registered = await call('POST', '/api/enterprises', officer, { creditCode, name: '长沙数据库装备有限公司', kind: 'enterprise', employees: 40, fullMembers: 3, probationaryMembers: 0 });
    expect(registered.status).toBe(201);

    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      const stored = await db.query<{ type: string }>('SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version', [`enterprise-${creditCode}`]);
      expect(stored.rows.map((row) => row.type)).toEqual(['EnterpriseRegistered']);
    } finally {
      await db.end();
    }

    await system.kill9();
    await system.start();
    // the restarted process projects the log again from its checkpoint: read once it has reached the registration
    const read = await call('GET', `/api/enterprises/${creditCode}`, officer, undefined, { 'X-Min-Position': String(registered.body['position']) });
    expect(read).toMatchObject({ status: 200, body: { creditCode, name: '长沙数据库装备有限公司', district: DISTRICT } });
    // nothing went to the SQLite files of the default
    expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);

    // the admin CLI, given the same DATABASE_URL, checks the same log
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', join(REPO_ROOT, 'tools/register.js'), join(REPO_ROOT, 'apps/admin/src/main.ts'), 'verify', '--json'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: dataDir, NATS_URL: '', KURRENTDB_URL: '', MONGODB_URL: '' },
    });
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, eventsChecked: expect.any(Number) });
    expect((JSON.parse(stdout) as { eventsChecked: number }).eventsChecked).toBeGreaterThanOrEqual(2);
  }, 240_000);
});
