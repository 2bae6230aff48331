import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';

export interface JobProgress {
  done: number;
  total: number;
  ratePerSecond: number;
  /** seconds left at the current rate, when it can be estimated */
  etaSeconds?: number;
  phase?: string;
}

export interface Job {
  id: string;
  kind: string;
  requestedBy: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt?: string;
  progress: JobProgress;
  result?: unknown;
  error?: string;
}

const KEEP_FINISHED = 50;

/** Long admin work (rebuilds, replays) runs in the background; clients poll GET /api/admin/jobs/{id} for a progress bar. */
@Injectable()
export class JobsService {
  private readonly jobs = new Map<string, Job>();
  private readonly logger = new Logger('Jobs');

  start(kind: string, requestedBy: string, work: (report: (progress: JobProgress) => void) => Promise<unknown>): Job {
    const running = [...this.jobs.values()].find((j) => j.kind === kind && j.status === 'running');
    if (running) return running;
    const job: Job = { id: randomUUID(), kind, requestedBy, status: 'running', startedAt: new Date().toISOString(), progress: { done: 0, total: 0, ratePerSecond: 0 } };
    this.jobs.set(job.id, job);
    const report = (progress: JobProgress) => {
      const left = progress.total - progress.done;
      job.progress = { ...progress, etaSeconds: progress.ratePerSecond > 0 && left >= 0 ? Math.round(left / progress.ratePerSecond) : undefined };
    };
    work(report).then(
      (result) => Object.assign(job, { status: 'succeeded', result, finishedAt: new Date().toISOString() }),
      (error: unknown) => {
        this.logger.error(`${kind} ${job.id} failed`, error instanceof Error ? error.stack : String(error));
        Object.assign(job, { status: 'failed', error: error instanceof Error ? error.message : String(error), finishedAt: new Date().toISOString() });
      },
    );
    this.forgetOldJobs();
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  list(): Job[] {
    return [...this.jobs.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  private forgetOldJobs(): void {
    const finished = this.list().filter((j) => j.status !== 'running');
    for (const job of finished.slice(KEEP_FINISHED)) this.jobs.delete(job.id);
  }
}
