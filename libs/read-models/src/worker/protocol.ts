import type { RebuildOptions, RebuildProgress, RebuildResult } from '../rebuild/rebuild';

/** Where a projection worker finds the log and the read models, and what it runs. */
export interface ProjectionWorkerData {
  /** the SQLite event store's file, opened read-only */
  eventsFile: string;
  readModels: { dataDir: string; fileName: string; pageCacheMb?: number };
  /** coverage target the coverage projection rates against */
  coverageTarget?: number;
  /** names of the projections this worker runs (every projection when absent) */
  projections?: string[];
  task: LiveTask | RebuildTask;
}

export interface LiveTask {
  kind: 'live';
  /**
   * Shared with the thread that appends: it adds 1 to element 0 whenever something was appended, and the
   * worker looks every millisecond or so while busy. Cheaper than a message per append for both threads.
   */
  appended?: Int32Array;
  pollIntervalMs?: number;
  batchSize?: number;
  snapshotEvery?: number;
}

export interface RebuildTask {
  kind: 'rebuild';
  options: Omit<RebuildOptions, 'onProgress'>;
}

export interface WorkerError {
  name: string;
  message: string;
  stack?: string;
}

export type FromProjectionWorker =
  | { type: 'started'; position: number }
  | { type: 'position'; position: number }
  | { type: 'progress'; progress: RebuildProgress }
  | { type: 'done'; result: RebuildResult }
  | { type: 'failed'; error: WorkerError }
  | { type: 'stopped' };

export type ToProjectionWorker = 'stop';

export const toWorkerError = (error: unknown): WorkerError =>
  error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { name: 'Error', message: String(error) };

export const fromWorkerError = (error: WorkerError): Error => Object.assign(new Error(error.message), { name: error.name, stack: error.stack });
