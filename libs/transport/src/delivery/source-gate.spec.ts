import type { RecordedEvent } from '@liangxin/contracts';
import type { EventStore, ReadAllOptions } from '@liangxin/event-store';
import { InMemoryCheckpointStore } from '../checkpoints/in-memory-checkpoint-store';
import type { SequencedEvent, SourceLog } from '../forwarding/source-log';
import { SerialQueue } from '../serial-queue';
import { RetryPolicy } from './retry-policy';
import { SourceGate, type Offered } from './source-gate';

/**
 * A store whose positions are byte offsets, as KurrentDB's are: each event moves the position by its size,
 * so a difference of positions is never a count of events. It records each readAll's `after`.
 */
class ByteOffsetStore {
  readonly events: RecordedEvent[] = [];
  readonly readsAfter: number[] = [];
  private offset = 0;

  append(streamId: string, n: number): RecordedEvent {
    this.offset += 300 + (n % 7) * 41;
    const event: RecordedEvent = {
      type: streamId.startsWith('enterprise-') ? 'EnterpriseRegistered' : 'OrgFormed',
      schemaVersion: 1,
      data: { n },
      eventId: `event-${this.offset}`,
      streamId,
      streamVersion: 0,
      globalPosition: this.offset,
      occurredAt: '2024-01-01T00:00:00.000Z',
      recordedAt: '2024-01-01T00:00:00.000Z',
      metadata: { actor: 'test' },
    };
    this.events.push(event);
    return event;
  }

  asEventStore(): EventStore {
    const notUsed = () => Promise.reject(new Error('not used by the gate'));
    return {
      append: notUsed,
      readStream: notUsed,
      readEvent: notUsed,
      subscribeToAll: () => {
        throw new Error('not used by the gate');
      },
      readAll: async ({ after = 0, streamPrefixes, limit = 1_000 }: ReadAllOptions = {}) => {
        this.readsAfter.push(after);
        return this.events
          .filter((e) => e.globalPosition > after && (!streamPrefixes || streamPrefixes.some((p) => e.streamId.startsWith(p))))
          .slice(0, limit);
      },
      headPosition: async () => this.events[this.events.length - 1]?.globalPosition ?? 0,
      close: async () => undefined,
    };
  }
}

const setup = async (options: { failing?: Set<number>; maxDeliveries?: number } = {}) => {
  const store = new ByteOffsetStore();
  const log: SourceLog = { name: 'registry', store: store.asEventStore(), streamPrefixes: ['enterprise-'] };
  const applied: number[] = [];
  const deadLetters: Array<{ n: number; attempts: number }> = [];
  const calls: Array<{ n: number; path: string }> = [];
  let now = 1_000_000;
  const checkpoints = new InMemoryCheckpointStore();
  const open = () =>
    SourceGate.open({
      log,
      checkpoints,
      checkpointName: 'test:registry',
      policy: RetryPolicy.stepped([1_000, 5_000], options.maxDeliveries ?? 3),
      serial: new SerialQueue(),
      now: () => now,
      backfillBatch: 4,
      dispatch: async (item, path) => {
        const n = item.event.data['n'] as number;
        calls.push({ n, path });
        if (options.failing?.has(n)) throw new Error(`cannot apply ${n}`);
        applied.push(n);
      },
      deadLetter: async (item, _error, attempts) => {
        deadLetters.push({ n: item.event.data['n'] as number, attempts });
      },
    });
  /** source event n (1-based), each followed by an event of another context that is not in the source's log */
  const register = (count: number) => {
    const out: SequencedEvent[] = [];
    for (let i = 0; i < count; i++) {
      const n = store.events.filter((e) => e.streamId.startsWith('enterprise-')).length + 1;
      out.push({ event: store.append(`enterprise-${n}`, n), sequence: n });
      store.append(`org-${n}`, n);
    }
    return out;
  };
  return { store, open, applied, deadLetters, calls, register, checkpoints, tick: (ms: number) => (now += ms) };
};

