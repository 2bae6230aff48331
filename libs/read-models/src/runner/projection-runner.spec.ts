import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@liangxin/event-store';
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
