import { randomUUID } from 'node:crypto';
import type { NewEvent, OrgParentChanged, OrgParentChangedV1Data, RecordedEvent } from '@liangxin/contracts';
import { ConcurrencyError, isConcurrencyError, type EventStore } from '../port';
import { withoutUpcasting, withUpcasting } from '../upcasting-event-store';

/** A small event, as a producer would hand it to the store. */
export const anEvent = (type = 'Happened', data: Record<string, unknown> = {}): NewEvent => ({
  type,
  schemaVersion: 1,
  data,
  metadata: { actor: 'test' },
});

/** Waits until `check` holds, polling; fails with `what` if it never does. */
export const eventually = async (check: () => boolean, what: string, attempts = 500): Promise<void> => {
  for (let i = 0; i < attempts; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Never happened: ${what}`);
};

const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
};

/**
 * The behaviour every EventStore adapter must have. Stream ids are unique per test, and reads of the whole
 * log are narrowed to them, so the suite also runs against a shared server that already holds events.
 */
export const describeEventStoreContract = (name: string, makeStore: () => Promise<EventStore> | EventStore): void => {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let prefix: string;
    const stream = (label: string) => `${prefix}${label}`;

    beforeEach(async () => {
      store = await makeStore();
      prefix = `contract${randomUUID().slice(0, 8)}-`;
    });
    afterEach(async () => {
      await store.close();
    });

    describe('appending and reading a stream', () => {
      it('records events with versions from 0, increasing global positions and a full envelope', async () => {
        const id = stream('a');
        const result = await store.append(id, [anEvent('Opened', { n: 1 }), anEvent('Noted', { n: 2 })], {
          expected: 'no_stream',
        });
        expect(result.nextExpectedVersion).toBe(1);
        expect(result.idempotentReplay).toBe(false);
        expect(result.lastPosition).toBe(result.events[1].globalPosition);

        const events = await store.readStream(id);
        expect(events.map((e) => [e.type, e.streamVersion, e.data])).toEqual([
          ['Opened', 0, { n: 1 }],
          ['Noted', 1, { n: 2 }],
        ]);
        expect(events[1].globalPosition).toBeGreaterThan(events[0].globalPosition);
        expect(events[0]).toMatchObject({ streamId: id, schemaVersion: 1, metadata: { actor: 'test' } });
        expect(typeof events[0].eventId).toBe('string');
        expect(new Date(events[0].recordedAt).toISOString()).toBe(events[0].recordedAt);
        expect(events.map((e) => e.eventId)).toEqual(result.events.map((e) => e.eventId));
      });

      it('keeps a given eventId and occurredAt', async () => {
        const id = stream('given');
        const eventId = randomUUID();
        await store.append(id, [{ ...anEvent(), eventId, occurredAt: '2024-03-01T08:00:00.000Z' }], { expected: 'any' });
        const [event] = await store.readStream(id);
        expect(event.eventId).toBe(eventId);
        expect(event.occurredAt).toBe('2024-03-01T08:00:00.000Z');
      });

      it('finds an event by its id, searching back from a later position, and nothing for an unknown id', async () => {
        const id = stream('by-id');
        const cause = randomUUID();
        await store.append(id, [{ ...anEvent('Cause'), eventId: cause }], { expected: 'no_stream' });
        const { lastPosition } = await store.append(id, [anEvent('Effect')], { expected: 0 });
        expect(await store.readEvent(cause, { before: lastPosition })).toMatchObject({ eventId: cause, type: 'Cause', streamId: id, streamVersion: 0 });
        expect(await store.readEvent(cause)).toMatchObject({ eventId: cause, type: 'Cause' });
        expect(await store.readEvent(randomUUID(), { before: lastPosition })).toBeUndefined();
      });

      it('returns nothing for a stream that does not exist', async () => {
        expect(await store.readStream(stream('missing'))).toEqual([]);
      });

      it('reads a stream from a version and as of a global position', async () => {
        const id = stream('versions');
        await store.append(id, [anEvent('A'), anEvent('B')], { expected: 'no_stream' });
        const { lastPosition } = await store.append(id, [anEvent('C'), anEvent('D')], { expected: 1 });
        expect((await store.readStream(id, { fromVersion: 2 })).map((e) => e.type)).toEqual(['C', 'D']);
        const asOfSecond = (await store.readStream(id))[1].globalPosition;
        expect((await store.readStream(id, { untilPosition: asOfSecond })).map((e) => e.type)).toEqual(['A', 'B']);
        expect((await store.readStream(id, { untilPosition: lastPosition })).length).toBe(4);
      });
    });

    describe('optimistic concurrency', () => {
      it('no_stream fails with a typed ConcurrencyError once the stream exists', async () => {
        const id = stream('ns');
        await store.append(id, [anEvent()], { expected: 'no_stream' });
        const error = await rejectionOf(store.append(id, [anEvent()], { expected: 'no_stream' }));
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(isConcurrencyError(error)).toBe(true);
        expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', streamId: id, expected: 'no_stream', actual: 0 });
      });

      it('stream_exists fails on a missing stream and passes on an existing one', async () => {
        const id = stream('se');
        const error = await rejectionOf(store.append(id, [anEvent()], { expected: 'stream_exists' }));
        expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', actual: 'no_stream' });
        await store.append(id, [anEvent()], { expected: 'any' });
        const result = await store.append(id, [anEvent()], { expected: 'stream_exists' });
        expect(result.nextExpectedVersion).toBe(1);
      });

      it('an exact version passes when current and fails when stale, writing nothing', async () => {
        const id = stream('exact');
        await store.append(id, [anEvent(), anEvent()], { expected: 'no_stream' });
        await store.append(id, [anEvent('Third')], { expected: 1 });
        const error = await rejectionOf(store.append(id, [anEvent('Stale')], { expected: 1 }));
        expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', expected: 1, actual: 2 });
        expect((await store.readStream(id)).map((e) => e.type)).toEqual(['Happened', 'Happened', 'Third']);
      });

      it('of two concurrent appends expecting the same version, exactly one wins', async () => {
        const id = stream('race');
        await store.append(id, [anEvent()], { expected: 'no_stream' });
        const outcomes = await Promise.allSettled([
          store.append(id, [anEvent('Left')], { expected: 0 }),
          store.append(id, [anEvent('Right')], { expected: 0 }),
        ]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(rejected).toHaveLength(1);
        expect(isConcurrencyError(rejected[0].reason)).toBe(true);
        expect(await store.readStream(id)).toHaveLength(2);
      });
    });

    describe('idempotency', () => {
      it('retrying a commandId appends nothing and returns the first result', async () => {
        const id = stream('idem');
        const first = await store.append(id, [anEvent('Once'), anEvent('Twice')], { expected: 'no_stream', commandId: 'cmd-1' });
        await store.append(id, [anEvent('Later')], { expected: 1 });
        const retry = await store.append(id, [anEvent('Once'), anEvent('Twice')], { expected: 'no_stream', commandId: 'cmd-1' });
        expect(retry.idempotentReplay).toBe(true);
        expect(retry.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
        expect(retry.lastPosition).toBe(first.lastPosition);
        expect(retry.nextExpectedVersion).toBe(first.nextExpectedVersion);
        expect((await store.readStream(id)).map((e) => e.type)).toEqual(['Once', 'Twice', 'Later']);
      });

      it('records the commandId in the metadata', async () => {
        const id = stream('idem-meta');
        await store.append(id, [anEvent()], { expected: 'any', commandId: 'cmd-meta' });
        expect((await store.readStream(id))[0].metadata.commandId).toBe('cmd-meta');
      });
    });

    describe('reading the whole log', () => {
      it('preserves per-stream order and interleaves streams in global order', async () => {
        const [a, b] = [stream('order-a'), stream('order-b')];
        for (let i = 0; i < 3; i++) {
          await store.append(a, [anEvent('A', { i })], { expected: i === 0 ? 'no_stream' : i - 1 });
          await store.append(b, [anEvent('B', { i })], { expected: i === 0 ? 'no_stream' : i - 1 });
        }
        const all = await store.readAll({ streamPrefixes: [prefix] });
        expect(all.map((e) => `${e.type}${(e.data as { i: number }).i}`)).toEqual(['A0', 'B0', 'A1', 'B1', 'A2', 'B2']);
        const positions = all.map((e) => e.globalPosition);
        expect([...positions].sort((x, y) => x - y)).toEqual(positions);
        expect(new Set(positions).size).toBe(positions.length);
      });

      it('filters by position, type, stream prefix, limit and until', async () => {
        const start = await store.headPosition();
        await store.append(stream('x-1'), [anEvent('Kept'), anEvent('Dropped')], { expected: 'any' });
        const middle = (await store.append(stream('y-1'), [anEvent('Kept')], { expected: 'any' })).lastPosition;
        await store.append(stream('x-2'), [anEvent('Kept')], { expected: 'any' });

        const mine = { streamPrefixes: [prefix] };
        expect((await store.readAll({ ...mine, after: start })).map((e) => e.streamId)).toEqual([
          stream('x-1'), stream('x-1'), stream('y-1'), stream('x-2'),
        ]);
        expect((await store.readAll({ ...mine, types: ['Kept'] })).map((e) => e.type)).toEqual(['Kept', 'Kept', 'Kept']);
        expect((await store.readAll({ streamPrefixes: [stream('x-')] })).map((e) => e.streamId)).toEqual([
          stream('x-1'), stream('x-1'), stream('x-2'),
        ]);
        expect((await store.readAll({ ...mine, until: middle })).map((e) => e.streamId)).toEqual([
          stream('x-1'), stream('x-1'), stream('y-1'),
        ]);
        expect((await store.readAll({ ...mine, after: middle })).map((e) => e.streamId)).toEqual([stream('x-2')]);
        expect(await store.readAll({ ...mine, limit: 2 })).toHaveLength(2);
        expect(await store.headPosition()).toBeGreaterThan(middle);
      });
    });

    describe('catch-up subscription', () => {
      it('catches up on history, then delivers new events live, in order, until stopped', async () => {
        const id = stream('sub');
        const start = await store.headPosition();
        await store.append(id, [anEvent('Old', { n: 1 }), anEvent('Old', { n: 2 })], { expected: 'no_stream' });
        await store.append(stream('other'), [anEvent('Ignored')], { expected: 'any' });

        const seen: RecordedEvent[] = [];
        let caughtUp = false;
        const subscription = store.subscribeToAll(
          { after: start, streamPrefixes: [stream('sub')], onCaughtUp: () => (caughtUp = true) },
          (event) => {
            seen.push(event);
          },
        );
        await eventually(() => caughtUp && seen.length === 2, 'catch-up of the two old events');

        await store.append(id, [anEvent('New', { n: 3 })], { expected: 1 });
        await store.append(id, [anEvent('New', { n: 4 })], { expected: 2 });
        await eventually(() => seen.length === 4, 'live delivery of the two new events');
        expect(seen.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 3, 4]);
        expect(subscription.position).toBe(seen[3].globalPosition);

        await subscription.stop();
        await store.append(id, [anEvent('AfterStop')], { expected: 3 });
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(seen).toHaveLength(4);
      });

      it('filters by type and starts after the given position', async () => {
        const id = stream('sub-types');
        const { lastPosition } = await store.append(id, [anEvent('Wanted', { n: 0 })], { expected: 'no_stream' });
        await store.append(id, [anEvent('Unwanted'), anEvent('Wanted', { n: 1 })], { expected: 0 });
        const seen: number[] = [];
        const subscription = store.subscribeToAll(
          { after: lastPosition, types: ['Wanted'], streamPrefixes: [prefix] },
          (event) => {
            seen.push((event.data as { n: number }).n);
          },
        );
        await eventually(() => seen.length === 1, 'the one wanted event after the position');
        await store.append(id, [anEvent('Unwanted'), anEvent('Wanted', { n: 2 })], { expected: 2 });
        await eventually(() => seen.length === 2, 'the live wanted event');
        expect(seen).toEqual([1, 2]);
        await subscription.stop();
      });

      it('with until, delivers the history up to that position and ends without going live', async () => {
        const id = stream('sub-until');
        const start = await store.headPosition();
        await store.append(id, [anEvent('Before', { n: 1 })], { expected: 'no_stream' });
        const { lastPosition: until } = await store.append(id, [anEvent('Before', { n: 2 })], { expected: 0 });
        await store.append(id, [anEvent('After', { n: 3 })], { expected: 1 });
        const seen: number[] = [];
        let caughtUp = false;
        const subscription = store.subscribeToAll(
          { after: start, until, streamPrefixes: [prefix], onCaughtUp: () => (caughtUp = true) },
          (event) => {
            seen.push((event.data as { n: number }).n);
          },
        );
        await eventually(() => caughtUp, 'the history up to until');
        await store.append(id, [anEvent('Live', { n: 4 })], { expected: 2 });
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(seen).toEqual([1, 2]);
        expect(subscription.position).toBe(until);
        await subscription.stop();
      });

      it('stops on a handler error and reports it', async () => {
        const id = stream('sub-error');
        const start = await store.headPosition();
        await store.append(id, [anEvent('Poison'), anEvent('Never')], { expected: 'no_stream' });
        const errors: unknown[] = [];
        const handled: string[] = [];
        const subscription = store.subscribeToAll(
          { after: start, streamPrefixes: [prefix] },
          (event) => {
            handled.push(event.type);
            if (event.type === 'Poison') throw new Error('cannot project');
          },
          (error) => errors.push(error),
        );
        await eventually(() => errors.length === 1, 'the handler error to be reported');
        await subscription.stop();
        expect(handled).toEqual(['Poison']);
        expect((errors[0] as Error).message).toBe('cannot project');
      });

      it('stop() waits for the running handler to finish', async () => {
        const id = stream('sub-stop');
        const start = await store.headPosition();
        await store.append(id, [anEvent()], { expected: 'no_stream' });
        let release!: () => void;
        let finished = false;
        let started = false;
        const subscription = store.subscribeToAll({ after: start, streamPrefixes: [prefix] }, async () => {
          started = true;
          await new Promise<void>((resolve) => (release = resolve));
          finished = true;
        });
        await eventually(() => started, 'the handler to start');
        const stopping = subscription.stop();
        release();
        await stopping;
        expect(finished).toBe(true);
      });
    });
    describe('schema evolution: version-1 events stored, the current version read through the upcasting decorator', () => {
      const moveV1 = (orgId: string, data: Partial<OrgParentChangedV1Data> = {}): NewEvent => ({
        type: 'OrgParentChanged',
        schemaVersion: 1,
        data: { orgId, district: '430102', parentOrgId: 'committee-1', previousParentOrgId: null, reason: 'industry chain', ...data },
        metadata: { actor: 'officer-1' },
      });
      const asV2 = (event: RecordedEvent) => {
        const move = event as unknown as RecordedEvent<OrgParentChanged>;
        return [move.type, move.schemaVersion, move.data.automatic, move.data.orgId];
      };

      it('readStream, readAll, readEvent and subscribeToAll hand back version 2; the store keeps version 1', async () => {
        const upcasting = withUpcasting(store);
        const stored = withoutUpcasting(store);
        const id = stream('org-evolved');
        const start = await store.headPosition();
        const { events: appended } = await store.append(id, [moveV1('o-1'), moveV1('o-1', { automatic: true, policyVersion: 'p-1', reason: 'parent-dissolved' })], { expected: 'no_stream' });
        const expected = [
          ['OrgParentChanged', 2, false, 'o-1'],
          ['OrgParentChanged', 2, true, 'o-1'],
        ];

        expect((await upcasting.readStream(id)).map(asV2)).toEqual(expected);
        expect((await upcasting.readAll({ after: start, streamPrefixes: [prefix] })).map(asV2)).toEqual(expected);
        const byId = await upcasting.readEvent(appended[0].eventId);
        expect(byId && asV2(byId)).toEqual(expected[0]);

        const seen: RecordedEvent[] = [];
        const subscription = upcasting.subscribeToAll({ after: start, streamPrefixes: [prefix] }, (event) => {
          seen.push(event);
        });
        await eventually(() => seen.length === 2, 'the two stored version-1 events');
        await store.append(id, [moveV1('o-1', { parentOrgId: null, previousParentOrgId: 'committee-1' })], { expected: 1 });
        await eventually(() => seen.length === 3, 'the version-1 event appended live');
        await subscription.stop();
        expect(seen.map(asV2)).toEqual([...expected, ['OrgParentChanged', 2, false, 'o-1']]);

        const retry = await upcasting.append(id, [moveV1('o-2')], { expected: 'any', commandId: 'cmd-evolved' });
        const replay = await upcasting.append(id, [moveV1('o-2')], { expected: 'any', commandId: 'cmd-evolved' });
        expect(retry.events.map((e) => e.schemaVersion)).toEqual([1]);
        expect(replay.events.map(asV2)).toEqual([['OrgParentChanged', 2, false, 'o-2']]);

        expect((await stored.readStream(id)).map((e) => [e.schemaVersion, 'automatic' in e.data])).toEqual([
          [1, false],
          [1, true],
          [1, false],
          [1, false],
        ]);
      });

      it('leaves the adapter reachable: head position and close go to the store underneath', async () => {
        const upcasting = withUpcasting(store);
        await store.append(stream('head'), [anEvent()], { expected: 'no_stream' });
        expect(await upcasting.headPosition()).toBe(await store.headPosition());
        expect(withUpcasting(upcasting)).toBe(upcasting);
        expect(withoutUpcasting(withoutUpcasting(upcasting))).toBe(withoutUpcasting(store));
      });
    });
  });
};
