import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PositionWaiters } from '../runner/position-waiters';
import type { LiveProjections } from '../runner/projection-runner';
import { type FromProjectionWorker, fromWorkerError, type LiveTask, type ProjectionWorkerData, type ToProjectionWorker } from './protocol';

export const PROJECTION_WORKER_BOOTSTRAP = join(__dirname, 'projection-worker.bootstrap.js');
/** compiling the projections' modules takes about a second; a minute means something is stuck */
const STARTUP_TIMEOUT_MS = 60_000;

export interface ProjectionThreadOptions extends Omit<ProjectionWorkerData, 'task'> {
  live?: Omit<LiveTask, 'kind' | 'appended'>;
  /** told when the projections stop on an error (a projection that throws, a store that fails) */
  onError?: (error: Error) => void;
}

/**
 * The live projections in a worker thread of their own, over the same SQLite files: applying events and
 * writing read models then never holds up the thread answering HTTP. This side only learns the position
 * the worker has committed, wakes it on appends and lets requests wait for a position.
 */
export class ProjectionThread implements LiveProjections {
  private readonly waiters = new PositionWaiters();
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    /** counts appends for the worker to see (see LiveTask.appended) */
    private readonly appended: Int32Array,
    private readonly onError?: (error: Error) => void,
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
  }

  static async start(options: ProjectionThreadOptions): Promise<ProjectionThread> {
    const { live, onError, ...where } = options;
    const appended = new Int32Array(new SharedArrayBuffer(4));
    const workerData: ProjectionWorkerData = { ...where, task: { kind: 'live', ...live, appended } };
    // execArgv: [] so a parent's `-r tools/register.js` is not loaded beside the bootstrap's own compiler
    const worker = new Worker(PROJECTION_WORKER_BOOTSTRAP, { workerData, execArgv: [] });
    const thread = new ProjectionThread(worker, appended, onError);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`projection worker did not start within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS);
      const settle = (error?: Error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      worker.on('message', (message: FromProjectionWorker) => thread.receive(message, settle));
      worker.once('error', (error) => {
        thread.fail(error);
        settle(error);
      });
      worker.once('exit', (code) => {
        if (!thread.failure && code !== 0) thread.fail(new Error(`projection worker exited with code ${code}`));
        settle(thread.failure ?? new Error('projection worker exited before it started'));
      });
    }).catch(async (error) => {
      await worker.terminate();
      throw error;
    });
    return thread;
  }

  get failure(): Error | undefined {
    return this.waiters.failed as Error | undefined;
  }

  get position(): number {
    return this.waiters.position;
  }

  poke(): void {
    // no message, no system call: the worker watches this counter while appends keep coming
    Atomics.add(this.appended, 0, 1);
  }

  waitForPosition(position: number, timeoutMs = 5_000): Promise<void> {
    return this.waiters.wait(position, timeoutMs, () => this.poke());
  }

  async stop(): Promise<void> {
    if (!this.failure) this.worker.postMessage('stop' satisfies ToProjectionWorker);
    await this.exited;
    this.fail(new Error('The projections have stopped'));
  }

  private receive(message: FromProjectionWorker, started: (error?: Error) => void): void {
    switch (message.type) {
      case 'started':
        this.waiters.advance(message.position);
        started();
        break;
      case 'position':
        this.waiters.advance(message.position);
        break;
      case 'failed': {
        const error = fromWorkerError(message.error);
        this.fail(error);
        this.onError?.(error);
        started(error);
        break;
      }
      default:
        break;
    }
  }

  private fail(error: Error): void {
    this.waiters.fail(error);
  }
}
