import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { freePort } from '@liangxin/transport/testing';
import { type AppName, AppProcess, signalAndWait } from './app-process';

/**
 * Servers a cluster test owns and can crash: a three-node nats-server cluster and a private PostgreSQL. Both run
 * from the machine's binaries on random free ports in temporary directories, so a test never touches the
 * machine's own servers (shared with other engineers and CI).
 */

const NATS_BIN = process.env['NATS_SERVER_BIN'] ?? '/usr/sbin/nats-server';
const PG_BIN = process.env['POSTGRES_BIN_DIR'] ?? '/usr/lib/postgresql/15/bin';

/** One node of a nats-server cluster with JetStream, routed to its peers. */
export class NatsClusterNode {
  private child?: ChildProcess;

  constructor(
    readonly name: string,
    readonly port: number,
    readonly clusterPort: number,
    private readonly peers: number[],
    readonly storeDir: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(timeoutMs = 15_000): Promise<void> {
    const routes = this.peers.map((port) => `nats://127.0.0.1:${port}`).join(',');
    const args = ['-a', '127.0.0.1', '-p', String(this.port), '-n', this.name, '-js', '-sd', this.storeDir];
    args.push('--cluster_name', 'liangxin-test', '--cluster', `nats://127.0.0.1:${this.clusterPort}`, '--routes', routes);
    const child = spawn(NATS_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    return new Promise((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => fail(new Error(`${this.name} not ready in ${timeoutMs} ms:\n${log}`)), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(error);
      };
      child.once('exit', (code) => fail(new Error(`${this.name} exited with ${code}:\n${log}`)));
      child.stderr?.on('data', (chunk: Buffer) => {
        if (log.length < 20_000) log += chunk.toString();
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.stderr?.removeAllListeners('data');
          child.stderr?.resume();
          resolve();
        }
      });
    });
  }

  /** A crash: no goodbye to the peers or clients. */
  kill9(): Promise<void> {
    return this.terminate('SIGKILL');
  }

  stop(): Promise<void> {
    return this.terminate('SIGTERM');
  }

  private terminate(signal: NodeJS.Signals): Promise<void> {
    return signalAndWait(this.child, signal);
  }
}

export class NatsCluster {
  private constructor(
    readonly nodes: NatsClusterNode[],
    private readonly dir: string,
  ) {}

  static async start(size = 3): Promise<NatsCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'liangxin-nats-cluster-'));
    const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), cluster: await freePort() })));
    const nodes = ports.map(({ client, cluster }, i) => {
      const storeDir = join(dir, `n${i + 1}`);
      mkdirSync(storeDir);
      return new NatsClusterNode(`n${i + 1}`, client, cluster, ports.filter((_, j) => j !== i).map((p) => p.cluster), storeDir);
    });
    await Promise.all(nodes.map((node) => node.start()));
    return new NatsCluster(nodes, dir);
  }

  /** NATS_URL for the apps: every node as a seed, so an app (re)started while one is down still connects */
  get url(): string {
    return this.nodes.map((node) => node.url).join(',');
  }

  /** Resolves once the cluster has elected its JetStream meta leader and answers JetStream requests. */
  async waitForJetStream(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const nc = await connect({ servers: this.url.split(','), maxReconnectAttempts: -1 });
    try {
      for (;;) {
        try {
          await (await jetstreamManager(nc, { timeout: 2_000 })).getAccountInfo();
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    } finally {
      await nc.close();
    }
  }

  node(name: string): NatsClusterNode {
    const found = this.nodes.find((node) => node.name === name);
    if (!found) throw new Error(`no node ${name}`);
    return found;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A PostgreSQL 15 server of the test's own (initdb + pg_ctl in a temporary directory, trust auth for user postgres).
 * PostgreSQL refuses to run as root, so as root it runs as the postgres user.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  private static run(command: string, args: string[]): string {
    const asRoot = process.getuid?.() === 0;
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, command), ...args]] : [join(PG_BIN, command), args];
    return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'liangxin-private-pg-'));
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    PrivatePostgres.run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
    const server = new PrivatePostgres(await freePort(), dir);
    server.startServer();
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  urlOf(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private startServer(): void {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=64MB`;
    PrivatePostgres.run('pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  }

  /** Stops the server the way a crash does (immediate: no checkpoint, recovery from the WAL at the next start), then starts it. */
  async crashAndRestart(downMs = 1_000): Promise<void> {
    PrivatePostgres.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.startServer();
  }

  async cleanup(): Promise<void> {
    try {
      PrivatePostgres.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already down
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Deployment {
  postgres: PrivatePostgres;
  nats: NatsCluster;
  /** DATABASE_URL of the apps */
  databaseUrl: string;
  apps: AppProcess[];
  gateways: AppProcess[];
  adminToken: string;
  stop(): Promise<void>;
}

/**
 * The distributed mode on PostgreSQL as a deployment runs it: a private PostgreSQL, a NATS cluster of `natsNodes`
 * (R3 streams on three), and each app as its own process (`npm run start:<app>`), `formations` formation instances
 * and `gateways` gateways. The first app starts alone (it creates the tables and the streams), the rest together.
 */
export async function startDeployment(options: { natsNodes?: number; formations?: number; gateways?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Deployment> {
  const natsNodes = options.natsNodes ?? 3;
  const dataDir = mkdtempSync(join(tmpdir(), 'liangxin-deployment-'));
  const [postgres, nats] = await Promise.all([PrivatePostgres.start(), NatsCluster.start(natsNodes)]);
  const admin = new Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('CREATE DATABASE liangxin');
  await admin.end();
  await nats.waitForJetStream();
  const adminToken = `deployment-admin-${randomUUID()}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NATS_URL: nats.url,
    DATABASE_URL: postgres.urlOf('liangxin'),
    KURRENTDB_URL: '',
    MONGODB_URL: '',
    EVENT_STREAM_REPLICAS: String(Math.min(3, natsNodes)),
    ADMIN_TOKEN: adminToken,
    JWT_SECRET: `deployment-jwt-${randomUUID()}`,
    DATA_DIR: dataDir,
    WRITES_PER_SECOND: '100000',
    WRITE_BURST: '100000',
    ...options.env,
  };
  const names: AppName[] = [
    'registry',
    ...Array.from({ length: options.formations ?? 1 }, (): AppName => 'formation'),
    'funding',
    'evaluation',
    'requests',
    ...Array.from({ length: options.gateways ?? 1 }, (): AppName => 'gateway'),
  ];
  const counts = new Map<AppName, number>();
  const apps: AppProcess[] = [];
  for (const app of names) {
    const n = (counts.get(app) ?? 0) + 1;
    counts.set(app, n);
    apps.push(new AppProcess(`${app}-${n}`, app, await freePort(), env));
  }
  await apps[0].start();
  await Promise.all(apps.slice(1).map((app) => app.start()));
  return {
    postgres,
    nats,
    databaseUrl: postgres.urlOf('liangxin'),
    apps,
    gateways: apps.filter((app) => app.app === 'gateway'),
    adminToken,
    async stop() {
      await Promise.all(apps.map((app) => app.stop()));
      await nats.cleanup();
      await postgres.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
