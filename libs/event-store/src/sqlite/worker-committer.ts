import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { fromWireError, type SerializedAppend } from './commit-protocol';
import {
  HANDSHAKE_PENDING,
  type CommitReply,
  type CommitRequest,
  type CommitWorkerData,
  type StartupReport,
  type WriteConnectionOptions,
} from './commit-worker';

const BOOTSTRAP = join(__dirname, 'commit-worker.bootstrap.js');
/** compiling the worker's modules takes a fraction of a second; a minute means it is stuck (or the file locked) */
const STARTUP_TIMEOUT_MS = 60_000;

/**
 * The main thread's side of the commit worker: hands it groups of appends and gets their outcomes back.
 * The worker keeps the process alive only while a commit is in flight, as a synchronous writer would.
 */
export class WorkerCommitter {
  private readonly waiting: { resolve: (reply: CommitReply) => void; reject: (error: unknown) => void }[] = [];
  private failure: Error | undefined;
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on('message', (reply: CommitReply) => {
      this.waiting.shift()?.resolve(reply);
      if (this.waiting.length === 0) worker.unref();
    });
    worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        this.fail(new Error(`SQLite commit worker exited (code ${code})`));
        resolve();
      }),
    );
  }

  /**
   * Starts the worker and blocks until it has opened the write connection and created the schema, so a
   * store that cannot write fails here, at open(), and never falls back to committing on the main thread.
   */
  static start(connection: WriteConnectionOptions): WorkerCommitter {
    const { file } = connection;
    const state = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const workerData: CommitWorkerData = { ...connection, handshake: { state, port: port2 } };
    // execArgv: [] so a parent's `-r tools/register.js` is not loaded a second time beside the bootstrap's
    const worker = new Worker(BOOTSTRAP, { workerData, transferList: [port2], execArgv: [] });
    const waited = Atomics.wait(state, 0, HANDSHAKE_PENDING, STARTUP_TIMEOUT_MS);
    const report = receiveMessageOnPort(port1)?.message as StartupReport | undefined;
    port1.close();
    if (report?.ok) return new WorkerCommitter(worker);
    void worker.terminate();
    if (!report) throw new Error(`SQLite commit worker for ${file} did not start (${waited === 'timed-out' ? `no answer in ${STARTUP_TIMEOUT_MS} ms` : 'no report'})`);
    const cause = fromWireError(report.error);
    throw Object.assign(new Error(`SQLite commit worker for ${file} did not start: ${cause.message}`, { cause }), {
      code: (cause as { code?: string }).code,
    });
  }

  commit(group: SerializedAppend[]): Promise<CommitReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ type: 'commit', group } satisfies CommitRequest);
    });
  }

  /** Call once no commit is in flight: the worker closes its connection (checkpointing the WAL) and exits. */
  async close(): Promise<void> {
    if (!this.failure) {
      this.worker.ref();
      this.worker.postMessage({ type: 'close' } satisfies CommitRequest);
    }
    await this.exited;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.waiting.splice(0)) waiting.reject(error);
  }
}
