import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { CommitGroupWriter } from './commit-group';
import { toWireError, type CommitOutcome, type SerializedAppend, type WireError } from './commit-protocol';
import { SCHEMA } from './schema';

// The store's commit worker: owns the write connection, so the sync to disk inside COMMIT blocks this
// thread and never the main one (where HTTP requests, projections and consumers run).
// Loaded through commit-worker.bootstrap.js, which compiles this TypeScript in the worker.

export type SqliteDurability = 'fsync' | 'os';

export interface WriteConnectionOptions {
  file: string;
  durability: SqliteDurability;
  /** how long a commit waits for another process's write lock before its group fails with SQLITE_BUSY */
  busyTimeoutMs: number;
}

export interface CommitWorkerData extends WriteConnectionOptions {
  /** the main thread blocks on `state` (Atomics.wait) until the worker reports on `port` */
  handshake: { state: Int32Array; port: MessagePort };
}

export type StartupReport = { ok: true } | { ok: false; error: WireError };
export type CommitRequest = { type: 'commit'; group: SerializedAppend[] } | { type: 'close' };
export type CommitReply = CommitOutcome<WireError>[];

export const HANDSHAKE_PENDING = 0;
export const HANDSHAKE_DONE = 1;

export const reportStartup = (handshake: CommitWorkerData['handshake'], report: StartupReport): void => {
  handshake.port.postMessage(report);
  handshake.port.close();
  Atomics.store(handshake.state, 0, HANDSHAKE_DONE);
  Atomics.notify(handshake.state, 0);
};

export const openWriteConnection = ({ file, durability, busyTimeoutMs }: WriteConnectionOptions): Database.Database => {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${durability === 'fsync' ? 'FULL' : 'NORMAL'}`);
    db.pragma(`busy_timeout = ${Math.max(0, Math.round(busyTimeoutMs))}`);
    db.exec(SCHEMA);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
};

export const runCommitWorker = (): void => {
  const { handshake, ...connection } = workerData as CommitWorkerData;
  const port = parentPort;
  if (!port) throw new Error('commit-worker.ts runs only as a worker thread');
  let db: Database.Database;
  let writer: CommitGroupWriter;
  try {
    db = openWriteConnection(connection);
    writer = new CommitGroupWriter(db);
  } catch (error) {
    reportStartup(handshake, { ok: false, error: toWireError(error) });
    return;
  }
  port.on('message', (request: CommitRequest) => {
    if (request.type === 'close') {
      db.close();
      port.close();
      return;
    }
    const reply: CommitReply = writer
      .commit(request.group)
      .map((outcome) => (outcome.outcome === 'failed' ? { outcome: 'failed', error: toWireError(outcome.error) } : outcome));
    port.postMessage(reply);
  });
  reportStartup(handshake, { ok: true });
};
