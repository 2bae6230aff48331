import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, MessagePattern, type MicroserviceOptions } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { INestMicroservice } from '@nestjs/common';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { firstValueFrom } from 'rxjs';
import type { RecordedEvent } from '@liangxin/contracts';
import { DomainError } from '@liangxin/event-sourcing';
import { SqliteEventStore, type EventStore, type ReadAllOptions } from '@liangxin/event-store';
import { InMemoryCheckpointStore } from '../checkpoints';
import { DeadLetterNotFound } from '../dead-letters';
import { StoreForwarder, type SourceLog } from '../forwarding';
import { NatsServerProcess } from '../testing';
import { RemoteCommandError, WireErrorFilter } from '../wire-error';
import {
  EVENTS_STREAM,
  JetStreamClient,
  JetStreamDeadLetters,
  JetStreamServer,
  TransportHeaders,
  eventSubject,
  type JetStreamServerOptions,
} from '.';

const RECORDER = Symbol('recorder');

class Recorder {
  readonly applied: RecordedEvent[] = [];
  /** event ids whose handler throws, to play a poison event */
  readonly poison = new Set<string>();
}

@Controller()
class EnterpriseListener {
  constructor(@Inject(RECORDER) private readonly recorder: Recorder) {}

  @EventPattern('EnterpriseRegistered')
  onRegistered(event: RecordedEvent) {
    if (this.recorder.poison.has(event.eventId)) throw new DomainError('POISON', `cannot apply ${event.eventId}`, 'data', 'invalid');
    this.recorder.applied.push(event);
  }

  @MessagePattern('test.echo')
  echo(data: unknown) {
    return { echo: data };
  }

  @MessagePattern('test.crash')
  crash() {
    throw new Error('database password is hunter2');
  }

  @MessagePattern('test.reject')
  reject() {
    throw new DomainError('CREDIT_CODE_INVALID', 'check character does not match', 'creditCode', 'invalid');
  }
}

