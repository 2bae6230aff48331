import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestMicroservice } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { EVENT_SOURCES, RegistryCommands } from '@liangxin/contracts';
import { SqliteEventStore } from '@liangxin/event-store';
import { FormationServiceModule } from '@liangxin/formation-service';
import { loadConfig, startServiceApp, SYSTEM_SCOPE } from '@liangxin/platform';
import { generateCreditCode } from '@liangxin/registry-domain';
import { RegistryServiceModule } from '@liangxin/registry-service';
import { JetStreamClient, JetStreamServer, RemoteCommandError, type SourceLog, SqliteCheckpointStore, StoreForwarder } from '@liangxin/transport';
import { NatsServerProcess } from '@liangxin/transport/testing';
import { firstValueFrom } from 'rxjs';

/**
 * Distributed mode as far as it runs on this machine: registry and formation as separate Nest apps,
 * talking only through a real nats-server (JetStream for events, request/reply for commands).
 * KurrentDB cannot run here, so both share one SQLite store through the same port.
 */
describe('registry → formation over a real nats-server (JetStream)', () => {
  const DISTRICT = '430104';
  const dir = mkdtempSync(join(tmpdir(), 'liangxin-nats-services-'));
  const config = loadConfig({ DATA_DIR: dir, MAX_DELIVERIES: '3' });
  let nats: NatsServerProcess;
  let forwarderConnection: NatsConnection;
  let store: SqliteEventStore;
  let checkpoints: SqliteCheckpointStore;
  let forwarder: StoreForwarder;
  let client: JetStreamClient;
  const apps: INestMicroservice[] = [];
  const registrySource = (): SourceLog => ({ name: 'registry', store, streamPrefixes: EVENT_SOURCES.registry });

  beforeAll(async () => {
    nats = await NatsServerProcess.start();
    store = SqliteEventStore.open({ file: join(dir, 'events.sqlite'), durability: 'os', pollIntervalMs: 20 });
    checkpoints = new SqliteCheckpointStore({ file: join(dir, 'consumers.sqlite') });
    forwarderConnection = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    forwarder = new StoreForwarder({ source: registrySource(), connection: forwarderConnection, checkpoints, publishTimeoutMs: 1_000, retryDelayMs: 100 });
    await forwarder.start();

    const serve = (name: 'registry' | 'formation', module: typeof RegistryServiceModule, sources: SourceLog[]) =>
      startServiceApp({
        name,
        module,
        config,
        eventStore: store,
        logger: false,
        strategy: new JetStreamServer({ servers: nats.url, service: name, sources, checkpoints, maxDeliveries: 3, pullExpiresMs: 1_000, lagCheckIntervalMs: 200, lagToleranceMs: 2_000 }),
      });
    apps.push(await serve('registry', RegistryServiceModule, []), await serve('formation', FormationServiceModule, [registrySource()]));
    client = new JetStreamClient({ servers: nats.url, timeoutMs: 2_000 });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    for (const app of apps.reverse()) await app.close();
    await forwarder?.stop();
    await forwarderConnection?.close();
    await checkpoints?.close();
    await store?.close();
    await nats?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A caller that retries with the same command id while the broker is away, as the gateway's clients do. */
  async function register(serial: number): Promise<number> {
    const creditCode = generateCreditCode(DISTRICT, serial);
    const envelope = {
      payload: { creditCode, name: `企业${serial}`, kind: 'enterprise', employees: 20, fullMembers: 3, probationaryMembers: 0 },
      scope: SYSTEM_SCOPE,
      metadata: { actor: 'officer:test', commandId: `register-${serial}` },
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const reply = await firstValueFrom(client.send<{ position: number }>(RegistryCommands.RegisterEnterprise, envelope));
        return reply.position;
      } catch (error) {
        const unavailable = error instanceof RemoteCommandError && error.kind === 'unavailable';
        if (!unavailable || attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async function orgsFormed(): Promise<string[]> {
    const formed = await store.readAll({ types: ['OrgFormed'], limit: 10_000 });
    return formed.flatMap((e) => (e.data as { enterprises: { creditCode: string }[] }).enterprises.map((x) => x.creditCode));
  }

  async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('forms one standalone branch per registration, with none lost or doubled across a SIGKILL of the broker', async () => {
    for (let serial = 1; serial <= 10; serial++) await register(serial);
    await eventually('the first ten branches', async () => (await orgsFormed()).length >= 10);

    await nats.kill9();
    const whileDown = Promise.all(Array.from({ length: 10 }, (_, i) => register(11 + i)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await nats.restart();
    await whileDown;
    for (let serial = 21; serial <= 30; serial++) await register(serial);

    const expected = Array.from({ length: 30 }, (_, i) => generateCreditCode(DISTRICT, i + 1)).sort();
    await eventually('thirty branches', async () => (await orgsFormed()).length >= 30);
    // Give redeliveries after the restart time to arrive: they must change nothing.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const covered = await orgsFormed();
    expect([...covered].sort()).toEqual(expected);
    expect(new Set(covered).size).toBe(covered.length);
    const registrations = await store.readAll({ types: ['EnterpriseRegistered'], limit: 10_000 });
    expect(registrations).toHaveLength(30);
  });

  it('answers a broken rule over NATS with its code and field, and appends nothing', async () => {
    const head = await store.headPosition();
    const envelope = { payload: { creditCode: '91350100M000100Y44', name: 'x', kind: 'enterprise', employees: 1, fullMembers: 0, probationaryMembers: 0 }, scope: SYSTEM_SCOPE, metadata: { actor: 'officer:test', commandId: 'bad-1' } };
    const error = await firstValueFrom(client.send(RegistryCommands.RegisterEnterprise, envelope)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteCommandError);
    expect((error as RemoteCommandError).getError()).toMatchObject({ code: 'INVALID_CREDIT_CODE', field: 'creditCode', kind: 'invalid' });
    expect(await store.headPosition()).toBe(head);
  });
});
