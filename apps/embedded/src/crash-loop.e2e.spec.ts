import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { RecordedEvent } from '@liangxin/contracts';
import { SqliteEventStore } from '@liangxin/event-store';
import { allProjections, projectionContentHash, READ_MODELS_FILE, SqliteReadModelStore } from '@liangxin/read-models';
import { generateCreditCode } from '@liangxin/registry-domain';
import { freePort } from '@liangxin/transport/testing';

/**
 * The embedded system (`npm start`, a child process) SIGKILLed while concurrent clients register enterprises, three
 * times, then started once more. A client retries a command the crash cut off with the same Idempotency-Key, as a
 * gateway client does. Afterwards every acknowledged command is in the log exactly once, the hash chain verifies,
 * (`admin verify`), and the live read models (which caught up after each restart) equal an `admin rebuild` from the log.
 * CI sizes by default; LIANGXIN_SOAK=1 runs bigger ones. CRASH_LOOP_REPORT=<file> writes the figures as JSON.
 */
const SOAK = process.env['LIANGXIN_SOAK'] === '1';
const CRASHES = 3;
const CLIENTS = SOAK ? 16 : 4;
/** acknowledged commands between two crashes */
const ACKS_PER_ROUND = SOAK ? 400 : 24;
const COMMANDS = (CRASHES + 1) * ACKS_PER_ROUND;
const DISTRICT = '430111';
const ADMIN_TOKEN = 'crash-loop-admin-token';
const ROOT = resolve(__dirname, '../../..');

/** The admin CLI (`npm run admin -- <command> --json`) on the data folder, as an operator runs it. */
async function admin(dataDir: string, ...argv: string[]): Promise<{ exitCode: number; json: unknown }> {
  const outcome = await promisify(execFile)(process.execPath, ['-r', join(ROOT, 'tools/register.js'), join(ROOT, 'apps/admin/src/main.ts'), ...argv, '--json'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir },
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout }) => ({ exitCode: 0, stdout }),
    (error: { code?: number; stdout?: string }) => ({ exitCode: error.code ?? -1, stdout: error.stdout ?? '' }),
  );
  return { exitCode: outcome.exitCode, json: JSON.parse(outcome.stdout) };
}

interface Acknowledged {
  key: string;
  creditCode: string;
  position: number;
}

class EmbeddedProcess {
  private child?: ChildProcess;
  private output = '';
  private upSignal?: { promise: Promise<void>; resolve: () => void };
  readonly url: string;

  constructor(
    private readonly dataDir: string,
    private readonly port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.resetUpSignal();
  }

  private resetUpSignal() {
    let resolveUp!: () => void;
    const promise = new Promise<void>((r) => (resolveUp = r));
    this.upSignal = { promise, resolve: resolveUp };
  }

  /** resolves once the system answers (the next time it is up) */
  whenUp(): Promise<void> {
    return (this.upSignal as { promise: Promise<void> }).promise;
  }

