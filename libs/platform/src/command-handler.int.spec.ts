import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event } from '@liangxin/contracts';
import { DomainError, type Decider } from '@liangxin/event-sourcing';
import { type EventStore, type ReadStreamOptions, SqliteEventStore } from '@liangxin/event-store';
import { toWireError } from '@liangxin/transport';
import { handleCommand } from './command-handler';

// A counter that refuses to go past a limit: enough to see whether a decision saw every event.
type Added = Event<'Added', { amount: number }>;
type Add = { amount: number };
const LIMIT = 10;
const counter: Decider<Add, number, Added> = {
  initialState: () => 0,
  evolve: (total, event) => total + event.data.amount,
  decide: (command, total) => {
    if (total + command.amount > LIMIT) throw new DomainError('OVER_LIMIT', `total ${total} + ${command.amount} passes ${LIMIT}`, 'amount');
    return [{ type: 'Added', schemaVersion: 1, data: { amount: command.amount } }];
  },
};
const metadata = (commandId?: string) => ({ actor: 'test', commandId });

describe('handleCommand (real SQLite store)', () => {
  let dir: string;
  let store: SqliteEventStore;
  /** the versions each readStream call started from, to see what the folded-state cache spares */
  let readsFrom: number[];
  let recording: EventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liangxin-command-handler-'));
    store = SqliteEventStore.open({ file: join(dir, 'events.sqlite'), durability: 'os' });
    readsFrom = [];
    recording = Object.create(store, {
      readStream: {
        value: (streamId: string, options: ReadStreamOptions = {}) => {
          readsFrom.push(options.fromVersion ?? 0);
          return store.readStream(streamId, options);
        },
      },
    }) as EventStore;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a stream once, then only the events appended after the state it folded', async () => {
    for (let i = 0; i < 4; i++) await handleCommand(recording, 'counter-1', counter, { amount: 1 }, metadata(`c${i}`));
    // the first read finds an empty stream; each later one starts after the last event folded
    expect(readsFrom).toEqual([0, 0, 1, 2]);
    expect((await store.readStream('counter-1')).map((e) => e.streamVersion)).toEqual([0, 1, 2, 3]);
  });

  it('decides on events another writer appended since, so a rule over the whole stream still holds', async () => {
    await handleCommand(recording, 'counter-2', counter, { amount: 4 }, metadata('first'));
    // another process appends behind this one's back
    await store.append('counter-2', [{ type: 'Added', schemaVersion: 1, data: { amount: 5 }, metadata: metadata() }], { expected: 0 });
    await expect(handleCommand(recording, 'counter-2', counter, { amount: 2 }, metadata('second'))).rejects.toMatchObject({ code: 'OVER_LIMIT' });
    const result = await handleCommand(recording, 'counter-2', counter, { amount: 1 }, metadata('third'));
    expect(result.events.map((e) => e.streamVersion)).toEqual([2]);
  });

  it('a retried command id returns the first outcome and appends nothing, also after the state was cached', async () => {
    const first = await handleCommand(recording, 'counter-3', counter, { amount: 3 }, metadata('same'));
    await handleCommand(recording, 'counter-3', counter, { amount: 3 }, metadata('other'));
    const retry = await handleCommand(recording, 'counter-3', counter, { amount: 3 }, metadata('same'));
    expect(retry).toMatchObject({ idempotentReplay: true, position: first.position });
    expect(retry.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
    expect(await store.readStream('counter-3')).toHaveLength(2);
  });

  it('a command id sent again with another fingerprint is refused as a reused key, and nothing is appended; the same fingerprint replays', async () => {
    const keyed = (fingerprint: string) => ({ actor: 'test', commandId: 'key-1', commandFingerprint: fingerprint });
    const first = await handleCommand(store, 'counter-5', counter, { amount: 1 }, keyed('fp-a'));
    await expect(handleCommand(store, 'counter-5', counter, { amount: 2 }, keyed('fp-b'))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', kind: 'unprocessable', field: 'Idempotency-Key' });
    expect(toWireError(await handleCommand(store, 'counter-5', counter, { amount: 2 }, keyed('fp-b')).catch((error: unknown) => error))).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', kind: 'unprocessable' });
    const replay = await handleCommand(store, 'counter-5', counter, { amount: 1 }, keyed('fp-a'));
    expect(replay).toMatchObject({ idempotentReplay: true, position: first.position });
    expect((await store.readStream('counter-5')).map((e) => e.data)).toEqual([{ amount: 1 }]);
  });

  it('a decision that appends nothing answers the position the stream had reached', async () => {
    const noop: Decider<Add, number, Added> = { ...counter, decide: () => [] };
    const written = await handleCommand(recording, 'counter-4', counter, { amount: 1 }, metadata('a'));
    expect(await handleCommand(recording, 'counter-4', noop, { amount: 1 }, metadata('b'))).toMatchObject({ position: written.position, events: [] });
  });
});
