import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsServerOptions {
  /** path of the nats-server binary (default /usr/sbin/nats-server, or NATS_SERVER_BIN) */
  binary?: string;
  /** JetStream store directory; a fresh temporary one when omitted */
  storeDir?: string;
  /** how long to wait for "Server is ready" before giving up */
  startTimeoutMs?: number;
}

/** A free TCP port on 127.0.0.1 (asked from the OS, then released for the server to take). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });

/**
 * A real nats-server with JetStream that a test owns: it can be SIGKILLed and restarted on the same
 * port and store directory, which is how tests prove that nothing is lost when the broker crashes.
 */
export class NatsServerProcess {
  private child?: ChildProcess;
  private readonly ownsStoreDir: boolean;

  private constructor(
    readonly port: number,
    readonly storeDir: string,
    private readonly binary: string,
    private readonly startTimeoutMs: number,
    ownsStoreDir: boolean,
  ) {
    this.ownsStoreDir = ownsStoreDir;
  }

  static async start(options: NatsServerOptions = {}): Promise<NatsServerProcess> {
    const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'liangxin-nats-'));
    const server = new NatsServerProcess(
      await freePort(),
      storeDir,
      options.binary ?? process.env['NATS_SERVER_BIN'] ?? '/usr/sbin/nats-server',
      options.startTimeoutMs ?? 10_000,
      options.storeDir === undefined,
    );
    await server.spawn();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Crash the broker: no flush, no goodbye to clients. */
  async kill9(): Promise<void> {
    await this.terminate('SIGKILL');
  }

  /** Start again on the same port with the same store directory. */
  async restart(): Promise<void> {
    if (this.running) await this.terminate('SIGTERM');
    await this.spawn();
  }

  async stop(): Promise<void> {
    await this.terminate('SIGTERM');
  }

  /** Stop and remove the store directory when this helper created it. */
  async cleanup(): Promise<void> {
    await this.stop();
    if (this.ownsStoreDir) rmSync(this.storeDir, { recursive: true, force: true });
  }

  private spawn(): Promise<void> {
    const child = spawn(this.binary, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => fail(new Error(`nats-server did not become ready in ${this.startTimeoutMs} ms:\n${log}`)), this.startTimeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(error);
      };
      child.once('error', fail);
      child.once('exit', (code) => fail(new Error(`nats-server exited with ${code} before it was ready:\n${log}`)));
      child.stderr?.on('data', (chunk: Buffer) => {
        if (log.length < 20_000) log += chunk.toString();
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.removeAllListeners('error');
          child.stderr?.removeAllListeners('data');
          child.stderr?.resume();
          resolve();
        }
      });
    });
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}
