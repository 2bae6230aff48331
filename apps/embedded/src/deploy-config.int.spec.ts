import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort } from '@liangxin/transport/testing';
import { AppProcess, REPO_ROOT } from './app-process';

/**
 * What ships in deploy/ and the compose files, checked where this machine can: the NATS config by the nats-server
 * binary's own `-t` (test configuration) where the server is new enough for it, and the compose file's health
 * checks, pinned images, start order and secrets as data (no Docker engine runs here).
 */
const NATS_BIN = process.env['NATS_SERVER_BIN'] ?? '/usr/sbin/nats-server';
/** sync_interval, which deploy/nats.conf sets, arrived in nats-server 2.10.4 */
const MINIMUM = [2, 10, 4];
const version = (/v(\d+)\.(\d+)\.(\d+)/.exec(execFileSync(NATS_BIN, ['--version']).toString()) ?? []).slice(1).map(Number);
const supportsShippedConfig = version.length === 3 && (version[0] - MINIMUM[0] || version[1] - MINIMUM[1] || version[2] - MINIMUM[2]) >= 0;
const testConfig = (file: string) => spawnSync(NATS_BIN, ['-c', file, '-t'], { encoding: 'utf8' });
const shipped = join(REPO_ROOT, 'deploy/nats.conf');

describe('deploy/nats.conf', () => {
  const itOnNewServer = supportsShippedConfig ? it : it.skip;
  if (!supportsShippedConfig) {
    console.warn(`deploy/nats.conf not validated whole: ${NATS_BIN} is v${version.join('.')}, sync_interval needs >= ${MINIMUM.join('.')} (set NATS_SERVER_BIN to a newer binary)`);
  }

  itOnNewServer(`is accepted whole by nats-server >= ${MINIMUM.join('.')} (skipped: ${NATS_BIN} is v${version.join('.')})`, () => {
    const result = testConfig(shipped);
    expect(`${result.stdout}${result.stderr}`).toMatch(/is valid/);
    expect(result.status).toBe(0);
  });

  it('is refused by an older server for sync_interval alone, and valid without it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'liangxin-nats-conf-'));
    try {
      const withoutSync = join(dir, 'nats.conf');
      writeFileSync(withoutSync, readFileSync(shipped, 'utf8').replace(/^\s*sync_interval:.*$/m, ''));
      const rest = testConfig(withoutSync);
      expect(`${rest.stdout}${rest.stderr}`).toMatch(/is valid/);
      if (!supportsShippedConfig) {
        const whole = testConfig(shipped);
        expect(whole.status).not.toBe(0);
        expect(whole.stderr).toMatch(/unknown field "sync_interval"/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

interface ComposeService {
  image?: string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  command?: string[];
}

describe('docker-compose.yml', () => {
  const text = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
  const services = (parse(text, { merge: true }) as { services: Record<string, ComposeService> }).services;
  const infrastructure = ['nats', 'kurrentdb', 'mongodb'];
  const apps = Object.keys(services).filter((name) => !infrastructure.includes(name));

  it('pins every server image to a version, never latest', () => {
    for (const name of infrastructure) expect(services[name].image).toMatch(/:\d+\.\d+\.\d+(-[a-z0-9]+)?$/);
    expect(text).not.toMatch(/:latest\b/);
  });

  it('gives every server a health check, MongoDB healthy only as a primary, and starts the apps only once all are healthy', () => {
    for (const name of infrastructure) expect(services[name].healthcheck?.test.length).toBeGreaterThan(1);
    expect(services['mongodb'].healthcheck?.test.join(' ')).toContain('isWritablePrimary');
    expect(apps.sort()).toEqual(['evaluation', 'formation', 'funding', 'gateway', 'registry', 'requests']);
    for (const name of apps) {
      expect(Object.entries(services[name].depends_on ?? {}).sort()).toEqual(infrastructure.sort().map((server) => [server, { condition: 'service_healthy' }]));
    }
  });

  it('ships no default secrets: compose refuses to start without them, and limits what JetStream keeps', () => {
    for (const file of ['docker-compose.yml', 'docker-compose.postgres.yml']) expect(readFileSync(join(REPO_ROOT, file), 'utf8')).not.toMatch(/change-?me/i);
    const env = services['gateway'].environment ?? {};
    expect(env['ADMIN_TOKEN']).toMatch(/^\$\{ADMIN_TOKEN:\?/);
    expect(env['JWT_SECRET']).toMatch(/^\$\{JWT_SECRET:\?/);
    expect(env['EVENT_STREAM_MAX_AGE_HOURS']).toBeDefined();
    expect(env['EVENT_STREAM_MAX_BYTES']).toBeDefined();
  });

  it('has a PostgreSQL variant whose server is checked by pg_isready before the apps start', () => {
    const postgres = readFileSync(join(REPO_ROOT, 'docker-compose.postgres.yml'), 'utf8');
    expect(postgres).toMatch(/pg_isready/);
    expect(postgres).toMatch(/postgres: \{ condition: service_healthy \}/);
    expect(postgres).toMatch(/image: postgres:\d+\.\d+/);
  });
});

describe('the gateway of distributed mode (npm run start:gateway)', () => {
  const start = async (secrets: Record<string, string>) => {
    const gateway = new AppProcess('gateway', 'gateway', await freePort(), {
      ...process.env,
      // never reached: the secrets are checked first
      NATS_URL: 'nats://127.0.0.1:1',
      DATABASE_URL: 'postgres://127.0.0.1:1/none',
      KURRENTDB_URL: '',
      MONGODB_URL: '',
      ...secrets,
    });
    gateway.spawnOnly();
    return { exitCode: await gateway.exited(), output: gateway.output() };
  };

  it('refuses to start on a placeholder JWT_SECRET, or without ADMIN_TOKEN, naming the variable', async () => {
    const placeholder = await start({ ADMIN_TOKEN: 'an-admin-token-of-our-own', JWT_SECRET: 'change-me-too' });
    expect(placeholder.exitCode).toBe(1);
    expect(placeholder.output).toMatch(/JWT_SECRET: is a placeholder/);
    const missing = await start({ ADMIN_TOKEN: '', JWT_SECRET: 'a-jwt-secret-of-our-own-1' });
    expect(missing.exitCode).toBe(1);
    expect(missing.output).toMatch(/ADMIN_TOKEN: must be set in distributed mode/);
  }, 60_000);
});