  async start(): Promise<void> {
    this.output = '';
    const child = spawn(process.execPath, ['-r', join(ROOT, 'tools/register.js'), join(ROOT, 'apps/embedded/src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(this.port), DATA_DIR: this.dataDir, ADMIN_TOKEN, JWT_SECRET: 'crash-loop-secret', DURABILITY: 'fsync' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the embedded system exited with ${child.exitCode}:\n${this.output}`);
      try {
        if ((await fetch(`${this.url}/health`)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the embedded system did not come up:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    this.upSignal?.resolve();
  }

  async kill9(): Promise<void> {
    this.resetUpSignal();
    await this.terminate('SIGKILL');
  }

  async stop(): Promise<void> {
    this.resetUpSignal();
    await this.terminate('SIGTERM');
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
    expect([signal, 0]).toContain(child.signalCode ?? child.exitCode);
  }
}

describe('crash loop: the embedded system SIGKILLed under concurrent load', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'liangxin-crash-loop-'));
  let system: EmbeddedProcess;

  afterAll(async () => {
    await system?.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`loses nothing and applies nothing twice across ${CRASHES} crashes (${CLIENTS} clients, ${COMMANDS} commands)`, async () => {
    system = new EmbeddedProcess(dataDir, await freePort());
    await system.start();

    const acknowledged: Acknowledged[] = [];
    const refused: string[] = [];
    let next = 0;
    /** one client: takes the next command and sends it until acknowledged, waiting out crashes */
    const client = async () => {
      for (let serial = next++; serial < COMMANDS; serial = next++) {
        const key = `crash-loop-${serial}`;
        const creditCode = generateCreditCode(DISTRICT, 1_000 + serial);
        const body = { creditCode, name: `崩溃测试企业${serial}`, kind: 'enterprise', employees: 10 + (serial % 50), fullMembers: serial % 5, probationaryMembers: serial % 2 };
        for (;;) {
          let response: Response;
          try {
            response = await fetch(`${system.url}/api/enterprises`, {
              method: 'POST',
              headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', 'idempotency-key': key },
              body: JSON.stringify(body),
            });
          } catch {
            await system.whenUp();
            continue;
          }
          const reply = (await response.json().catch(() => ({}))) as { position?: number };
          if (response.status === 201 && typeof reply.position === 'number') {
            acknowledged.push({ key, creditCode, position: reply.position });
            break;
          }
          // shutting down or restarting, or too fast for a rate limit: the same command again, a little later
          if (response.status === 503 || response.status === 429) {
            await new Promise((r) => setTimeout(r, Math.min(2_000, 1_000 * (Number(response.headers.get('retry-after')) || 0.1))));
            continue;
          }
          refused.push(`${key}: ${response.status} ${JSON.stringify(reply)}`);
          break;
        }
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, client));

    for (let crash = 1; crash <= CRASHES; crash++) {
      while (acknowledged.length < crash * ACKS_PER_ROUND) await new Promise((r) => setTimeout(r, 20));
      await system.kill9();
      await system.start();
    }
    await load;
    expect(refused).toEqual([]);
    expect(acknowledged).toHaveLength(COMMANDS);

    // quiet: the reactions to the last registrations appended and the live read models caught up with them
    let last = -1;
    for (let stable = 0; stable < 3; ) {
      const health = (await (await fetch(`${system.url}/health`)).json()) as { info: { eventStore: { head: number }; readModels: { lag: number } } };
      const head = health.info.eventStore.head;
      stable = head === last && health.info.readModels.lag === 0 ? stable + 1 : 0;
      last = head;
      await new Promise((r) => setTimeout(r, 500));
    }
    await system.stop();

    const events = SqliteEventStore.openReader({ file: join(dataDir, 'events.sqlite') });
    const registered = new Map<string, RecordedEvent[]>();
    try {
      for (let after = 0; ; ) {
        const page = await events.readAll({ after, types: ['EnterpriseRegistered'], limit: 1_000 });
        if (page.length === 0) break;
        for (const event of page) {
          const commandKey = event.metadata.commandId?.split(':').at(-1) ?? '';
          registered.set(commandKey, [...(registered.get(commandKey) ?? []), event]);
        }
        after = page[page.length - 1].globalPosition;
      }
    } finally {
      await events.close();
    }
    const lost = acknowledged.filter((a) => !registered.has(a.key)).map((a) => a.key);
    const doubled = [...registered].filter(([, found]) => found.length > 1).map(([key]) => key);
    const misplaced = acknowledged.filter((a) => registered.get(a.key)?.[0].globalPosition !== a.position).map((a) => a.key);

    const verified = await admin(dataDir, 'verify');
    const verify = verified.json as { ok: boolean; eventsChecked: number };
    const readModels = SqliteReadModelStore.open(dataDir, READ_MODELS_FILE);
    const live: Record<string, string> = {};
    try {
      for (const projection of allProjections({ coverage: { target: 0.75 } })) live[projection.name] = await projectionContentHash(readModels, projection);
    } finally {
      await readModels.close();
    }
    const rebuilt = (await admin(dataDir, 'rebuild')).json as { contentHashes: Record<string, string> };
    const readModelsEqualRebuild = JSON.stringify(live) === JSON.stringify(rebuilt.contentHashes);

    const summary = { crashes: CRASHES, clients: CLIENTS, acknowledged: acknowledged.length, lost: lost.length, doubled: doubled.length, verify: verify.ok, readModelsEqualRebuild };
    if (process.env['CRASH_LOOP_REPORT']) writeFileSync(process.env['CRASH_LOOP_REPORT'], `${JSON.stringify(summary, null, 2)}\n`);

    expect(lost).toEqual([]);
    expect(doubled).toEqual([]);
    expect(misplaced).toEqual([]);
    expect(verified.exitCode).toBe(0);
    expect(verify).toMatchObject({ ok: true });
    expect(verify.eventsChecked).toBeGreaterThanOrEqual(COMMANDS);
    expect(rebuilt.contentHashes).toEqual(live);
    expect(summary).toMatchObject({ acknowledged: COMMANDS, lost: 0, doubled: 0, verify: true, readModelsEqualRebuild: true });
  }, SOAK ? 1_800_000 : 600_000);
});
