import { BACKWARDS, END, MaxAppendSizeExceededError, NO_STREAM, START, StreamDeletedError as KurrentStreamDeletedError, StreamNotFoundError, WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import { AppendTooLargeError, StreamDeletedError } from '../port';
import type { NewEvent } from '@liangxin/contracts';
import { type KurrentClient, KurrentDbEventStore, READ_PAGE, TruncatedStreamError } from './kurrentdb-event-store';

/**
 * The adapter's own logic against a recording fake at the client boundary: which reads it asks for and whether it
 * reads each to its end. The real contract runs against a server in kurrentdb-event-store.int.spec.ts.
 */
interface Stored {
  streamId: string;
  id: string;
  revision: bigint;
  commit: bigint;
  type: string;
  data: unknown;
  metadata: unknown;
}

class RecordingClient {
  readonly log: Stored[] = [];
  readonly reads: { kind: 'stream' | 'all'; maxCount?: number | bigint; direction?: unknown }[] = [];
  /** reads started and not read to their end */
  open = 0;

  constructor(private readonly firstRevisionKept = new Map<string, number>()) {}

  private resolved(stored: Stored) {
    const event = { ...stored, isJson: true, created: new Date(0), position: { commit: stored.commit, prepare: stored.commit } };
    return { event, commitPosition: stored.commit };
  }

  /** Like the client's bridge: an iterator with next() only, so leaving a loop early never ends the read. */
  private iterate<T>(items: T[]): AsyncIterableIterator<T> {
    this.open++;
    let index = 0;
    const iterator = {
      next: async (): Promise<IteratorResult<T>> => {
        if (index < items.length) return { value: items[index++], done: false };
        if (index === items.length) {
          index++;
          this.open--;
        }
        return { value: undefined as never, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator as AsyncIterableIterator<T>;
  }

  readStream(streamId: string, options: { fromRevision?: unknown; maxCount?: number | bigint; direction?: unknown } = {}) {
    this.reads.push({ kind: 'stream', maxCount: options.maxCount, direction: options.direction });
    const kept = this.firstRevisionKept.get(streamId) ?? 0;
    let events = this.log.filter((e) => e.streamId === streamId && e.revision >= BigInt(kept));
    if (events.length === 0 && !this.log.some((e) => e.streamId === streamId)) {
      const notFound = { next: () => Promise.reject(new StreamNotFoundError(undefined as never, streamId)), [Symbol.asyncIterator]: () => notFound };
      return notFound as unknown as AsyncIterableIterator<ReturnType<RecordingClient['resolved']>>;
    }
    if (options.direction === BACKWARDS) {
      events = [...events].reverse();
      if (options.fromRevision !== END && options.fromRevision !== undefined) events = events.filter((e) => e.revision <= (options.fromRevision as bigint));
    } else if (options.fromRevision !== START && options.fromRevision !== undefined) {
      events = events.filter((e) => e.revision >= (options.fromRevision as bigint));
    }
    const max = options.maxCount === undefined ? Number.MAX_SAFE_INTEGER : Number(options.maxCount);
    return this.iterate(events.slice(0, max).map((e) => this.resolved(e)));
  }

  readAll(options: { fromPosition?: unknown; maxCount?: number | bigint; direction?: unknown } = {}) {
    this.reads.push({ kind: 'all', maxCount: options.maxCount, direction: options.direction });
    let events = [...this.log];
    if (options.direction === BACKWARDS) {
      events.reverse();
      if (options.fromPosition !== END && options.fromPosition !== undefined) events = events.filter((e) => e.commit <= (options.fromPosition as { commit: bigint }).commit);
    } else if (options.fromPosition !== START && options.fromPosition !== undefined) {
      events = events.filter((e) => e.commit >= (options.fromPosition as { commit: bigint }).commit);
    }
    const max = options.maxCount === undefined ? Number.MAX_SAFE_INTEGER : Number(options.maxCount);
    return this.iterate(events.slice(0, max).map((e) => this.resolved(e)));
  }

  async appendToStream(streamId: string, events: { id: string; type: string; data: unknown; metadata: unknown }[], options: { streamState: unknown }) {
    const current = this.log.filter((e) => e.streamId === streamId);
    const revision = current.length - 1;
    const expected = options.streamState;
    const firstNew = expected === NO_STREAM ? 0 : typeof expected === 'bigint' ? Number(expected) + 1 : revision + 1;
    // the server's idempotency for an exact expected revision: the same ids there already means done
    const already = current.slice(firstNew, firstNew + events.length);
    if (already.length === events.length && already.every((e, i) => e.id === events[i].id)) return { nextExpectedRevision: BigInt(firstNew + events.length - 1) };
    if ((expected === NO_STREAM && revision !== -1) || (typeof expected === 'bigint' && Number(expected) !== revision)) {
      const error = Object.create(WrongExpectedVersionError.prototype) as WrongExpectedVersionError;
      Object.assign(error, { streamName: streamId, expectedState: expected, actualState: revision < 0 ? NO_STREAM : BigInt(revision) });
      throw error;
    }
    for (const event of events) this.log.push({ streamId, id: event.id, revision: BigInt(current.length + events.indexOf(event)), commit: BigInt((this.log.length + 1) * 100), type: event.type, data: event.data, metadata: event.metadata });
    return { nextExpectedRevision: BigInt(revision + events.length) };
  }

  subscribeToAll(): never {
    throw new Error('not used here');
  }

  async dispose(): Promise<void> {
    this.log.length = 0;
  }
}

const registered = (n: number): NewEvent => ({ type: 'Noted', schemaVersion: 1, data: { n }, metadata: { actor: 'officer:test' } }) as unknown as NewEvent;

const storeOver = (client: RecordingClient) => KurrentDbEventStore.withClient(client as unknown as KurrentClient);

describe('KurrentDB adapter: reads name their size and end', () => {
  it('pages a long stream with maxCount and reads every page to its end', async () => {
    const client = new RecordingClient();
    const store = storeOver(client);
    const total = READ_PAGE * 2 + 17;
    for (let i = 0; i < total; i += 100) await store.append('budget-1', Array.from({ length: Math.min(100, total - i) }, (_, j) => registered(i + j)), { expected: i === 0 ? 'no_stream' : i - 1 });
    client.reads.length = 0;

    const events = await store.readStream('budget-1');

    expect(events.map((e) => e.streamVersion)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(client.reads.every((r) => r.maxCount !== undefined && Number(r.maxCount) <= READ_PAGE)).toBe(true);
    expect(client.open).toBe(0);
  });

  it('a limited read of the log asks for what it needs and leaves no read open, also when it stops at `until`', async () => {
    const client = new RecordingClient();
    const store = storeOver(client);
    for (let i = 0; i < 50; i++) await store.append(`org-${i}`, [registered(i)], { expected: 'no_stream' });
    client.reads.length = 0;

    const firstThree = await store.readAll({ limit: 3 });
    const untilTenth = await store.readAll({ until: firstThree[2].globalPosition + 700 });

    expect(firstThree).toHaveLength(3);
    expect(untilTenth).toHaveLength(10);
    expect(client.reads.every((r) => r.maxCount !== undefined && Number(r.maxCount) <= READ_PAGE + 1)).toBe(true);
    expect(client.open).toBe(0);
  });

  it('reads events after a position exactly once across pages', async () => {
    const client = new RecordingClient();
    const store = storeOver(client);
    for (let i = 0; i < READ_PAGE + 40; i++) await store.append(`org-${i}`, [registered(i)], { expected: 'no_stream' });
    const all = await store.readAll({ limit: 100_000 });
    const after = await store.readAll({ after: all[5].globalPosition, limit: 100_000 });

    expect(all).toHaveLength(READ_PAGE + 40);
    expect(after.map((e) => e.globalPosition)).toEqual(all.slice(6).map((e) => e.globalPosition));
    expect(client.open).toBe(0);
  });

  it('headPosition and readEvent leave no read open', async () => {
    const client = new RecordingClient();
    const store = storeOver(client);
    for (let i = 0; i < 30; i++) await store.append(`org-${i}`, [registered(i)], { expected: 'no_stream' });
    const all = await store.readAll();

    expect(await store.headPosition()).toBe(all[29].globalPosition);
    expect((await store.readEvent(all[3].eventId))?.globalPosition).toBe(all[3].globalPosition);
    expect(client.open).toBe(0);
  });
});

describe('KurrentDB adapter: appends', () => {
  it('does not read the stream before appending: one read back of exactly what was appended', async () => {
    const client = new RecordingClient();
    const store = storeOver(client);
    await store.append('budget-1', [registered(1), registered(2)], { expected: 'no_stream', commandId: 'c1' });
    client.reads.length = 0;

    const result = await store.append('budget-1', [registered(3)], { expected: 1, commandId: 'c2' });

    expect(result.events.map((e) => e.streamVersion)).toEqual([2]);
    expect(client.reads).toEqual([{ kind: 'stream', maxCount: 1, direction: expect.anything() }]);
  });

  it('a retried command at the same revision is kept once by the server and answers the first events', async () => {
    const client = new RecordingClient();
    const store = storeOver(client);
    const first = await store.append('budget-1', [registered(1)], { expected: 'no_stream', commandId: 'c1' });
    const retry = await store.append('budget-1', [registered(1)], { expected: 'no_stream', commandId: 'c1' });

    expect(retry.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
    expect(client.log).toHaveLength(1);
  });

  it("an 'any' append with a command id is made once even when another writer moved the stream between a retry's tries", async () => {
    const client = new RecordingClient();
    const store = storeOver(client);
    await store.append('pairings', [registered(1)], { expected: 'any', commandId: 'c1' });
    await store.append('pairings', [registered(2)], { expected: 'any', commandId: 'other' });

    const retry = await store.append('pairings', [registered(1)], { expected: 'any', commandId: 'c1' });

    expect(client.log.filter((e) => (e.metadata as { commandId?: string }).commandId === 'c1')).toHaveLength(1);
    expect(retry.events[0].streamVersion).toBe(0);
    expect(retry.idempotentReplay).toBe(true);
  });
});

describe('KurrentDB adapter: what it refuses to pretend', () => {
  it('refuses to fold a stream whose first events were removed', async () => {
    const firstRevisionKept = new Map<string, number>();
    const client = new RecordingClient(firstRevisionKept);
    const store = storeOver(client);
    for (let i = 0; i < 4; i++) await store.append('budget-1', [registered(i)], { expected: i === 0 ? 'no_stream' : i - 1 });
    firstRevisionKept.set('budget-1', 2);

    await expect(store.readStream('budget-1')).rejects.toBeInstanceOf(TruncatedStreamError);
  });

  it('counts events written by another program instead of dropping them silently', async () => {
    const client = new RecordingClient();
    const store = storeOver(client);
    await store.append('org-1', [registered(1)], { expected: 'no_stream' });
    client.log.push({ streamId: 'foreign', id: 'x', revision: 0n, commit: 9_999n, type: 'SomethingElse', data: {}, metadata: {} });

    expect(await store.readAll()).toHaveLength(1);
    expect(store.foreignEventsSkipped).toBe(1);
  });
});

describe('KurrentDB adapter: the server refusing an append or a read', () => {
  it('maps StreamDeleted and MaxAppendSizeExceeded (the client classes) to the typed errors of the port', async () => {
    const client = new RecordingClient();
    const store = storeOver(client);
    client.appendToStream = async () => {
      throw KurrentStreamDeletedError.fromStreamName('budget-9');
    };
    await expect(store.append('budget-9', [registered(1)], { expected: 'any' })).rejects.toEqual(expect.objectContaining({ name: 'StreamDeletedError', streamId: 'budget-9' }));
    await expect(store.append('budget-9', [registered(1)], { expected: 'any' })).rejects.toBeInstanceOf(StreamDeletedError);
    client.appendToStream = async () => {
      throw MaxAppendSizeExceededError.fromMaxAppendSize(1_048_576);
    };
    await expect(store.append('budget-9', [registered(1)], { expected: 'any' })).rejects.toEqual(expect.objectContaining({ code: 'APPEND_TOO_LARGE', maxBytes: 1_048_576 }));
    await expect(store.append('budget-9', [registered(1)], { expected: 'any' })).rejects.toBeInstanceOf(AppendTooLargeError);

    client.readStream = () => {
      throw KurrentStreamDeletedError.fromStreamName('budget-9');
    };
    await expect(store.readStream('budget-9')).rejects.toBeInstanceOf(StreamDeletedError);
  });
});