const waitFor = async (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/** A read replica that can be held behind, as a store of another region would be. */
const laggingReplica = (store: EventStore) => {
  let heldAt: number | undefined;
  const replica: EventStore = {
    append: (...args) => store.append(...args),
    readStream: (...args) => store.readStream(...args),
    readAll: (options: ReadAllOptions = {}) => store.readAll(heldAt === undefined ? options : { ...options, until: heldAt }),
    readEvent: (...args) => store.readEvent(...args),
    subscribeToAll: (...args) => store.subscribeToAll(...args),
    headPosition: async () => heldAt ?? store.headPosition(),
    close: async () => undefined,
  };
  return {
    replica,
    hold: async () => {
      heldAt = await store.headPosition();
    },
    release: () => {
      heldAt = undefined;
    },
  };
};

describe('JetStream transport (real nats-server, SQLite source store)', () => {
  let nats: NatsServerProcess;
  let nc: NatsConnection;
  let dir: string;
  let testNo = 0;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    nats = await NatsServerProcess.start();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    dir = mkdtempSync(join(tmpdir(), 'liangxin-transport-'));
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh source (own name, own SQLite store) per test, so tests never see each other's events. */
  const newSource = () => {
    testNo++;
    const store = SqliteEventStore.open({ file: join(dir, `source-${testNo}.db`), durability: 'os', pollIntervalMs: 20 });
    cleanups.push(() => store.close());
    const source: SourceLog = { name: `registry${testNo}`, store, streamPrefixes: ['enterprise-'] };
    return { store, source, service: `consumer${testNo}` };
  };

  const register = async (store: EventStore, n: number, extra: Record<string, unknown> = {}) => {
    const result = await store.append(
      `enterprise-${n}`,
      [{ type: 'EnterpriseRegistered', schemaVersion: 1, data: { n, ...extra }, metadata: { actor: 'test' } }],
      { expected: 'no_stream' },
    );
    // an event of another context in the same store: not part of the source's log, must not break numbering
    await store.append(`org-${n}`, [{ type: 'OrgFormed', schemaVersion: 1, data: { n }, metadata: { actor: 'test' } }], { expected: 'any' });
    return result.events[0];
  };

  const startForwarder = async (source: SourceLog, checkpoints = new InMemoryCheckpointStore()) => {
    const forwarder = new StoreForwarder({ source, connection: nc, checkpoints, publishTimeoutMs: 1_000, retryDelayMs: 100 });
    await forwarder.start();
    cleanups.push(() => forwarder.stop());
    return forwarder;
  };

  const startService = async (options: Omit<JetStreamServerOptions, 'servers'>, recorder = new Recorder()) => {
    const moduleRef = await Test.createTestingModule({
      controllers: [EnterpriseListener],
      providers: [{ provide: RECORDER, useValue: recorder }],
    }).compile();
    const server = new JetStreamServer({ servers: nats.url, pullExpiresMs: 2_000, lagCheckIntervalMs: 100, lagToleranceMs: 60_000, ...options });
    const app: INestMicroservice = moduleRef.createNestMicroservice<MicroserviceOptions>({ strategy: server, logger: false });
    app.useGlobalFilters(new WireErrorFilter());
    await app.listen();
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await app.close();
    };
    cleanups.push(close);
    return { server, recorder, close };
  };

  const ns = (recorder: Recorder) => recorder.applied.map((e) => e.data['n']);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('carries events from the store through the forwarder to @EventPattern handlers, in order, once', async () => {
    const { store, source, service } = newSource();
    for (let n = 1; n <= 10; n++) await register(store, n);
    const forwarder = await startForwarder(source);
    const { server, recorder } = await startService({ service, sources: [source], checkpoints: new InMemoryCheckpointStore() });
    for (let n = 11; n <= 20; n++) await register(store, n);

    await waitFor('20 events applied', () => recorder.applied.length >= 20);
    await waitFor('forwarder checkpoint', () => forwarder.metrics().acknowledged.sequence === 20);
    expect(ns(recorder)).toEqual(range(1, 20));
    expect(recorder.applied[19].globalPosition).toBe(39); // numbering skips the org- events
    const metrics = server.metrics().sources[source.name];
    expect(metrics).toMatchObject({ appliedSequence: 20, appliedPosition: 39 });
  });

  it('answers commands over request/reply and rethrows remote domain errors with code, field and kind', async () => {
    const { source, service } = newSource();
    await startService({ service, sources: [source], checkpoints: new InMemoryCheckpointStore() });
    const client = new JetStreamClient({ servers: nats.url, timeoutMs: 2_000 });
    cleanups.push(() => client.close());

    await expect(firstValueFrom(client.send('test.echo', { a: 1 }))).resolves.toEqual({ echo: { a: 1 } });
    const failure = await firstValueFrom(client.send('test.reject', {})).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RemoteCommandError);
    expect(failure).toMatchObject({ code: 'CREDIT_CODE_INVALID', field: 'creditCode', kind: 'invalid', message: 'check character does not match' });
    const crash = await firstValueFrom(client.send('test.crash', {})).catch((e: unknown) => e);
    expect(crash).toBeInstanceOf(RemoteCommandError);
    expect((crash as RemoteCommandError).getError()).toEqual({ code: 'INTERNAL', message: 'Internal server error', kind: 'internal' });
    const unanswered = await firstValueFrom(client.send('test.nobody-serves-this', {})).catch((e: unknown) => e);
    expect(unanswered).toMatchObject({ code: 'SERVICE_UNAVAILABLE', kind: 'unavailable' });
    await expect(firstValueFrom(client.emit('EnterpriseRegistered', {}))).rejects.toThrow(/StoreForwarder/);
  });

  it('loses nothing when nats-server is SIGKILLed and restarted mid-stream', async () => {
    const { store, source, service } = newSource();
    const forwarder = await startForwarder(source);
    const { recorder } = await startService({ service, sources: [source], checkpoints: new InMemoryCheckpointStore() });
    for (let n = 1; n <= 30; n++) await register(store, n);
    await waitFor('some events through', () => recorder.applied.length >= 5);

    await nats.kill9();
    for (let n = 31; n <= 60; n++) await register(store, n); // appended while the broker is dead
    await nats.restart();
    for (let n = 61; n <= 80; n++) await register(store, n);

    await waitFor('all 80 applied', () => recorder.applied.length >= 80);
    await new Promise((resolve) => setTimeout(resolve, 300)); // give a stray redelivery the chance to show
    expect(ns(recorder)).toEqual(range(1, 80));
    // Whether a publish failed (forwarder restart) or waited out the broker's restart depends on timing; either way all are acknowledged.
    await waitFor('forwarder acknowledged all 80', () => forwarder.metrics().acknowledged.sequence === 80);
  });

  it('applies an event delivered twice (NATS copy and store backfill, or two NATS copies) once', async () => {
    const { store, source, service } = newSource();
    for (let n = 1; n <= 3; n++) await register(store, n);
    // the consumer starts first: reconciliation applies 1..3 from the store
    const { server, recorder } = await startService({ service, sources: [source], checkpoints: new InMemoryCheckpointStore() });
    expect(ns(recorder)).toEqual([1, 2, 3]);
    // then the forwarder publishes the same three through NATS
    const forwarder = await startForwarder(source);
    await waitFor('forwarded', () => forwarder.metrics().acknowledged.sequence === 3);
    await waitFor('copies skipped', () => server.metrics().sources[source.name].duplicatesSkipped >= 3);

    // and a copy JetStream cannot dedupe (another msgID), as a replay after the dedupe window would be
    const event = (await store.readAll({ streamPrefixes: ['enterprise-'] }))[1];
    const h = headers();
    h.set(TransportHeaders.source, source.name);
    h.set(TransportHeaders.sourceSequence, '2');
    h.set(TransportHeaders.globalPosition, String(event.globalPosition));
    await jetstream(nc).publish(eventSubject(source.name, event.type), JSON.stringify(event), { msgID: `replay-${event.eventId}`, headers: h });
    await register(store, 4);

    await waitFor('event 4', () => recorder.applied.length >= 4);
    expect(ns(recorder)).toEqual([1, 2, 3, 4]);
    expect(server.metrics().sources[source.name]).toMatchObject({ eventsBackfilled: 3, duplicatesSkipped: 4 });
  });

  it('dead-letters a poison event with its error after N tries, moves on, and lets an admin retry it', async () => {
    const { store, source, service } = newSource();
    const recorder = new Recorder();
    const first = await register(store, 1);
    const poison = await register(store, 2);
    recorder.poison.add(poison.eventId);
    await startForwarder(source);
    const { server } = await startService(
      { service, sources: [source], checkpoints: new InMemoryCheckpointStore(), maxDeliveries: 3, retryDelaysMs: [50, 100] },
      recorder,
    );
    await register(store, 3);

    await waitFor('events around the poison applied', () => recorder.applied.length >= 2);
    expect(recorder.applied.map((e) => e.eventId)).toEqual([first.eventId, expect.any(String)]);
    expect(ns(recorder)).toEqual([1, 3]);
    expect(server.metrics().sources[source.name].deadLettered).toBe(1);

    const deadLetters = new JetStreamDeadLetters(nc);
    const letters = await deadLetters.list({ consumer: service });
    expect(letters).toEqual([
      {
        id: expect.stringMatching(/^\d+$/),
        consumer: service,
        eventType: 'EnterpriseRegistered',
        eventId: poison.eventId,
        globalPosition: poison.globalPosition,
        error: expect.stringContaining('POISON (data): cannot apply'),
        attempts: 3,
        firstParkedAt: expect.any(String),
        lastAttemptAt: expect.any(String),
      },
    ]);

    recorder.poison.clear(); // the bug is fixed
    await expect(deadLetters.retry(letters[0].id)).resolves.toEqual({ status: 'resent' });
    await waitFor('retried event applied', () => recorder.applied.length >= 3);
    expect(ns(recorder)).toEqual([1, 3, 2]);
    expect(await deadLetters.list({ consumer: service })).toEqual([]);
    expect(server.metrics().sources[source.name].retriesApplied).toBe(1);
    await expect(deadLetters.retry(letters[0].id)).rejects.toBeInstanceOf(DeadLetterNotFound);
    await expect(deadLetters.discard(letters[0].id)).rejects.toBeInstanceOf(DeadLetterNotFound);
  });

  it('keeps one dead letter per event when a retried dead letter keeps failing, through several ack_wait cycles', async () => {
    // nats-server 2.9 ignores `term(reason)`: a message settled that way comes back after ack_wait
    const { store, source, service } = newSource();
    const recorder = new Recorder();
    const poison = await register(store, 1);
    recorder.poison.add(poison.eventId);
    await startForwarder(source);
    const ackWaitMs = 400;
    const { server } = await startService(
      { service, sources: [source], checkpoints: new InMemoryCheckpointStore(), maxDeliveries: 2, retryDelaysMs: [20], ackWaitMs },
      recorder,
    );
    const deadLetters = new JetStreamDeadLetters(nc);
    await waitFor('dead-lettered', () => server.metrics().sources[source.name].deadLettered === 1);
    const [letter] = await deadLetters.list({ consumer: service });

    await expect(deadLetters.retry(letter.id)).resolves.toEqual({ status: 'resent' });
    await waitFor('dead-lettered again', () => server.metrics().sources[source.name].deadLettered === 2);
    await new Promise((resolve) => setTimeout(resolve, ackWaitMs * 4));

    expect(server.metrics().sources[source.name].deadLettered).toBe(2);
    const letters = await deadLetters.list({ consumer: service });
    expect(letters).toEqual([expect.objectContaining({ eventId: poison.eventId, attempts: 2 })]);
    expect(letters[0].id).not.toBe(letter.id);
    expect(recorder.applied).toEqual([]);
  });

  it('detects a message deleted from the stream and backfills it from the store', async () => {
    const { store, source, service } = newSource();
    const checkpoints = new InMemoryCheckpointStore();
    const { replica, hold, release } = laggingReplica(store);
    const replicaSource = { ...source, store: replica };
    const forwarder = await startForwarder(source);
    const first = await startService({ service, sources: [replicaSource], checkpoints });
    await register(store, 1);
    await waitFor('event 1', () => first.recorder.applied.length === 1);
    await first.close();

    // the replica the consumer reads stays at event 1, so reconciliation on start sees nothing new and
    // only the NATS sequence can reveal the hole
    await hold();
    for (let n = 2; n <= 4; n++) await register(store, n);
    await waitFor('forwarded', () => forwarder.metrics().acknowledged.sequence === 4);
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(EVENTS_STREAM);
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const stored = await jsm.streams.getMessage(EVENTS_STREAM, { seq }).catch(() => null);
      if (stored?.header?.get(TransportHeaders.source) === source.name && stored.header.get(TransportHeaders.sourceSequence) === '2') {
        await jsm.streams.deleteMessage(EVENTS_STREAM, seq);
      }
    }

    const second = await startService({ service, sources: [replicaSource], checkpoints }, first.recorder);
    release();
    await waitFor('events 2..4', () => first.recorder.applied.length >= 4);
    expect(ns(first.recorder)).toEqual([1, 2, 3, 4]);
    expect(second.server.metrics().sources[source.name]).toMatchObject({ gapsDetected: 1, eventsBackfilled: 1 });
  });

  it('reconciles from the store on start after the whole stream was purged while it was stopped', async () => {
    const { store, source, service } = newSource();
    const checkpoints = new InMemoryCheckpointStore();
    const forwarder = await startForwarder(source);
    const first = await startService({ service, sources: [source], checkpoints });
    await register(store, 1);
    await waitFor('event 1', () => first.recorder.applied.length === 1);
    await first.close();

    for (let n = 2; n <= 6; n++) await register(store, n);
    await waitFor('forwarded', () => forwarder.metrics().acknowledged.sequence === 6);
    await (await jetstreamManager(nc)).streams.purge(EVENTS_STREAM);

    const second = await startService({ service, sources: [source], checkpoints }, first.recorder);
    expect(ns(first.recorder)).toEqual([1, 2, 3, 4, 5, 6]); // before listen() resolved
    await register(store, 7);
    await waitFor('event 7 through NATS', () => first.recorder.applied.length >= 7);
    expect(ns(first.recorder)).toEqual(range(1, 7));
    expect(second.server.metrics().sources[source.name]).toMatchObject({ eventsBackfilled: 5, appliedSequence: 7 });
  });

  it('reads from the store when NATS stays silent longer than the lag tolerance', async () => {
    const { store, source, service } = newSource();
    // no forwarder at all: the broker never hears of these events
    const { server, recorder } = await startService({ service, sources: [source], checkpoints: new InMemoryCheckpointStore(), lagToleranceMs: 200 });
    for (let n = 1; n <= 3; n++) await register(store, n);
    await waitFor('lag backfill', () => recorder.applied.length >= 3);
    expect(ns(recorder)).toEqual([1, 2, 3]);
    expect(server.metrics().sources[source.name].lagBackfills).toBeGreaterThanOrEqual(1);
  });
});
