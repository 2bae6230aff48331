import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enterpriseStreamId, FormationCommands, type OrgFormed, type RecordedEvent } from '@liangxin/contracts';
import { SqliteEventStore } from '@liangxin/event-store';
import { FormationServiceModule } from '@liangxin/formation-service';
import { loadConfig, startDistributedService, SYSTEM_SCOPE } from '@liangxin/platform';
import { generateCreditCode } from '@liangxin/registry-domain';
import { JetStreamClient, SqliteCheckpointStore } from '@liangxin/transport';
import { freePort, NatsServerProcess } from '@liangxin/transport/testing';
import { firstValueFrom } from 'rxjs';

const DISTRICT = '430105';

/**
 * A distributed service started while its NATS server is down waits (retrying with backoff) instead of exiting, and
 * once the server is up it serves and catches up with what its sources appended meanwhile. The app is the one
 * apps/formation/src/main.ts starts; a SQLite file stands in for KurrentDB and MongoDB, which cannot run here.
 */
describe('a distributed service started before its nats-server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liangxin-startup-'));
  let nats: NatsServerProcess;
  let store: SqliteEventStore;
  let checkpoints: SqliteCheckpointStore;
  let client: JetStreamClient | undefined;
  let service: { close(): Promise<void> } | undefined;

  afterAll(async () => {
    await client?.close();
    await service?.close();
    await checkpoints?.close();
    await store?.close();
    await nats?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const register = (serial: number, fullMembers: number) => {
    const creditCode = generateCreditCode(DISTRICT, serial);
    return store.append(
      enterpriseStreamId(creditCode),
      [
        {
          type: 'EnterpriseRegistered',
          schemaVersion: 1,
          data: { creditCode, district: DISTRICT, name: `企业${serial}`, kind: 'enterprise', employees: 20, fullMembers, probationaryMembers: 0 },
          metadata: { actor: 'officer:registrar' },
        },
      ],
      { expected: 'no_stream' },
    );
  };
  const formedFor = async (creditCode: string) =>
    (await store.readAll({ types: ['OrgFormed'] })).find((e) => (e as RecordedEvent<OrgFormed>).data.enterprises.some((x) => x.creditCode === creditCode)) as
      | RecordedEvent<OrgFormed>
      | undefined;
  const eventually = async <T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('waits while NATS is down, then comes up, serves commands and forms the branches of enterprises registered meanwhile', async () => {
    nats = await NatsServerProcess.start();
    await nats.stop();
    store = SqliteEventStore.open({ file: join(dir, 'events.sqlite'), durability: 'os', pollIntervalMs: 20 });
    checkpoints = new SqliteCheckpointStore({ file: join(dir, 'consumers.sqlite') });
    const port = await freePort();
    const config = { ...loadConfig({ DATA_DIR: dir, PORT: String(port) }), mode: 'distributed' as const, natsUrl: nats.url };
    const before = generateCreditCode(DISTRICT, 1);
    await register(1, 3);

    let started = false;
    const starting = startDistributedService({
      name: 'formation',
      module: FormationServiceModule,
      consumes: ['registry', 'formation'],
      config,
      logger: false,
      stores: {
        eventStore: { name: 'the event store (SQLite)', open: async () => store },
        readModelStore: { name: 'the checkpoints (SQLite)', open: async () => ({ checkpoints, close: async () => undefined }) },
      },
      backoff: { initialDelayMs: 100, maxDelayMs: 400 },
    }).then((running) => {
      started = true;
      service = running;
      return running;
    });

    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(started).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    const meanwhile = generateCreditCode(DISTRICT, 2);
    await register(2, 4);

    await nats.restart();
    await starting;
    expect(started).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);

    const formedBefore = await eventually('the branch of the enterprise registered before the start', () => formedFor(before));
    const formedMeanwhile = await eventually('the branch of the enterprise registered while NATS was down', () => formedFor(meanwhile));
    expect(formedMeanwhile.data.district).toBe(DISTRICT);

    client = new JetStreamClient({ servers: nats.url, timeoutMs: 10_000 });
    await client.connect();
    const reply = await firstValueFrom(
      client.send<{ position: number }>(FormationCommands.AssignSecretary, {
        payload: { orgId: formedBefore.data.orgId, person: { personId: 'p-1', name: '王书记' } },
        scope: SYSTEM_SCOPE,
        metadata: { actor: 'officer:test', commandId: 'assign-after-start' },
      }),
    );
    expect(reply.position).toBeGreaterThan(formedMeanwhile.globalPosition);
    expect((await store.readStream(`org-${formedBefore.data.orgId}`)).map((e) => e.type)).toContain('SecretaryAssigned');

    // a refusal travels back as the domain's error, not as an internal one (the gateway answers it with 4xx, not 500)
    const refusal = await firstValueFrom(
      client.send(FormationCommands.AssignSecretary, {
        payload: { orgId: 'no-such-org', person: { personId: 'p-2', name: '李书记' } },
        scope: SYSTEM_SCOPE,
        metadata: { actor: 'officer:test', commandId: 'assign-to-nothing' },
      }),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toMatchObject({ code: 'ORG_NOT_FOUND', kind: 'not_found' });
  }, 90_000);
});
