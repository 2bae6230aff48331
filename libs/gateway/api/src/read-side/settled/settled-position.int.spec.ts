import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent, RecordedEvent } from '@liangxin/contracts';
import { SqliteEventStore } from '@liangxin/event-store';
import { allProjections, ProjectionRunner, SqliteReadModelStore } from '@liangxin/read-models';
import { InProcessBus, InProcessConsumerProgress, InProcessServer, openConsumerStateDatabase, SqliteCheckpointStore, SqliteDeadLetterStore } from '@liangxin/transport';
import { SettledPositions } from './settled-position';

const event = (type: string, metadata: NewEvent['metadata']): NewEvent => ({ type, schemaVersion: 1, data: {}, metadata });

/**
 * SettledPositions against a real SQLite store, real in-process consumers and real projections. Two consumers
 * react in cascade, as formation and funding do: "placement" answers Registered with Formed, "payment" answers
 * Formed with Paid; each names its cause.
 */
describe('SettledPositions: waiting for what a position caused, in cascade', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liangxin-settled-'));
  const store = SqliteEventStore.open({ file: join(dir, 'events.sqlite'), durability: 'os', pollIntervalMs: 10 });
  const database = openConsumerStateDatabase(join(dir, 'consumers.sqlite'));
  const readModels = SqliteReadModelStore.open(dir, 'read-models.sqlite');
  const bus = new InProcessBus();
  const projections = new ProjectionRunner(store, readModels, allProjections(), { pollIntervalMs: 10 });
  const settled = new SettledPositions(store, new InProcessConsumerProgress(bus), projections);
  /** registrations whose placement waits for the test to let it go */
  const held = new Map<string, Promise<void>>();
  const servers: InProcessServer[] = [];

  const reactWith = (type: string) => async (cause: RecordedEvent) => {
    await held.get(cause.streamId);
    await store.append(`${type.toLowerCase()}-${cause.eventId}`, [event(type, { actor: 'system:test', causationId: cause.eventId, commandId: `${type}:${cause.eventId}` })], { expected: 'no_stream', commandId: `${type}:${cause.eventId}` });
  };
  const consumer = async (name: string, on: string, react: (cause: RecordedEvent) => Promise<void>) => {
    const server = new InProcessServer({ consumer: name, store, checkpoints: new SqliteCheckpointStore({ db: database }), deadLetters: new SqliteDeadLetterStore({ db: database }), bus });
    server.addHandler(on, react, true);
    await new Promise<void>((resolve, reject) => void server.listen((error?: unknown) => (error ? reject(error) : resolve())));
    servers.push(server);
  };
  /** an officer's command: its events name the command as their cause */
  const register = async (streamId: string) => {
    const commandId = `register-${streamId}`;
    return (await store.append(streamId, [event('Registered', { actor: 'officer:1', commandId, causationId: commandId })], { expected: 'no_stream', commandId })).lastPosition;
  };
  /** the event `type` appended in reaction to `cause` */
  const reactionTo = async (type: string, cause: RecordedEvent | undefined) => cause && (await store.readStream(`${type.toLowerCase()}-${cause.eventId}`))[0];
  /** Formed, or Paid (the reaction to Formed), caused by the registration in `streamId` */
  const effectOf = async (type: 'Formed' | 'Paid', streamId: string) => {
    const formed = await reactionTo('Formed', (await store.readStream(streamId))[0]);
    return type === 'Formed' ? formed : reactionTo('Paid', formed);
  };

  beforeAll(async () => {
    await projections.start();
    await consumer('placement', 'Registered', reactWith('Formed'));
    await consumer('payment', 'Formed', reactWith('Paid'));
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await projections.stop();
    await readModels.close();
    await store.close();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns once the last event of a two-level cascade is projected, and names its position', async () => {
    const position = await register('a');
    const last = await settled.waitUntilSettled(position, 5_000);
    const paid = await effectOf('Paid', 'a');
    expect(last).toBe(paid?.globalPosition);
    expect(projections.position).toBeGreaterThanOrEqual(last);
  });

  it('steps over a later command of another user and what it causes', async () => {
    const mine = await register('b');
    await register('c');
    const last = await settled.waitUntilSettled(mine, 5_000);
    expect(last).toBe((await effectOf('Paid', 'b'))?.globalPosition);
    // the other registration's cascade ends later: the wait stopped at the end of its own
    await settled.waitUntilSettled(await store.headPosition(), 5_000);
    expect(last).toBeLessThan((await effectOf('Paid', 'c'))?.globalPosition ?? 0);
  });

  it('waits for a reaction appended after the position to an event before it (a consumer behind)', async () => {
    let release: () => void = () => undefined;
    held.set('d', new Promise<void>((resolve) => (release = resolve)));
    await register('d');
    const position = await register('e');
    const waiting = settled.waitUntilSettled(position, 5_000);
    setTimeout(release, 300);
    const last = await waiting;
    // d's cascade came after e's position, and was caused by an event before it
    const paidForD = (await effectOf('Paid', 'd'))?.globalPosition ?? 0;
    expect(paidForD).toBeGreaterThan(position);
    expect(last).toBeGreaterThanOrEqual(paidForD);
  });

  it('rejects when a consumer cannot get through in time', async () => {
    let release: () => void = () => undefined;
    held.set('f', new Promise<void>((resolve) => (release = resolve)));
    const position = await register('f');
    try {
      await expect(settled.waitUntilSettled(position, 300)).rejects.toThrow(/placement/);
    } finally {
      release();
    }
  });
});
