import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, INestMicroservice, Type } from '@nestjs/common';
import type { ActorScope, CommandEnvelope, CommandReply } from '@liangxin/contracts';
import { SqliteEventStore, withUpcasting } from '@liangxin/event-store';
import { InProcessBus, InProcessClient, InProcessServer, type InProcessServerOptions, RemoteCommandError, SqliteCheckpointStore, SqliteDeadLetterStore } from '@liangxin/transport';
import { firstValueFrom } from 'rxjs';
import { SYSTEM_SCOPE } from '../actor-scope';
import { loadConfig } from '../config';
import { startServiceApp } from '../service-app';

export interface ServiceTestbedOptions {
  /** the service's name, also its consumer name */
  name: string;
  module: Type | DynamicModule;
  /** who the test's commands claim to be */
  actor?: string;
  /** where the test's commands may act (default: everywhere, as the system's own workflows) */
  scope?: ActorScope;
  /** overrides of the in-process consumer (fewer deliveries, no backoff, a checkpoint per event…) */
  server?: Partial<Omit<InProcessServerOptions, 'consumer' | 'store' | 'checkpoints' | 'deadLetters' | 'bus'>>;
}

/**
 * One service as the embedded system runs it, for its integration tests: a real SQLite event store,
 * checkpoints and dead letters in a temporary folder, the in-process transport, and a client that
 * sends commands as the gateway does. Nothing is mocked.
 */
export class ServiceTestbed {
  readonly store: SqliteEventStore;
  readonly checkpoints: SqliteCheckpointStore;
  readonly deadLetters: SqliteDeadLetterStore;
  private readonly dir: string;
  private bus = new InProcessBus();
  private client = new InProcessClient(this.bus);
  private app: INestMicroservice | undefined;
  private commands = 0;

  private constructor(private readonly options: ServiceTestbedOptions) {
    this.dir = mkdtempSync(join(tmpdir(), `liangxin-${options.name}-`));
    this.store = withUpcasting(SqliteEventStore.open({ file: join(this.dir, 'events.sqlite'), durability: 'os', pollIntervalMs: 10 }));
    this.checkpoints = new SqliteCheckpointStore({ file: join(this.dir, 'consumers.sqlite') });
    this.deadLetters = new SqliteDeadLetterStore({ file: join(this.dir, 'consumers.sqlite') });
  }

  static async start(options: ServiceTestbedOptions): Promise<ServiceTestbed> {
    const testbed = new ServiceTestbed(options);
    await testbed.startService();
    return testbed;
  }

  /** Starts the service (again, after stopService): a fresh bus, so it resumes from its checkpoint like a restarted process. */
  async startService(): Promise<void> {
    this.bus = new InProcessBus();
    this.client = new InProcessClient(this.bus);
    const { name, module } = this.options;
    const strategy = new InProcessServer({ consumer: name, store: this.store, checkpoints: this.checkpoints, deadLetters: this.deadLetters, bus: this.bus, ...this.options.server });
    this.app = await startServiceApp({ name, module, config: loadConfig({ DATA_DIR: this.dir }), eventStore: this.store, strategy, logger: false });
  }

  async stopService(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }

  /** Sends a command as the gateway would, with a fresh command id unless one is given (to show idempotency). */
  send<R extends object = object>(pattern: string, payload: object, commandId = `cmd-${++this.commands}`): Promise<CommandReply<R>> {
    const envelope: CommandEnvelope<object> = { payload, scope: this.options.scope ?? SYSTEM_SCOPE, metadata: { actor: this.options.actor ?? 'officer:test', commandId } };
    return firstValueFrom(this.client.send<CommandReply<R>, CommandEnvelope<object>>(pattern, envelope));
  }

  /** Asks a query pattern (no command envelope: queries change nothing). */
  query<R>(pattern: string, payload: object): Promise<R> {
    return firstValueFrom(this.client.send<R, object>(pattern, payload));
  }

  /** The code of the rule a command broke; fails the test if the command was accepted or failed otherwise. */
  async refusalCode(pattern: string, payload: object): Promise<string> {
    try {
      await this.send(pattern, payload);
    } catch (error) {
      if (error instanceof RemoteCommandError) return error.code;
      throw error;
    }
    throw new Error(`${pattern} was accepted`);
  }

  /** Resolves once the service's consumer has applied everything in the store. */
  async caughtUp(timeoutMs = 5_000): Promise<void> {
    await this.bus.waitUntilApplied(this.options.name, await this.store.headPosition(), timeoutMs);
  }

  async close(): Promise<void> {
    await this.stopService();
    await this.store.close();
    await this.checkpoints.close();
    await this.deadLetters.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
