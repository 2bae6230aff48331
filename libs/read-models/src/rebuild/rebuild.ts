import type { RecordedEvent } from '@liangxin/contracts';
import type { EventStore } from '@liangxin/event-store';
import { handles, type Projection } from '../projection';
import type { Generation, ProjectionCommit, ReadModelStore } from '../store/port';
import { WriteBackCache } from './write-back-cache';

export interface RebuildProgress {
  projections: string[];
  /** log position reached: a share of `total`, not a count (KurrentDB positions are byte offsets) */
  done: number;
  /** head of the log as last seen (grows while events keep arriving) */
  total: number;
  /** counted from the events read */
  eventsPerSecond: number;
  phase: 'replaying' | 'swapped';
}

export interface RebuildOptions {
  /** events read from the log per page (default 10 000) */
  batchSize?: number;
  /**
   * events applied in memory between two writes of the changed documents (default 50 000). Each flush
   * is one transaction for every projection, with their checkpoints; snapshots are taken at the flushes
   * after `snapshotEvery` events or more, so the snapshots of a rebuilt generation are at least this many events apart.
   */
  flushEvery?: number;
  /** take a snapshot for time travel at the first flush after each this many events (default 10 000; 0 = never) */
  snapshotEvery?: number;
  /** documents kept in memory between flushes, written or not (default 200 000, all projections together) */
  cacheDocuments?: number;
  /** changed documents that force a flush before `flushEvery` events (default 100 000): bounds memory at any scale */
  maxDirtyDocuments?: number;
  onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

/**
 * Rebuilds projections from position 0 into fresh collections while the live ones keep answering, then
 * swaps each one in as soon as it has caught up with the live checkpoint.
 *
 * The replay keeps the documents it works on in a write-back cache and writes each changed document
 * once per flush (every `flushEvery` events), however many events changed it, in one transaction for
 * all projections together with their checkpoints. Memory stays bounded: the log is read a page at a
 * time, clean documents are evicted least recently used first, and too many changed documents force an
 * early flush.
 */
export async function rebuildProjections(
  events: EventStore,
  store: ReadModelStore,
  projections: readonly Projection[],
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const pageSize = options.batchSize ?? 10_000;
  const flushEvery = options.flushEvery ?? 50_000;
  const snapshotEvery = options.snapshotEvery ?? 10_000;
  const maxDirty = options.maxDirtyDocuments ?? 100_000;
  const generations = new Map<Projection, Generation>();
  for (const p of projections) {
    await store.register(p.name, p.collections, p.queriedBy);
    generations.set(p, await store.createGeneration(p.name, p.collections, p.queriedBy));
  }
  const generationOfCollection = new Map<string, Generation>();
  for (const generation of generations.values()) for (const c of generation.collections) generationOfCollection.set(c, generation);

  const names = projections.map((p) => p.name);
  const started = performance.now();
  let total = await events.headPosition();
  const cache = new WriteBackCache({ capacity: options.cacheDocuments ?? 200_000, expectedDocuments: Math.max(total, 1) }, (collection, id) =>
    store.get(collection, id, generationOfCollection.get(collection)),
  );
  /** projections still replaying (a promoted one belongs to the live runner from then on) */
  let replaying = [...projections];
  /** events read since each projection's last snapshot: counted, since positions may be byte offsets */
  const sinceSnapshot = new Map<Projection, number>();
  let position = 0;
  let eventsRead = 0;
  let unflushed = 0;
  let lastEvent: RecordedEvent | undefined;

  const report = (phase: RebuildProgress['phase']) => {
    const seconds = (performance.now() - started) / 1000;
    total = Math.max(total, position);
    options.onProgress?.({ projections: names, done: position, total, eventsPerSecond: seconds > 0 ? eventsRead / seconds : 0, phase });
  };
  const flush = async () => {
    if (!lastEvent || unflushed === 0) return;
    const commits: ProjectionCommit[] = [];
    for (const projection of replaying) {
      const commit: ProjectionCommit = { projection: projection.name, changes: cache.takeChanges(projection.collections), checkpoint: position, generation: generations.get(projection) };
      if (snapshotEvery > 0 && projection.snapshots !== false && (sinceSnapshot.get(projection) ?? 0) >= snapshotEvery) {
        commit.snapshot = { recordedAt: lastEvent.recordedAt };
        sinceSnapshot.set(projection, 0);
      }
      commits.push(commit);
    }
    await store.commitAll(commits);
    unflushed = 0;
    cache.evict();
  };

  try {
    while (replaying.length > 0) {
      const page = await events.readAll({ after: position, limit: pageSize });
      for (const event of page) {
        for (const projection of replaying) if (handles(projection, event)) await projection.apply(event, cache.context);
      }
      if (page.length > 0) {
        lastEvent = page[page.length - 1];
        position = lastEvent.globalPosition;
        unflushed += page.length;
        eventsRead += page.length;
        for (const projection of replaying) sinceSnapshot.set(projection, (sinceSnapshot.get(projection) ?? 0) + page.length);
      }
      report('replaying');
      const caughtUp = page.length < pageSize;
      if (caughtUp || unflushed >= flushEvery || cache.dirtyCount >= maxDirty) await flush();
      if (!caughtUp) continue;
      total = await events.headPosition();
      const stillBehind: Projection[] = [];
      for (const projection of replaying) {
        if (!(await store.promoteGeneration(generations.get(projection) as Generation))) stillBehind.push(projection);
      }
      replaying = stillBehind;
    }
  } catch (error) {
    for (const projection of replaying) await store.dropGeneration(generations.get(projection) as Generation).catch(() => undefined);
    throw error;
  }
  report('swapped');
  const seconds = (performance.now() - started) / 1000;
  return { events: eventsRead, seconds, eventsPerSecond: seconds > 0 ? eventsRead / seconds : 0 };
}
