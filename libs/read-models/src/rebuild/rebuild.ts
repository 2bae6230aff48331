import type { EventStore } from '@liangxin/event-store';
import type { Projection } from '../projection';
import { ProjectionRunner } from '../runner/projection-runner';
import type { Generation, ReadModelStore } from '../store/port';

export interface RebuildProgress {
  projections: string[];
  /** events read so far */
  done: number;
  /** head of the log as last seen (grows while events keep arriving) */
  total: number;
  eventsPerSecond: number;
  phase: 'replaying' | 'swapped';
}

export interface RebuildOptions {
  batchSize?: number;
  snapshotEvery?: number;
  /** documents per projection kept in memory between batches (default 20 000) */
  cacheDocuments?: number;
  onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

/**
 * Rebuilds projections from position 0 into fresh collections while the live ones keep answering, then
 * swaps each one in as soon as it has caught up with the live checkpoint. Memory stays bounded: the
 * log is read one batch at a time and only that batch's documents are held.
 */
export async function rebuildProjections(
  events: EventStore,
  store: ReadModelStore,
  projections: readonly Projection[],
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const batchSize = options.batchSize ?? 10_000;
  const generations = new Map<string, Generation>();
  for (const p of projections) {
    await store.register(p.name, p.collections);
    generations.set(p.name, await store.createGeneration(p.name, p.collections));
  }
  const runner = new ProjectionRunner(events, store, projections, { batchSize, snapshotEvery: options.snapshotEvery, generations, cacheDocuments: options.cacheDocuments });
  const names = projections.map((p) => p.name);
  const started = performance.now();
  let total = await events.headPosition();
  const report = (phase: RebuildProgress['phase']) => {
    const seconds = (performance.now() - started) / 1000;
    total = Math.max(total, runner.position);
    options.onProgress?.({ projections: names, done: runner.position, total, eventsPerSecond: seconds > 0 ? runner.position / seconds : 0, phase });
  };

  try {
    await runner.prepare();
    const waiting = new Set(generations.values());
    while (waiting.size > 0) {
      const read = await runner.step();
      report('replaying');
      if (read === batchSize) continue;
      total = await events.headPosition();
      for (const generation of [...waiting]) {
        if (await store.promoteGeneration(generation)) waiting.delete(generation);
      }
    }
  } catch (error) {
    for (const generation of generations.values()) await store.dropGeneration(generation).catch(() => undefined);
    throw error;
  }
  report('swapped');
  const seconds = (performance.now() - started) / 1000;
  return { events: runner.position, seconds, eventsPerSecond: seconds > 0 ? runner.position / seconds : 0 };
}
