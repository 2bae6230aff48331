import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RebuildOptions, RebuildProgress, RebuildResult } from '../rebuild/rebuild';
import { type FromProjectionWorker, fromWorkerError, type ProjectionWorkerData } from './protocol';
import { PROJECTION_WORKER_BOOTSTRAP } from './projection-thread';

/** what one rebuild may hold in memory, all workers together (rebuildProjections' defaults for one thread) */
const REBUILD_MEMORY = { cacheDocuments: 200_000, maxDirtyDocuments: 100_000 };
const REBUILD_PAGE_CACHE_MB = 128;
/**
 * V8 lets a heap grow far past what it holds alive before collecting; a limit makes each worker collect
 * sooner (at a million events: peak RSS 1 154 MB without, 776 MB with, and no slower). The cache bounds
 * above keep what is alive well under it.
 */
const REBUILD_HEAP_MB = 640;

/**
 * Relative cost of replaying each projection (per event, measured alone on a generated log), to share
 * them out evenly between workers; an unknown projection counts as the dearest.
 */
const REPLAY_COST: Readonly<Record<string, number>> = {
  coverage: 11,
  'enterprise-status': 8,
  'audit-index': 5,
  'organisation-status': 4,
  funding: 1,
  evaluation: 1,
  'service-requests': 1,
  'org-proposals': 1,
  'instructor-reviews': 1,
};

/** Splits projections into `groups` sets of about equal replay cost (dearest first, each to the cheapest group). */
export function shareOut(names: readonly string[], groups: number): string[][] {
  const shares = Array.from({ length: Math.max(1, Math.min(groups, names.length)) }, () => ({ names: [] as string[], cost: 0 }));
  const cost = (name: string) => REPLAY_COST[name] ?? Math.max(...Object.values(REPLAY_COST));
  for (const name of [...names].sort((a, b) => cost(b) - cost(a))) {
    const cheapest = shares.reduce((best, share) => (share.cost < best.cost ? share : best));
    cheapest.names.push(name);
    cheapest.cost += cost(name);
  }
  return shares.map((share) => share.names);
}

export interface RebuildInWorkersOptions extends Omit<ProjectionWorkerData, 'task' | 'projections'> {
  /** names of the projections to rebuild */
  projections: readonly string[];
  /** worker threads to share them between (default: the cores there are, at most one per projection) */
  workers?: number;
  /** V8 heap all the workers together may use (default 640 MB), shared out like the caches */
  heapLimitMb?: number;
  rebuild?: Omit<RebuildOptions, 'onProgress'>;
  onProgress?: (progress: RebuildProgress) => void;
}

/**
 * Rebuilds projections on SQLite in several worker threads at once, each replaying the log for its share of
 * the projections into fresh generations and swapping each in when caught up (as rebuildProjections does
 * alone). Replay is CPU-bound, so on a machine with several cores the shares run side by side.
 */
export async function rebuildInWorkers(options: RebuildInWorkersOptions): Promise<RebuildResult> {
  const { projections, workers, heapLimitMb = REBUILD_HEAP_MB, rebuild, onProgress, ...where } = options;
  const shares = shareOut(projections, workers ?? availableParallelism());
  // The memory a rebuild may use is shared out too, so that more threads do not mean more memory: each
  // worker holds fewer projections, hence fewer documents, and gets its part of the budget.
  const budget = { ...REBUILD_MEMORY, ...rebuild };
  const perWorker: Omit<RebuildOptions, 'onProgress'> = {
    ...rebuild,
    cacheDocuments: Math.ceil(budget.cacheDocuments / shares.length),
    maxDirtyDocuments: Math.ceil(budget.maxDirtyDocuments / shares.length),
  };
  const pageCacheMb = Math.ceil(REBUILD_PAGE_CACHE_MB / shares.length);
  const started = performance.now();
  const progressOf = new Map<number, RebuildProgress>();
  const report = () => {
    const all = [...progressOf.values()];
    if (all.length < shares.length) return;
    const done = Math.min(...all.map((p) => p.done));
    const seconds = (performance.now() - started) / 1000;
    onProgress?.({
      projections: [...projections],
      done,
      total: Math.max(...all.map((p) => p.total)),
      eventsPerSecond: seconds > 0 ? done / seconds : 0,
      phase: all.every((p) => p.phase === 'swapped') ? 'swapped' : 'replaying',
    });
  };
  const running = shares.map(
    (share, index) =>
      new Promise<RebuildResult>((resolve, reject) => {
        const workerData: ProjectionWorkerData = {
          ...where,
          readModels: { pageCacheMb, ...where.readModels },
          projections: share,
          task: { kind: 'rebuild', options: perWorker },
        };
        const worker = new Worker(PROJECTION_WORKER_BOOTSTRAP, {
          workerData,
          execArgv: [],
          resourceLimits: { maxOldGenerationSizeMb: Math.ceil(heapLimitMb / shares.length) },
        });
        let outcome: { result: RebuildResult } | { error: Error } | undefined;
        worker.on('message', (message: FromProjectionWorker) => {
          if (message.type === 'progress') {
            progressOf.set(index, message.progress);
            report();
          } else if (message.type === 'done') outcome = { result: message.result };
          else if (message.type === 'failed') outcome = { error: fromWorkerError(message.error) };
        });
        worker.once('error', (error) => (outcome ??= { error }));
        worker.once('exit', (code) => {
          if (outcome && 'result' in outcome) resolve(outcome.result);
          else reject(outcome?.error ?? new Error(`rebuild worker for ${share.join(', ')} exited with code ${code}`));
        });
      }),
  );
  const results = await Promise.allSettled(running);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const events = Math.max(...results.map((r) => (r as PromiseFulfilledResult<RebuildResult>).value.events));
  const seconds = (performance.now() - started) / 1000;
  return { events, seconds, eventsPerSecond: seconds > 0 ? events / seconds : 0 };
}
