import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore, withUpcasting } from '@liangxin/event-store';
import type { Projection } from '../projection';
import { allProjections } from '../projections';
import { rebuildProjections } from '../rebuild/rebuild';
import { ProjectionRunner } from '../runner/projection-runner';
import { SqliteReadModelStore } from '../store/sqlite-read-model-store';
import { type FromProjectionWorker, type ProjectionWorkerData, type ToProjectionWorker, toWorkerError } from './protocol';

/** The projections a worker runs, chosen by name from the ones the system serves. */
export function projectionsNamed(data: Pick<ProjectionWorkerData, 'coverageTarget' | 'projections'>): Projection[] {
  const every = allProjections({ coverage: { target: data.coverageTarget } });
  if (!data.projections) return every;
  const unknown = data.projections.filter((name) => !every.some((p) => p.name === name));
  if (unknown.length > 0) throw new Error(`Unknown projection(s): ${unknown.join(', ')}`);
  return every.filter((p) => data.projections?.includes(p.name));
}

/** Runs in a worker thread: the live projections, or a rebuild of some of them, on the SQLite files. */
export function runProjectionWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runProjectionWorker runs in a worker thread');
  const data = workerData as ProjectionWorkerData;
  const post = (message: FromProjectionWorker) => port.postMessage(message);
  const events = withUpcasting(SqliteEventStore.openReader({ file: data.eventsFile }));
  const store = SqliteReadModelStore.open(data.readModels.dataDir, data.readModels.fileName, { pageCacheMb: data.readModels.pageCacheMb });
  const closeStores = async () => {
    await store.close();
    await events.close();
  };
  const fail = (error: unknown) => {
    post({ type: 'failed', error: toWorkerError(error) });
    void closeStores().finally(() => port.close());
  };

  try {
    const projections = projectionsNamed(data);
    const task = data.task;
    if (task.kind === 'rebuild') {
      rebuildProjections(events, store, projections, { ...task.options, onProgress: (progress) => post({ type: 'progress', progress }) })
        .then(async (result) => {
          await closeStores();
          post({ type: 'done', result });
          port.close();
        })
        .catch(fail);
      return;
    }
    const runner = new ProjectionRunner(events, store, projections, {
      pollIntervalMs: task.pollIntervalMs,
      batchSize: task.batchSize,
      snapshotEvery: task.snapshotEvery,
      onPosition: (position) => post({ type: 'position', position }),
      onError: fail,
    });
    if (task.appended) watchAppends(task.appended, () => runner.poke());
    port.on('message', (message: ToProjectionWorker) => {
      if (message === 'stop') {
        void runner
          .stop()
          .then(closeStores)
          .then(() => {
            post({ type: 'stopped' });
            port.close();
          })
          .catch(fail);
      }
    });
    runner.start().then(() => post({ type: 'started', position: runner.position }), fail);
  } catch (error) {
    fail(error);
  }
}

/** while appends keep coming, look for the next one every millisecond; after a quiet second, every 20 ms */
const BUSY_LOOK_MS = 1;
const IDLE_LOOK_MS = 20;
const QUIET_AFTER_MS = 1_000;

/** Calls `onAppend` when the appending thread has counted a new append in the shared counter. */
function watchAppends(appended: Int32Array, onAppend: () => void): void {
  let seen = Atomics.load(appended, 0);
  let lastAppend = 0;
  const look = () => {
    const now = Atomics.load(appended, 0);
    if (now !== seen) {
      seen = now;
      lastAppend = performance.now();
      onAppend();
    }
    setTimeout(look, performance.now() - lastAppend < QUIET_AFTER_MS ? BUSY_LOOK_MS : IDLE_LOOK_MS).unref();
  };
  look();
}
