import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LiveProjections } from '../runner/projection-runner';
import { type FromProjectionWorker, fromWorkerError, type LiveTask, type ProjectionWorkerData, type ToProjectionWorker } from './protocol';

export const PROJECTION_WORKER_BOOTSTRAP = join(__dirname, 'projection-worker.bootstrap.js');
/** compiling the projections' modules takes about a second; a minute means something is stuck */
const STARTUP_TIMEOUT_MS = 60_000;

export interface ProjectionThreadOptions extends Omit<ProjectionWorkerData, 'task'> {
  live?: Omit<LiveTask, 'kind'>;
  /** told when the projections stop on an error (a projection that throws, a store that fails) */
  onError?: (error: Error) => void;
}

/**
 * The live projections in a worker thread of their own, over the same SQLite files: applying events and
 * writing read models then never holds up the thread answering HTTP. This side only learns the position
 * the worker has committed, wakes it on appends and lets requests wait for a position.
 */
export class ProjectionThread implements LiveProjections {
  private positionReached = 0;
  private failureSeen: Error | undefined;
  private readonly waiters = new Set<{ position: number; resolve: () => void; reject: (error: unknown) => void }>();
  private pokedThisTurn = false;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly onError?: (error: Error) => void,
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
  }

  static async start(options: ProjectionThreadOptions): Promise<ProjectionThread> {
    const { live, onError, ...where } = options;
    const workerData: ProjectionWorkerData = { ...where, task: { kind: 'live', ...live } };
    // execArgv: [] so a parent's `-r tools/register.js` is not loaded beside the bootstrap's own compiler
    const worker = new Worker(PROJECTION_WORKER_BOOTSTRAP, { workerData, execArgv: [] });
    const thread = new ProjectionThread(worker, onError);
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
    return this.failureSeen;
  }

  get position(): number {
    return this.positionReached;
  }

  poke(): void {
    // one wake-up per turn is enough: the worker reads everything committed by the time it wakes, and a
    // commit that lands later is announced in a later turn
    if (this.pokedThisTurn || this.failureSeen) return;
    this.pokedThisTurn = true;
    setImmediate(() => (this.pokedThisTurn = false));
    this.worker.postMessage('poke' satisfies ToProjectionWorker);
  }

  waitForPosition(position: number, timeoutMs = 5_000): Promise<void> {
    if (this.failureSeen) return Promise.reject(this.failureSeen);
    if (this.positionReached >= position) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`Projections did not reach position ${position} within ${timeoutMs} ms (at ${this.positionReached})`));
      }, timeoutMs);
      this.waiters.add(waiter);
      this.poke();
    });
  }

  async stop(): Promise<void> {
    if (!this.failureSeen) this.worker.postMessage('stop' satisfies ToProjectionWorker);
    await this.exited;
    this.fail(new Error('The projections have stopped'));
  }

  private receive(message: FromProjectionWorker, started: (error?: Error) => void): void {
    switch (message.type) {
      case 'started':
        this.advance(message.position);
        started();
        break;
      case 'position':
        this.advance(message.position);
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

  private advance(position: number): void {
    this.positionReached = Math.max(this.positionReached, position);
    for (const waiter of this.waiters) {
      if (waiter.position <= this.positionReached) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  private fail(error: Error): void {
    this.failureSeen ??= error;
    for (const waiter of this.waiters) waiter.reject(this.failureSeen);
    this.waiters.clear();
  }
}