describe('SourceGate (sequence gate, gap backfill, retries and dead letters, without a broker)', () => {
  it('applies in sequence, skips what it has applied, and saves the checkpoint after each event', async () => {
    const t = await setup();
    const gate = await t.open();
    const [e1, e2] = t.register(2);
    await expect(gate.offer(e1)).resolves.toEqual({ outcome: 'applied' });
    await expect(gate.offer(e1)).resolves.toEqual({ outcome: 'duplicate' });
    await expect(gate.offer(e2)).resolves.toEqual({ outcome: 'applied' });
    expect(t.applied).toEqual([1, 2]);
    await expect(t.checkpoints.load('test:registry')).resolves.toEqual({ position: e2.event.globalPosition, sequence: 2 });
    // a new gate over the same checkpoint treats both as done
    const reopened = await t.open();
    await expect(reopened.offer(e2)).resolves.toEqual({ outcome: 'duplicate' });
    expect(reopened.metrics()).toMatchObject({ duplicatesSkipped: 1, appliedSequence: 2 });
  });

  it('fills a sequence gap from the store before applying the event that revealed it', async () => {
    const t = await setup();
    const gate = await t.open();
    const events = t.register(6);
    await gate.offer(events[0]);
    await expect(gate.offer(events[5])).resolves.toEqual({ outcome: 'applied' });
    expect(t.applied).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.calls.slice(1, 5).every((c) => c.path === 'store')).toBe(true);
    expect(gate.metrics()).toMatchObject({ gapsDetected: 1, eventsBackfilled: 4, appliedSequence: 6 });
  });

  it('asks for the message again when the store does not have the gap yet (a replica behind)', async () => {
    const t = await setup();
    const gate = await t.open();
    const fromAnotherStore: SequencedEvent = { event: { ...t.register(1)[0].event, eventId: 'x' }, sequence: 3 };
    await expect(gate.offer(fromAnotherStore)).resolves.toEqual({ outcome: 'not-in-store-yet' });
    expect(t.applied).toEqual([1]);
  });

  it('retries a failing event after the policy delays, holds the events behind it, then dead-letters it and moves on', async () => {
    const t = await setup({ failing: new Set([2]), maxDeliveries: 3 });
    const gate = await t.open();
    const [e1, e2, e3] = t.register(3);
    await gate.offer(e1);
    const first = await gate.offer(e2);
    expect(first).toEqual({ outcome: 'retry-later', delayMs: expect.any(Number) });
    expect((first as Extract<Offered, { outcome: 'retry-later' }>).delayMs).toBeGreaterThanOrEqual(1_000);
    // the next event waits behind it, without calling the handler or reading the store
    const reads = t.store.readsAfter.length;
    expect(await gate.offer(e3)).toMatchObject({ outcome: 'retry-later' });
    expect(t.store.readsAfter.length).toBe(reads);
    // redelivered before its delay: not called again
    expect(await gate.offer(e2)).toMatchObject({ outcome: 'retry-later' });
    expect(t.calls.filter((c) => c.n === 2)).toHaveLength(1);
    t.tick(1_000);
    expect(await gate.offer(e2)).toMatchObject({ outcome: 'retry-later' });
    t.tick(5_000);
    await expect(gate.offer(e2)).resolves.toEqual({ outcome: 'dead-lettered' });
    expect(t.deadLetters).toEqual([{ n: 2, attempts: 3 }]);
    await expect(gate.offer(e3)).resolves.toEqual({ outcome: 'applied' });
    // the message of the dead-lettered event coming back (nats-server 2.9 ignores term) is a duplicate, not a new dead letter
    await expect(gate.offer(e2)).resolves.toEqual({ outcome: 'duplicate' });
    expect(t.deadLetters).toHaveLength(1);
    expect(t.applied).toEqual([1, 3]);
  });

  it('applies a retried dead letter outside the gate, and gives it back to the dead letters after the policy', async () => {
    const failing = new Set([1]);
    const t = await setup({ failing, maxDeliveries: 2 });
    const gate = await t.open();
    const [e1] = t.register(1);
    await gate.offer(e1);
    t.tick(1_000);
    await gate.offer(e1);
    expect(t.deadLetters).toHaveLength(1);

    expect(await gate.retryDeadLetter(e1)).toMatchObject({ outcome: 'retry-later' });
    await expect(gate.retryDeadLetter(e1)).resolves.toEqual({ outcome: 'dead-lettered' });
    failing.clear();
    await expect(gate.retryDeadLetter(e1)).resolves.toEqual({ outcome: 'applied' });
    expect(gate.metrics()).toMatchObject({ deadLettered: 2, retriesApplied: 1 });
  });

  it('measures lag in events, not in store positions (which are byte offsets here)', async () => {
    const t = await setup();
    const gate = await t.open();
    const events = t.register(5);
    await gate.offer(events[0]);
    await gate.checkLag(60_000);
    const metrics = gate.metrics();
    expect(metrics.lag).toBe(4);
    expect(metrics.headPosition).toBe(events[4].event.globalPosition);
    expect(metrics.headPosition - metrics.appliedPosition).toBeGreaterThan(1_000);
  });

  it('backfills a source the transport stays silent about once it has been behind for the tolerance', async () => {
    const t = await setup();
    const gate = await t.open();
    t.register(3);
    await gate.checkLag(5_000);
    expect(t.applied).toEqual([]);
    t.tick(4_999);
    await gate.checkLag(5_000);
    expect(t.applied).toEqual([]);
    t.tick(1);
    await gate.checkLag(5_000);
    expect(t.applied).toEqual([1, 2, 3]);
    expect(gate.metrics()).toMatchObject({ lagBackfills: 1, lag: 0 });
  });

  it('checks a quiet source by reading only what the store got since the last check, not from its last event', async () => {
    const t = await setup();
    const gate = await t.open();
    const [e1] = t.register(1);
    await gate.offer(e1);
    // other contexts keep appending; the source stays quiet
    for (let i = 0; i < 20; i++) t.store.append(`org-x${i}`, i);
    await gate.checkLag(5_000);
    const headAfterFirstCheck = await t.store.asEventStore().headPosition();
    for (let i = 0; i < 3; i++) t.store.append(`org-y${i}`, i);
    t.store.readsAfter.length = 0;
    await gate.checkLag(5_000);
    expect(t.store.readsAfter).toEqual([headAfterFirstCheck]);
    // nothing new at all: no read
    t.store.readsAfter.length = 0;
    await gate.checkLag(5_000);
    expect(t.store.readsAfter).toEqual([]);
    expect(gate.metrics().lag).toBe(0);
  });

  it('answers a settled read about a quiet source from what the lag check saw, without reading the store', async () => {
    const t = await setup();
    const gate = await t.open();
    const [e1] = t.register(1);
    await gate.offer(e1);
    for (let i = 0; i < 5; i++) t.store.append(`org-x${i}`, i);
    await gate.checkLag(5_000);
    const head = await t.store.asEventStore().headPosition();
    t.store.readsAfter.length = 0;
    await expect(gate.appliedThrough(head)).resolves.toBe(head);
    expect(t.store.readsAfter).toEqual([]);
  });
});
