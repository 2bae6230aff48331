import type { AppendResult } from './port';
import type { AppendOutcome, PreparedAppend } from './sqlite/commit-protocol';

/** How group commit has behaved so far: appends per commit is the figure that shows grouping works. */
export interface GroupCommitStats {
  commits: number;
  appends: number;
  events: number;
  largestGroup: number;
}

interface QueuedAppend {
  append: PreparedAppend;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitQueueOptions {
  /** commits one group as one transaction, with an outcome per append in order; never rejects */
  commit(group: readonly PreparedAppend[]): Promise<AppendOutcome[]>;
  /** most events one commit may hold; the rest wait for the next commit */
  maxEventsPerCommit: number;
  /** told each append that recorded new events, in commit order, before its caller hears */
  onRecorded?(append: PreparedAppend, result: AppendResult): void;
  /** told once a group is settled (wakes live subscriptions) */
  onCommitted?(): void;
}

/**
 * Group commit, for every store with one writer per process: with no commit in flight, the appends of this
 * turn of the event loop (a burst of requests) gather until setImmediate; while one is in flight, they wait for
 * it and then go together as the next transaction, so concurrent commands share one sync yet each keeps its
 * own outcome.
 */
export class GroupCommitQueue {
  private readonly queue: QueuedAppend[] = [];
  private flushScheduled = false;
  private inFlight: Promise<void> | undefined;
  private readonly statsSoFar: GroupCommitStats = { commits: 0, appends: 0, events: 0, largestGroup: 0 };

  constructor(private readonly options: GroupCommitQueueOptions) {}

  enqueue(append: PreparedAppend): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ append, resolve, reject });
      this.scheduleCommit();
    });
  }

  stats(): GroupCommitStats {
    return { ...this.statsSoFar };
  }

  /** Commits everything queued, then resolves: for close(). */
  async drain(): Promise<void> {
    while (this.inFlight || this.queue.length > 0) {
      this.commitQueued();
      await this.inFlight;
    }
  }

  private scheduleCommit(): void {
    if (this.flushScheduled || this.inFlight) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.commitQueued();
    });
  }

  private commitQueued(): void {
    if (this.inFlight) return;
    const group = this.takeGroup();
    if (group.length === 0) return;
    this.inFlight = this.options.commit(group.map((queued) => queued.append)).then(
      (outcomes) => this.settle(group, outcomes),
      // a commit function that throws has told nothing durable about the group
      (error: unknown) => this.settle(group, group.map(() => ({ ok: false, error }))),
    );
  }

  private settle(group: QueuedAppend[], outcomes: AppendOutcome[]): void {
    this.inFlight = undefined;
    this.statsSoFar.commits += 1;
    this.statsSoFar.appends += group.length;
    this.statsSoFar.largestGroup = Math.max(this.statsSoFar.largestGroup, group.length);
    group.forEach((queued, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) {
        if (!outcome.result.idempotentReplay) {
          this.statsSoFar.events += outcome.result.events.length;
          this.options.onRecorded?.(queued.append, outcome.result);
        }
        queued.resolve(outcome.result);
      } else queued.reject(outcome.error);
    });
    // these appends already waited a whole commit: they go at once, without waiting for a turn of the loop
    this.commitQueued();
    this.options.onCommitted?.();
  }

  private takeGroup(): QueuedAppend[] {
    let events = 0;
    let count = 0;
    while (count < this.queue.length && (count === 0 || events + this.queue[count].append.events.length <= this.options.maxEventsPerCommit)) {
      events += this.queue[count].append.events.length;
      count += 1;
    }
    return this.queue.splice(0, count);
  }
}
