import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { type ImportRegisterRowMessage, type ImportRegisterRowResult, RegistryCommands } from '@liangxin/contracts';
import { type ImportReport, type RegisterFile, type RowOutcome, runImport } from '@liangxin/register-import';
import { actorOf, type Principal } from '../auth/principal';
import { CommandSender } from '../commands/command-sender';

export interface ImportJob {
  id: string;
  /** who uploaded it (`role:subject`): only they and admins see the job */
  requestedBy: string;
  status: 'running' | 'succeeded' | 'failed';
  fileName: string;
  sha256: string;
  progress: { done: number; total: number };
  /** rows per outcome, once finished */
  counts?: Record<RowOutcome, number>;
  startedAt: string;
  finishedAt?: string;
  /** why a job failed (a service unreachable): importing the same file again resumes it */
  error?: string;
}

const KEEP_FINISHED = 20;
/** rows in flight: enough to fill the store's group commit, few enough to leave the other requests room */
const ROWS_IN_FLIGHT = 32;

/**
 * Register imports running in this gateway. Each row goes to the registry as its own command (ImportRegisterRow) with
 * an id from the file's hash and the row, so a job interrupted by a restart is resumed by importing the same file
 * again: rows already applied are answered from the ledger, none twice. Jobs and reports live in memory.
 */
@Injectable()
export class ImportJobs {
  private readonly jobs = new Map<string, { job: ImportJob; report?: ImportReport }>();
  private readonly logger = new Logger('Imports');

  constructor(private readonly commands: CommandSender) {}

  start(file: RegisterFile, fileName: string, principal: Principal, correlationId?: string): ImportJob {
    const job: ImportJob = {
      id: randomUUID(),
      requestedBy: actorOf(principal),
      status: 'running',
      fileName,
      sha256: file.sha256,
      progress: { done: 0, total: file.rows.length },
      startedAt: new Date().toISOString(),
    };
    const entry: { job: ImportJob; report?: ImportReport } = { job };
    this.jobs.set(job.id, entry);
    const send = async (message: ImportRegisterRowMessage, commandId: string): Promise<ImportRegisterRowResult> => {
      const reply = await this.commands.sendWithId<ImportRegisterRowResult>(RegistryCommands.ImportRegisterRow, message, principal, { commandId, correlationId, reason: 'import' });
      if (!reply.result) throw new Error('The registry answered an imported row without its outcome');
      return reply.result;
    };
    runImport(file, send, { fileName, concurrency: ROWS_IN_FLIGHT, onProgress: (done, total) => (job.progress = { done, total }) }).then(
      (report) => {
        entry.report = report;
        Object.assign(job, { status: 'succeeded', counts: report.counts, finishedAt: report.finishedAt });
      },
      (error: unknown) => {
        this.logger.error(`import ${job.id} failed`, error instanceof Error ? error.stack : String(error));
        const reason = (error as { message?: unknown })?.message;
        Object.assign(job, { status: 'failed', error: `${typeof reason === 'string' ? reason : String(error)} — import the same file again to resume`, finishedAt: new Date().toISOString() });
      },
    );
    this.forgetOldJobs();
    return job;
  }

  /** The job as its uploader (or an admin) may see it; undefined for anyone else, as if it did not exist. */
  get(id: string, principal: Principal): { job: ImportJob; report?: ImportReport } | undefined {
    const entry = this.jobs.get(id);
    if (!entry || (principal.role !== 'admin' && entry.job.requestedBy !== actorOf(principal))) return undefined;
    return entry;
  }

  private forgetOldJobs(): void {
    const finished = [...this.jobs.values()].filter(({ job }) => job.status !== 'running').sort((a, b) => b.job.startedAt.localeCompare(a.job.startedAt));
    for (const { job } of finished.slice(KEEP_FINISHED)) this.jobs.delete(job.id);
  }
}
