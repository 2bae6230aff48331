import { Controller, Inject, Logger, type INestMicroservice } from '@nestjs/common';
import { ClientProxy, ClientsModule, Ctx, EventPattern, MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { NewEvent, RecordedEvent } from '@liangxin/contracts';
import { DomainError } from '@liangxin/event-sourcing';
import { SqliteEventStore } from '@liangxin/event-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import type { CheckpointStore, ConsumerCheckpoint } from '../checkpoints/checkpoint-store';
import { SqliteCheckpointStore } from '../checkpoints/sqlite-checkpoint-store';
import { SqliteDeadLetterStore } from '../checkpoints/sqlite-dead-letter-store';
import { InProcessBus } from './in-process-bus';
import { InProcessClient } from './in-process-client';
import { InProcessContext } from './in-process-context';
import { InProcessServer, type InProcessServerOptions } from './in-process-server';
import { RemoteCommandError, WireErrorFilter } from '../wire-error';
import { DeadLetterNotFound } from '../dead-letters';
import { InProcessDeadLetters } from './in-process-dead-letters';

/**
 * What the test service has done, kept outside the Nest app so it outlives a restart, like a
 * read model on disk. Applying an event twice is harmless: applied positions are remembered.
 */
class Ledger {
  readonly calls: Array<{ position: number; type: string; attempt: number }> = [];
  readonly appliedPositions = new Set<number>();
  readonly applied: Array<{ position: number; type: string }> = [];
  readonly members = new Map<string, number>();
  poisonHealed = false;

  apply(event: RecordedEvent, change: () => void): void {
    if (this.appliedPositions.has(event.globalPosition)) return;
    change();
    this.appliedPositions.add(event.globalPosition);
    this.applied.push({ position: event.globalPosition, type: event.type });
  }
}

const LEDGER = Symbol('LEDGER');

@Controller()
class EnterpriseLedgerController {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

  @EventPattern('EnterpriseRegistered')
  onRegistered(@Payload() event: RecordedEvent, @Ctx() context: InProcessContext): void {
    this.ledger.calls.push({ position: event.globalPosition, type: event.type, attempt: context.getAttempt() });
    if (event.data['poison'] === true && !this.ledger.poisonHealed) throw new Error('cannot apply a poisoned registration');
    this.ledger.apply(event, () => this.ledger.members.set(String(event.data['creditCode']), Number(event.data['fullMembers'])));
  }

  @EventPattern('MemberCountChanged')
  async onMemberCountChanged(@Payload() event: RecordedEvent, @Ctx() context: InProcessContext): Promise<void> {
    this.ledger.calls.push({ position: event.globalPosition, type: event.type, attempt: context.getAttempt() });
    await new Promise((resolve) => setImmediate(resolve));
    this.ledger.apply(event, () => this.ledger.members.set(String(event.data['creditCode']), Number(event.data['fullMembers'])));
  }

  @MessagePattern('registry.members')
  members(@Payload() query: { creditCode: string; askedAt: unknown }): { creditCode: string; fullMembers: number; askedAtType: string } {
    const fullMembers = this.ledger.members.get(query.creditCode);
    if (fullMembers === undefined) {
      throw new DomainError('ENTERPRISE_NOT_FOUND', `No enterprise ${query.creditCode} in the register`, 'creditCode', 'not_found');
    }
    return { creditCode: query.creditCode, fullMembers, askedAtType: typeof query.askedAt };
  }

  @MessagePattern('registry.crash')
  crash(): never {
    throw new Error('database password is hunter2');
  }
}

const registered = (creditCode: string, fullMembers: number, extra: Record<string, unknown> = {}): NewEvent => ({
  type: 'EnterpriseRegistered',
  schemaVersion: 1,
  data: { creditCode, fullMembers, ...extra },
  metadata: { actor: 'system:test' },
});
const membersChanged = (creditCode: string, fullMembers: number): NewEvent => ({
  type: 'MemberCountChanged',
  schemaVersion: 1,
  data: { creditCode, fullMembers },
  metadata: { actor: 'system:test' },
});
const unrelated = (): NewEvent => ({ type: 'OrgFormed', schemaVersion: 1, data: { orgId: 'o1' }, metadata: { actor: 'system:test' } });

describe('InProcessServer and InProcessClient under a Nest microservice', () => {
  let dir: string;
  let store: SqliteEventStore;
  let checkpoints: SqliteCheckpointStore;
  let deadLetters: SqliteDeadLetterStore;
  let bus: InProcessBus;
  let ledger: Ledger;
  const running: INestMicroservice[] = [];

  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liangxin-in-process-'));
    store = SqliteEventStore.open({ file: join(dir, 'events.sqlite'), durability: 'os', pollIntervalMs: 20 });
    checkpoints = new SqliteCheckpointStore({ file: join(dir, 'consumers.sqlite') });
    deadLetters = new SqliteDeadLetterStore({ file: join(dir, 'consumers.sqlite') });
    bus = new InProcessBus();
    ledger = new Ledger();
  });

  afterEach(async () => {
    for (const app of running.splice(0)) await app.close();
    await store.close();
    await checkpoints.close();
    await deadLetters.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function startService(overrides: Partial<InProcessServerOptions> = {}): Promise<{ app: INestMicroservice; server: InProcessServer }> {
    const server = new InProcessServer({
      consumer: 'ledger',
      store,
      checkpoints,
      deadLetters,
      bus,
      maxDeliveries: 3,
      retryBackoffMs: 1,
      checkpointEvery: 1,
      ...overrides,
    });
    const moduleRef = await Test.createTestingModule({
      controllers: [EnterpriseLedgerController],
      providers: [{ provide: LEDGER, useValue: ledger }],
    }).compile();
    const app = moduleRef.createNestMicroservice({ strategy: server, logger: false });
    app.useGlobalFilters(new WireErrorFilter());
    await app.listen();
    running.push(app);
    return { app, server };
  }

  async function stop(app: INestMicroservice): Promise<void> {
    running.splice(running.indexOf(app), 1);
    await app.close();
  }

  const appendedHead = async () => store.headPosition();
  const callsAt = (position: number) => ledger.calls.filter((call) => call.position === position).length;

  it('delivers events appended to the store to their handlers in global order, with the envelope', async () => {
    await startService();
    await store.append('enterprise-A', [registered('A', 1)], { expected: 'no_stream' });
    await store.append('enterprise-B', [registered('B', 4)], { expected: 'no_stream' });
    await store.append('formation-x', [unrelated()], { expected: 'any' });
    await store.append('enterprise-A', [membersChanged('A', 2), membersChanged('A', 3)], { expected: 0 });
    await bus.waitUntilApplied('ledger', await appendedHead(), 5000);

    expect(ledger.applied).toEqual([
      { position: 1, type: 'EnterpriseRegistered' },
      { position: 2, type: 'EnterpriseRegistered' },
      { position: 4, type: 'MemberCountChanged' },
      { position: 5, type: 'MemberCountChanged' },
    ]);
    expect(ledger.members.get('A')).toBe(3);
    expect(await checkpoints.load<ConsumerCheckpoint>('ledger')).toEqual({ position: 5 });
  });

  it('after a restart resumes from its checkpoint: nothing applied is redelivered, events appended while stopped arrive', async () => {
    const first = await startService();
    await store.append('enterprise-A', [registered('A', 1), membersChanged('A', 2)], { expected: 'no_stream' });
    await bus.waitUntilApplied('ledger', 2, 5000);
    await stop(first.app);

    await store.append('enterprise-B', [registered('B', 5)], { expected: 'no_stream' });
    await store.append('enterprise-A', [membersChanged('A', 3)], { expected: 1 });
    const second = await startService();
    await bus.waitUntilApplied('ledger', 4, 5000);

    expect(ledger.calls.map((call) => call.position)).toEqual([1, 2, 3, 4]);
    expect(second.server.appliedPosition).toBe(4);
    expect(ledger.members).toEqual(new Map([['A', 3], ['B', 5]]));
  });

  it('a crash between handling and checkpointing redelivers, and the idempotent consumer applies each event once', async () => {
    // The first run dies after handling events 3 and 4 but before their checkpoints reach disk.
    const crashing: CheckpointStore = {
      load: (name) => checkpoints.load(name),
      save: async (name, value) => {
        if ((value as ConsumerCheckpoint).position <= 2) await checkpoints.save(name, value);
      },
    };
    const first = await startService({ checkpoints: crashing });
    await store.append('enterprise-A', [registered('A', 1), membersChanged('A', 2), membersChanged('A', 3), membersChanged('A', 4)], {
      expected: 'no_stream',
    });
    await bus.waitUntilApplied('ledger', 4, 5000);
    await stop(first.app);
    expect(await checkpoints.load('ledger')).toEqual({ position: 2 });

    const restartedBus = new InProcessBus();
    bus = restartedBus;
    await startService();
    await restartedBus.waitUntilApplied('ledger', 4, 5000);

    expect([callsAt(1), callsAt(2), callsAt(3), callsAt(4)]).toEqual([1, 1, 2, 2]);
    expect(ledger.applied.map((a) => a.position)).toEqual([1, 2, 3, 4]);
    expect(ledger.members.get('A')).toBe(4);
  });

  it('a checkpoint that fails to save makes the consumer resume before that event, within the same run', async () => {
    let failOnce = true;
    const flaky: CheckpointStore = {
      load: (name) => checkpoints.load(name),
      save: async (name, value) => {
        if ((value as ConsumerCheckpoint).position === 2 && failOnce) {
          failOnce = false;
          throw new Error('disk full');
        }
        await checkpoints.save(name, value);
      },
    };
    const { server } = await startService({ checkpoints: flaky });
    const errors: unknown[] = [];
    server.on('error', (error) => errors.push(error));
    await store.append('enterprise-A', [registered('A', 1), membersChanged('A', 2), membersChanged('A', 3)], { expected: 'no_stream' });
    await bus.waitUntilApplied('ledger', 3, 5000);

    expect(errors).toHaveLength(1);
    expect(callsAt(2)).toBe(2);
    expect(ledger.applied.map((a) => a.position)).toEqual([1, 2, 3]);
    expect(await checkpoints.load('ledger')).toEqual({ position: 3 });
  });

  it('while catching up on history saves the checkpoint every N events and once caught up', async () => {
    const saved: number[] = [];
    const counting: CheckpointStore = {
      load: (name) => checkpoints.load(name),
      save: async (name, value) => {
        saved.push((value as ConsumerCheckpoint).position);
        await checkpoints.save(name, value);
      },
    };
    await store.append('enterprise-A', [registered('A', 1), ...[2, 3, 4, 5, 6, 7].map((n) => membersChanged('A', n))], { expected: 'no_stream' });
    await startService({ checkpoints: counting, checkpointEvery: 3 });
    await bus.waitUntilApplied('ledger', 7, 5000);
    await store.append('enterprise-A', [membersChanged('A', 8)], { expected: 6 });
    await bus.waitUntilApplied('ledger', 8, 5000);
    // the caught-up save runs just after the event is reported applied
    while (saved.at(-1) !== 8) await new Promise((resolve) => setTimeout(resolve, 5));

    expect(saved).toEqual([3, 6, 7, 8]);
    expect(ledger.members.get('A')).toBe(8);
  });

  it('parks a poison event after maxDeliveries tries, keeps the next events flowing, and can retry it', async () => {
    const { server } = await startService();
    await store.append('enterprise-A', [registered('A', 1)], { expected: 'no_stream' });
    await store.append('enterprise-P', [registered('P', 9, { poison: true })], { expected: 'no_stream' });
    await store.append('enterprise-B', [registered('B', 2)], { expected: 'no_stream' });
    await bus.waitUntilApplied('ledger', 3, 5000);

    expect(ledger.applied.map((a) => a.position)).toEqual([1, 3]);
    expect(ledger.calls.filter((c) => c.position === 2).map((c) => c.attempt)).toEqual([1, 2, 3]);
    const [letter, ...others] = await server.listDeadLetters();
    expect(others).toEqual([]);
    expect(letter).toMatchObject({ consumer: 'ledger', attempts: 3, event: { globalPosition: 2, streamId: 'enterprise-P' } });
    expect(letter.error).toContain('cannot apply a poisoned registration');
    expect(await checkpoints.load('ledger')).toEqual({ position: 3 });

    await expect(bus.retryDeadLetter('ledger', letter.id)).resolves.toMatchObject({ status: 'failed', attempts: 4 });
    expect(await deadLetters.get(letter.id)).toMatchObject({ attempts: 4 });

    ledger.poisonHealed = true;
    await expect(bus.retryDeadLetter('ledger', letter.id)).resolves.toEqual({ status: 'applied' });
    expect(ledger.members.get('P')).toBe(9);
    expect(await server.listDeadLetters()).toEqual([]);
    await expect(bus.retryDeadLetter('nobody', letter.id)).rejects.toThrow(/not running/);
  });

  it('shows admins parked events as DeadLetterViews and retries or discards them by id', async () => {
    await startService();
    await store.append('enterprise-P', [registered('P', 9, { poison: true })], { expected: 'no_stream' });
    await store.append('enterprise-Q', [registered('Q', 4, { poison: true })], { expected: 'no_stream' });
    await bus.waitUntilApplied('ledger', 2, 5000);
    const admin = new InProcessDeadLetters({ bus, deadLetters });
    const [poisonP] = await store.readStream('enterprise-P');

    const views = await admin.list({ consumer: 'ledger' });
    expect(views).toHaveLength(2);
    expect(views[0]).toEqual({
      id: expect.stringMatching(/^\d+$/),
      consumer: 'ledger',
      eventType: 'EnterpriseRegistered',
      eventId: poisonP.eventId,
      globalPosition: 1,
      error: expect.stringContaining('cannot apply a poisoned registration'),
      attempts: 3,
      firstParkedAt: expect.any(String),
      lastAttemptAt: expect.any(String),
    });
    expect(await admin.list({ consumer: 'ledger', limit: 1 })).toEqual([views[0]]);
    expect(await admin.list({ consumer: 'somebody-else' })).toEqual([]);

    await expect(admin.retry(views[0].id)).resolves.toMatchObject({ status: 'failed', attempts: 4 });
    ledger.poisonHealed = true;
    await expect(admin.retry(views[0].id)).resolves.toEqual({ status: 'applied' });
    expect(ledger.members.get('P')).toBe(9);
    await admin.discard(views[1].id);
    expect(await admin.list()).toEqual([]);
    expect(ledger.members.has('Q')).toBe(false);

    await expect(admin.retry(views[0].id)).rejects.toBeInstanceOf(DeadLetterNotFound);
    await expect(admin.discard('not-an-id')).rejects.toBeInstanceOf(DeadLetterNotFound);
  });

  it('answers requests through the client, as JSON, and carries domain errors as { code, message, field, kind }', async () => {
    await startService();
    await store.append('enterprise-A', [registered('A', 3)], { expected: 'no_stream' });
    await bus.waitUntilApplied('ledger', 1, 5000);
    const client = new InProcessClient(bus);

    await expect(firstValueFrom(client.send('registry.members', { creditCode: 'A', askedAt: new Date(0) }))).resolves.toEqual({
      creditCode: 'A',
      fullMembers: 3,
      askedAtType: 'string',
    });

    const notFound = await firstValueFrom(client.send('registry.members', { creditCode: 'Z', askedAt: null })).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(RemoteCommandError);
    expect(notFound).toBeInstanceOf(RpcException);
    expect((notFound as RpcException).getError()).toEqual({
      code: 'ENTERPRISE_NOT_FOUND',
      message: 'No enterprise Z in the register',
      field: 'creditCode',
      kind: 'not_found',
    });

    const crash = await lastValueFrom(client.send('registry.crash', {})).catch((e: unknown) => e);
    expect((crash as RpcException).getError()).toEqual({ code: 'INTERNAL', message: 'Internal server error', kind: 'internal' });

    const unknown = await firstValueFrom(client.send('registry.nothing', {})).catch((e: unknown) => e);
    expect((unknown as RpcException).getError()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', kind: 'unavailable' });

    await expect(lastValueFrom(client.emit('EnterpriseRegistered', {}))).rejects.toThrow(/append them to the store/);
  });

  it('registers with ClientsModule as a custom client class, for injection by name', async () => {
    await startService();
    await store.append('enterprise-A', [registered('A', 7)], { expected: 'no_stream' });
    await bus.waitUntilApplied('ledger', 1, 5000);
    const callerModule = await Test.createTestingModule({
      imports: [ClientsModule.register([{ name: 'REGISTRY', customClass: InProcessClient, options: { bus } }])],
    }).compile();
    const client = callerModule.get<ClientProxy>('REGISTRY');
    expect(client).toBeInstanceOf(InProcessClient);
    await expect(firstValueFrom(client.send('registry.members', { creditCode: 'A' }))).resolves.toMatchObject({ fullMembers: 7 });
    await callerModule.close();
  });

  it('a closed service no longer answers requests', async () => {
    const { app } = await startService();
    await stop(app);
    const error = await firstValueFrom(new InProcessClient(bus).send('registry.members', { creditCode: 'A' })).catch((e: unknown) => e);
    expect((error as RpcException).getError()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', kind: 'unavailable' });
  });
});
