import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../..');

/** The apps `npm start` and `npm run start:<app>` start, by the file each script runs. */
export type AppName = 'embedded' | 'registry' | 'formation' | 'funding' | 'evaluation' | 'requests' | 'gateway';

/**
 * One app as its own OS process, started the way its npm script starts it (`node -r ./tools/register.js
 * apps/<app>/src/main.ts`), with its own environment. Up means /health answers 200 on its PORT.
 */
export class AppProcess {
  private child?: ChildProcess;
  private log = '';
  readonly url: string;

  constructor(
    readonly label: string,
    readonly app: AppName,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** the last lines the process printed (for a failure message) */
  output(): string {
    return this.log.slice(-4_000);
  }

  /** Spawns the process and resolves once /health answers 200 (rejects if it exits first or the time is up). */
  async start(timeoutMs = 120_000): Promise<void> {
    this.spawnOnly();
    const child = this.child as ChildProcess;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.label} exited (${child.exitCode ?? child.signalCode}) before it was up:\n${this.output()}`);
      try {
        if ((await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2_000) })).status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.label} was not up within ${timeoutMs} ms:\n${this.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Resolves with the exit code once the process ends by itself (for a process expected to refuse to start). */
  async exited(timeoutMs = 60_000): Promise<number | null> {
    const child = this.child;
    if (!child) throw new Error(`${this.label} was never started`);
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label} still running after ${timeoutMs} ms:\n${this.output()}`)), timeoutMs);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolvePromise(code);
      });
    });
  }

  /** Spawns without waiting for /health. */
  spawnOnly(): void {
    this.log = '';
    const child = spawn(process.execPath, ['-r', join(REPO_ROOT, 'tools/register.js'), join(REPO_ROOT, `apps/${this.app}/src/main.ts`)], {
      cwd: REPO_ROOT,
      env: { ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** A crash: no shutdown hooks, no flush. */
  kill9(): Promise<void> {
    return this.terminate('SIGKILL');
  }

  stop(): Promise<void> {
    return this.terminate('SIGTERM');
  }

  private terminate(signal: NodeJS.Signals): Promise<void> {
    return signalAndWait(this.child, signal, signal === 'SIGKILL' ? undefined : 15_000);
  }
}

/** Sends `signal` and resolves once the process has exited; past `killAfterMs` it is SIGKILLed. */
export async function signalAndWait(child: ChildProcess | undefined, signal: NodeJS.Signals, killAfterMs?: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const killer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  if (killer) clearTimeout(killer);
}
