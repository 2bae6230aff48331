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
});
