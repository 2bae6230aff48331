import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type EventStore } from '@liangxin/event-store';
import { ORGANISATION_STATUS, organisationStatusProjection } from '../projections';
import { SqliteReadModelStore } from '../store/sqlite-read-model-store';
import { ProjectionRunner } from './projection-runner';

describe('ProjectionRunner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liangxin-runner-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const formed = (orgId: string) => ({
    type: 'OrgFormed',
    schemaVersion: 1,
    data: { orgId, district: '430100', name: orgId, mode: 'standalone', level: 'branch', committeeSize: 0, enterprises: [], fullMembers: 3, probationaryMembers: 0 },
    metadata: { actor: 'test' },
  });

  it('gives read-your-writes with waitForPosition and resumes from its checkpoint after a restart', async () => {
    const events = SqliteEventStore.open({ file: join(dir, 'events.db'), durability: 'os', pollIntervalMs: 1_000 });
    const store = SqliteReadModelStore.open(dir);
    const runner = new ProjectionRunner(events, store, [organisationStatusProjection], { pollIntervalMs: 60_000 });
    await runner.start();
    const { lastPosition } = await events.append('org-o1', [formed('o1')], { expected: 'no_stream' });
    await runner.waitForPosition(lastPosition, 2_000);
    expect(await store.get(ORGANISATION_STATUS, 'o1')).toMatchObject({ position: lastPosition, body: { status: 'active' } });
    await runner.stop();

    await events.append('org-o2', [formed('o2')], { expected: 'no_stream' });
    const restarted = new ProjectionRunner(events, store, [organisationStatusProjection], { pollIntervalMs: 60_000 });
    await restarted.start();
    expect(restarted.position).toBe(lastPosition);
    await restarted.waitForPosition(lastPosition + 1, 2_000);
    expect(await store.get(ORGANISATION_STATUS, 'o2')).toBeDefined();
    expect(await store.checkpoint('organisation-status')).toBe(lastPosition + 1);
    await expect(restarted.waitForPosition(lastPosition + 5, 50)).rejects.toThrow(/did not reach position/);
    await restarted.stop();
    await events.close();
    await store.close();
  });

  /** The SQLite store with commitAll failing while `failing` > 0 (a step-down, a reset connection), at the port boundary. */
  const flakyStore = (store: SqliteReadModelStore) => {
    const control = { failing: 0, attempts: 0 };
    const flaky = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'commitAll') {
          return async (...args: Parameters<SqliteReadModelStore['commitAll']>) => {
            control.attempts++;
            if (control.failing > 0) {
              control.failing--;
              throw Object.assign(new Error('not primary (step-down)'), { code: 10107 });
            }
            return target.commitAll(...args);
          };
        }
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return { flaky, control };
  };

  it('retries a batch that failed transiently, with backoff, without reporting it', async () => {
    const events = SqliteEventStore.open({ file: join(dir, 'transient.db'), durability: 'os', pollIntervalMs: 1_000 });
    const store = SqliteReadModelStore.open(dir, 'transient.sqlite');
    const { flaky, control } = flakyStore(store);
    const reported: unknown[] = [];
    const retried: number[] = [];
    const runner = new ProjectionRunner(events, flaky, [organisationStatusProjection], {
      pollIntervalMs: 60_000,
      retryBackoffMs: 10,
      failuresBeforeReport: 3,
      onError: (error) => reported.push(error),
      onRetry: (_error, failures) => retried.push(failures),
    });
    try {
      await runner.start();
      control.failing = 2;
      const { lastPosition } = await events.append('org-t1', [formed('t1')], { expected: 'no_stream' });
      await runner.waitForPosition(lastPosition, 5_000);
      expect(retried).toEqual([1, 2]);
      expect(reported).toEqual([]);
      expect(runner.failure).toBeUndefined();
      expect(await store.get(ORGANISATION_STATUS, 't1')).toMatchObject({ position: lastPosition });
    } finally {
      await runner.stop();
      await events.close();
      await store.close();
    }
  });

  it('reports a failure that persists while it persists, keeps retrying, and clears it once a batch succeeds', async () => {
    const events = SqliteEventStore.open({ file: join(dir, 'persistent.db'), durability: 'os', pollIntervalMs: 1_000 });
    const store = SqliteReadModelStore.open(dir, 'persistent.sqlite');
    const { flaky, control } = flakyStore(store);
    const reported: unknown[] = [];
    const runner = new ProjectionRunner(events, flaky, [organisationStatusProjection], {
      pollIntervalMs: 60_000,
      retryBackoffMs: 5,
      maxRetryBackoffMs: 20,
      failuresBeforeReport: 3,
      onError: (error) => reported.push(error),
    });
    try {
      await runner.start();
      control.failing = Number.POSITIVE_INFINITY;
      const { lastPosition } = await events.append('org-p1', [formed('p1')], { expected: 'no_stream' });
      runner.poke();
      const deadline = Date.now() + 5_000;
      while (control.attempts < 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(runner.failure).toMatchObject({ message: 'not primary (step-down)' });
      expect(reported).toHaveLength(1);

      control.failing = 0;
      await runner.waitForPosition(lastPosition, 5_000);
      expect(runner.failure).toBeUndefined();
      expect(await store.get(ORGANISATION_STATUS, 'p1')).toMatchObject({ position: lastPosition });
    } finally {
      await runner.stop();
      await events.close();
      await store.close();
    }
  });

  it('snapshots every N events, counted, when positions are byte offsets (as on KurrentDB)', async () => {
    const inner = SqliteEventStore.open({ file: join(dir, 'offsets.db'), durability: 'os', pollIntervalMs: 1_000 });
    const BYTES = 1_000; // every event moves the position by a kilobyte
    const offsets: EventStore = {
      ...inner,
      append: inner.append.bind(inner),
      readStream: inner.readStream.bind(inner),
      readEvent: inner.readEvent.bind(inner),
      subscribeToAll: inner.subscribeToAll.bind(inner),
      close: inner.close.bind(inner),
      readAll: async (options = {}) =>
        (await inner.readAll({ ...options, after: Math.floor((options.after ?? 0) / BYTES) })).map((e) => ({ ...e, globalPosition: e.globalPosition * BYTES })),
      headPosition: async () => (await inner.headPosition()) * BYTES,
    };
    const store = SqliteReadModelStore.open(dir, 'offsets.sqlite');
    for (let i = 1; i <= 7; i++) await inner.append(`org-b${i}`, [formed(`b${i}`)], { expected: 'no_stream' });
    const runner = new ProjectionRunner(offsets, store, [organisationStatusProjection], { pollIntervalMs: 60_000, batchSize: 1, snapshotEvery: 3 });
    try {
      await runner.start();
      await runner.waitForPosition(7 * BYTES, 5_000);
      const marks = [];
      for (let p = 1; p <= 7; p++) marks.push((await store.nearestSnapshot('organisation-status', { position: p * BYTES }))?.position);
      expect(marks).toEqual([undefined, undefined, 3 * BYTES, 3 * BYTES, 3 * BYTES, 6 * BYTES, 6 * BYTES]);
    } finally {
      await runner.stop();
      await inner.close();
      await store.close();
    }
  });

  it('rebuilds a projection whose stored collections differ from its code (an older version) before going live', async () => {
    const events = SqliteEventStore.open({ file: join(dir, 'versions.db'), durability: 'os', pollIntervalMs: 1_000 });
    const store = SqliteReadModelStore.open(dir, 'versions.sqlite');
    // what an older version stored: another set of collections, documents counted its own way
    await store.register('organisation-status', [ORGANISATION_STATUS, 'organisation-status.retired-helper']);
    const { lastPosition } = await events.append('org-v1', [formed('v1')], { expected: 'no_stream' });
    await store.commit('organisation-status', [{ collection: ORGANISATION_STATUS, id: 'v1', body: { counted: 'the old way' }, position: lastPosition }], lastPosition);
    const runner = new ProjectionRunner(events, store, [organisationStatusProjection], { pollIntervalMs: 60_000 });
    try {
      await runner.start();
      expect(runner.position).toBe(lastPosition);
      expect(await store.get(ORGANISATION_STATUS, 'v1')).toMatchObject({ body: { orgId: 'v1', status: 'active' } });
      expect((await store.get(ORGANISATION_STATUS, 'v1'))?.body).not.toHaveProperty('counted');
    } finally {
      await runner.stop();
      await events.close();
      await store.close();
    }
  });

  it('stages a batch again on the swapped-in generation when a rebuild replaced the one it was staged on', async () => {
    const events = SqliteEventStore.open({ file: join(dir, 'swap-events.db'), durability: 'os', pollIntervalMs: 1_000 });
    const live = SqliteReadModelStore.open(dir, 'swap.sqlite');
    const rebuilder = SqliteReadModelStore.open(dir, 'swap.sqlite');
    // the store as the runner sees it, but a rebuild swaps a generation in at the worst moment: after the
    // runner has staged its next batch (on the old generation) and before it commits
    let swapBeforeNextCommit = false;
    const store = Object.create(live, {
      commitAll: {
        value: async (commits: Parameters<SqliteReadModelStore['commitAll']>[0]) => {
          if (swapBeforeNextCommit) {
            swapBeforeNextCommit = false;
            const current = await rebuilder.get<Record<string, unknown>>(ORGANISATION_STATUS, 'r1');
            const generation = await rebuilder.createGeneration('organisation-status', organisationStatusProjection.collections);
            // the rebuilt document differs from the live one (as after a projection's code changed)
            await rebuilder.commit('organisation-status', [{ collection: ORGANISATION_STATUS, id: 'r1', body: { ...current?.body, rebuilt: true }, position: current?.position ?? 1 }], current?.position ?? 1, generation);
            expect(await rebuilder.promoteGeneration(generation)).toBe(true);
          }
          return live.commitAll(commits);
        },
      },
    }) as SqliteReadModelStore;
    const runner = new ProjectionRunner(events, store, [organisationStatusProjection], { pollIntervalMs: 20 });
    await runner.start();
    await events.append('org-r1', [formed('r1')], { expected: 'no_stream' });
    await runner.waitForPosition(await events.headPosition(), 2_000);
    swapBeforeNextCommit = true;
    const levelChanged = { type: 'OrgLevelChanged', schemaVersion: 1, data: { orgId: 'r1', district: '430100', level: 'general-branch', committeeSize: 5 }, metadata: { actor: 'test' } };
    const { lastPosition } = await events.append('org-r1', [levelChanged], { expected: 0 });
    await runner.waitForPosition(lastPosition, 2_000);
    // staged again on the rebuilt document: the rebuild's version with the change applied, not the old one's
    expect(await live.get(ORGANISATION_STATUS, 'r1')).toMatchObject({ position: lastPosition, body: { rebuilt: true, level: 'general-branch', committeeSize: 5 } });
    expect(await live.checkpoint('organisation-status')).toBe(lastPosition);
    await runner.stop();
    await rebuilder.close();
    await live.close();
    await events.close();
  });
});
