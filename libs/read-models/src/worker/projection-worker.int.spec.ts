import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@liangxin/event-store';
import { projectionContentHash } from '../content-hash';
import { allProjections } from '../projections';
import { rebuildProjections } from '../rebuild/rebuild';
import { SqliteReadModelStore } from '../store/sqlite-read-model-store';
import { appendLoad } from '../testing/append-load';
import { type GeneratedEvent, generateLoad } from '../testing/generate-events';
import { ProjectionThread } from './projection-thread';
import { rebuildInWorkers, shareOut } from './rebuild-in-workers';

const hashes = async (store: SqliteReadModelStore) => {
  const result: Record<string, string> = {};
  for (const projection of allProjections()) result[projection.name] = await projectionContentHash(store, projection);
  return result;
};

describe('projections in worker threads (real SQLite files)', () => {
  let dir: string;
  let events: SqliteEventStore;
  const load: GeneratedEvent[] = [...generateLoad({ seed: 7, events: 3_000 })];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liangxin-projection-worker-'));
    events = SqliteEventStore.open({ file: join(dir, 'events.sqlite'), durability: 'os' });
    await appendLoad(events, load.slice(0, 2_000));
  });
  afterEach(async () => {
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** what the same projections make of the same log in this thread */
  const inThisThread = async () => {
    const store = SqliteReadModelStore.open(dir, 'reference.sqlite');
    await rebuildProjections(events, store, allProjections());
    const result = await hashes(store);
    await store.close();
    return result;
  };

  it('the live projections follow the log from a worker: read-your-writes by position, then the same documents as in this thread', async () => {
    const thread = await ProjectionThread.start({ eventsFile: join(dir, 'events.sqlite'), readModels: { dataDir: dir, fileName: 'live.sqlite' }, live: { pollIntervalMs: 600_000 } });
    try {
      await thread.waitForPosition(await events.headPosition(), 20_000);
      await appendLoad(events, load.slice(2_000));
      const head = await events.headPosition();
      // the poll is ten minutes: reaching the head at all shows the poke woke the worker (no race with a clock on a loaded machine)
      thread.poke();
      await thread.waitForPosition(head, 30_000);
      expect(thread.position).toBe(head);
      const live = SqliteReadModelStore.open(dir, 'live.sqlite');
      expect(await hashes(live)).toEqual(await inThisThread());
      await live.close();
    } finally {
      await thread.stop();
    }
    await expect(thread.waitForPosition(Number.MAX_SAFE_INTEGER)).rejects.toThrow(/stopped/);
  });

  it('a worker that cannot start says why, and start() fails with it', async () => {
    await expect(
      ProjectionThread.start({ eventsFile: join(dir, 'events.sqlite'), readModels: { dataDir: dir, fileName: 'live.sqlite' }, projections: ['no-such-projection'] }),
    ).rejects.toThrow(/Unknown projection\(s\): no-such-projection/);
  });

  it('a rebuild shared between two workers swaps in the same documents as a rebuild in this thread, reporting progress', async () => {
    const file = 'rebuilt.sqlite';
    const store = SqliteReadModelStore.open(dir, file);
    for (const p of allProjections()) await store.register(p.name, p.collections);
    const progress: number[] = [];
    const result = await rebuildInWorkers({
      eventsFile: join(dir, 'events.sqlite'),
      readModels: { dataDir: dir, fileName: file },
      projections: allProjections().map((p) => p.name),
      workers: 2,
      rebuild: { batchSize: 500, flushEvery: 700 },
      onProgress: (p) => progress.push(p.done),
    });
    expect(result.events).toBe(await events.headPosition());
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(result.events);
    expect(await hashes(store)).toEqual(await inThisThread());
    await store.close();
  });

  it('shares projections out by replay cost, every projection exactly once', () => {
    const names = allProjections().map((p) => p.name);
    const two = shareOut(names, 2);
    expect(two).toHaveLength(2);
    expect(two.flat().sort()).toEqual([...names].sort());
    expect(two.find((share) => share.includes('coverage'))).not.toContain('enterprise-status');
    expect(shareOut(['funding'], 4)).toEqual([['funding']]);
  });
});
