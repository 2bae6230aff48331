import { stageTimings } from '@liangxin/diagnostics';
import type { EventStore } from '@liangxin/event-store';
import type { Projection } from '../projection';
import { rebuildProjections } from '../rebuild/rebuild';
import { type Generation, type ProjectionCommit, type ReadModelStore, StaleStagingError } from '../store/port';
import { PositionWaiters } from './position-waiters';
import { stageBatch } from './unit-of-work';

export interface ProjectionRunnerOptions {
  /** events read and committed per transaction (default 1 000) */
  batchSize?: number;
  /** take a snapshot for time travel every this many events (default 10 000; 0 = never): a count, never a distance in positions, which are byte offsets on KurrentDB */
  snapshotEvery?: number;
  /** how long to wait for new events once caught up, unless poked (default 100 ms) */
  pollIntervalMs?: number;
  /** write into these generations instead of the live ones */
  generations?: ReadonlyMap<string, Generation>;
  /**
   * Told of a failure that persists: `failuresBeforeReport` batches in a row failed. The runner keeps retrying
   * with backoff, and `failure` shows the error until a batch succeeds again.
   */
  onError?: (error: unknown) => void;
  /** told of every failed batch, transient ones included, with how many failed in a row */
  onRetry?: (error: unknown, failures: number) => void;
  /** consecutive failed batches before a failure counts as persistent (default 5) */
  failuresBeforeReport?: number;
  /** wait after the first failed batch, doubling up to `maxRetryBackoffMs` (defaults 100 ms, 30 s) */
  retryBackoffMs?: number;
  maxRetryBackoffMs?: number;
  /** told the position every projection has committed, after each batch that moved it */
  onPosition?: (position: number) => void;
  /**
   * Project only while holding this lock (several gateways over one read-model database). Until then, and after
   * `lost` is called, the runner follows the stored checkpoints instead, so waits for a position still resolve.
   */
  projectionLock?: (lost: (error: unknown) => void) => Promise<{ release(): Promise<void> }>;
  /** told when the projection lock's session broke: the runner stopped projecting and waits for the lock again */
  onProjectionLockLost?: (error: unknown) => void;
}

/** What the HTTP edge needs of the live projections, wherever they run (this thread or a worker). */
export interface LiveProjections {
  /** the position every projection has committed */
  readonly position: number;
  /** why the projections stopped, once they have (they then answer no more waits) */
  readonly failure: unknown;
  /** resolves once every projection has applied the event at `position` (read-your-writes) */
  waitForPosition(position: number, timeoutMs?: number): Promise<void>;
  /** wakes the projections at once instead of at their next poll (call after appending) */
  poke(): void;
  stop(): Promise<void>;
}

/**
 * Keeps projections up to date: a catch-up subscription over the whole log that starts at the lowest
 * checkpoint, then follows new events. Every batch is committed for all projections in one transaction
 * together with their checkpoints (and any snapshot due), so a restart resumes exactly where the documents are.
 */
export class ProjectionRunner implements LiveProjections {
  private readonly batchSize: number;
  private readonly snapshotEvery: number;
  private readonly pollIntervalMs: number;
  private readonly lastSnapshot = new Map<string, number>();
  /** events read since each projection's last snapshot (counted from start-up) */
  private readonly sinceSnapshot = new Map<string, number>();
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  /** a poke that came while a batch was being applied: the next sleep is skipped, so no event waits a poll */
  private pokedWhileBusy = false;
  private readonly waiters = new PositionWaiters();
  /** held projection lock, when `projectionLock` is set; undefined while another runner projects */
  private lock: { release(): Promise<void> } | undefined;
  private acquiring = false;
  /** the error of the batches failing in a row, once they are `failuresBeforeReport`; cleared by a batch that succeeds */
  private persistentFailure: unknown;

  constructor(
    private readonly events: EventStore,
    private readonly store: ReadModelStore,
    readonly projections: readonly Projection[],
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1_000;
    this.snapshotEvery = options.snapshotEvery ?? 10_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
  }

  /** why the projections are not following the log: a failure that persists (they keep retrying), or why they stopped */
  get failure(): unknown {
    return this.waiters.failed ?? this.persistentFailure;
  }

  /** the position every projection of this runner has committed */
  get position(): number {
    return this.waiters.position;
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.prepare();
    this.running = this.loop().catch((error) => {
      this.waiters.fail(error);
      this.options.onError?.(error);
    });
  }

  /** Registers the projections and finds where to resume, without starting the loop (rebuilds drive `step` themselves). */
  async prepare(): Promise<void> {
    for (const p of this.projections) {
      if (!this.generation(p)) await this.registerLive(p);
      this.lastSnapshot.set(p.name, (await this.store.nearestSnapshot(p.name, { position: Number.MAX_SAFE_INTEGER }, this.generation(p)))?.position ?? 0);
    }
    this.waiters.advance(await this.lowestCheckpoint());
  }

  /**
   * Registers a projection's live generation. One stored by a version of the projection with other collections holds
   * documents of another shape (a counter renamed, a collection added): it is rebuilt from the log before going live,
   * rather than updated in place into a mix of both.
   */
  private async registerLive(projection: Projection): Promise<void> {
    const live = await this.store.register(projection.name, projection.collections, projection.queriedBy);
    const same = live.collections.length === projection.collections.length && live.collections.every((c, i) => c === projection.collections[i]);
    if (!same) await rebuildProjections(this.events, this.store, [projection]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    await this.lock?.release();
    this.lock = undefined;
  }

  /** whether this runner applies events (false while another one holds the projection lock) */
  get projecting(): boolean {
    return !this.options.projectionLock || this.lock !== undefined;
  }

  /** wakes the runner at once instead of at its next poll (call after appending) */
  poke(): void {
    if (this.wake) this.wake();
    else this.pokedWhileBusy = true;
  }

  /** Resolves once every projection has applied the event at `position` (read-your-writes). */
  waitForPosition(position: number, timeoutMs = 5_000): Promise<void> {
    return this.waiters.wait(position, timeoutMs, () => this.poke());
  }

  /** Reads and applies one batch; returns how many events it read. Exposed for rebuilds and tests. */
  async step(): Promise<number> {
    const from = this.waiters.position;
    const batch = await this.events.readAll({ after: from, limit: this.batchSize });
    if (batch.length === 0) return 0;
    const applyStarted = stageTimings.now();
    if (applyStarted > 0) stageTimings.record('wake', Math.max(0, Date.now() - Date.parse(batch[0].recordedAt)));
    const last = batch[batch.length - 1];
    const commits: ProjectionCommit[] = [];
    for (const projection of this.projections) {
      const staged = await stageBatch(this.store, projection, batch, last.globalPosition, this.generation(projection));
      if (!staged) continue;
      if (this.snapshotDue(projection, batch.length)) staged.snapshot = { recordedAt: last.recordedAt };
      commits.push(staged);
    }
    try {
      await this.store.commitAll(commits);
    } catch (error) {
      // a rebuilt generation was swapped in while this batch was staged on the old one: stage it again
      if (error instanceof StaleStagingError) return 0;
      throw error;
    }
    for (const c of commits) {
      this.sinceSnapshot.set(c.projection, c.snapshot ? 0 : (this.sinceSnapshot.get(c.projection) ?? 0) + batch.length);
      if (c.snapshot) this.lastSnapshot.set(c.projection, c.checkpoint);
    }
    // committed: whatever failed before is over, before anyone waiting on this position looks
    this.persistentFailure = undefined;
    stageTimings.since('apply', applyStarted);
    this.waiters.advance(last.globalPosition);
    this.options.onPosition?.(last.globalPosition);
    return batch.length;
  }

  /**
   * Applies batches until stopped. A failed batch (a replica-set step-down mid-cursor, a connection reset, a lock
   * timeout) is retried with backoff from the committed position; only one that keeps failing is reported.
   */
  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let read: number;
      try {
        read = await this.once();
      } catch (error) {
        if (this.stopped) return;
        failures++;
        this.options.onRetry?.(error, failures);
        if (failures >= (this.options.failuresBeforeReport ?? 5)) {
          if (this.persistentFailure === undefined) this.options.onError?.(error);
          this.persistentFailure = error;
        }
        const base = this.options.retryBackoffMs ?? 100;
        await this.sleep(Math.min(base * 2 ** (failures - 1), this.options.maxRetryBackoffMs ?? 30_000));
        continue;
      }
      failures = 0;
      this.persistentFailure = undefined;
      if (read < this.batchSize && !this.stopped) await this.sleep();
    }
  }

  /** one round of the loop: a batch projected, or (without the lock) the holder's checkpoints followed */
  private async once(): Promise<number> {
    if (this.projecting) return this.step();
    this.acquireInBackground();
    // another runner projects: follow its committed checkpoints so position waits still resolve here
    this.waiters.advance(await this.lowestCheckpoint());
    return 0;
  }

  /** Waits for the projection lock without holding up the loop; once held, resumes from the stored checkpoints. */
  private acquireInBackground(): void {
    const acquire = this.options.projectionLock;
    if (!acquire || this.acquiring || this.lock) return;
    this.acquiring = true;
    let lock: { release(): Promise<void> } | undefined;
    let gone = false;
    const lost = (error: unknown) => {
      if (gone) return;
      gone = true;
      if (this.lock === lock) this.lock = undefined;
      if (lock) this.options.onProjectionLockLost?.(error);
      this.wake?.();
    };
    acquire(lost)
      .then(async (held) => {
        lock = held;
        if (this.stopped) return held.release();
        this.waiters.advance(await this.lowestCheckpoint());
        // the session may have broken while the checkpoint was read
        if (gone || this.stopped) return held.release();
        this.lock = held;
        this.wake?.();
      })
      .catch((error) => {
        if (!this.stopped) this.options.onError?.(error);
      })
      .finally(() => {
        this.acquiring = false;
      });
  }

  private sleep(backoffMs?: number): Promise<void> {
    if (this.pokedWhileBusy && backoffMs === undefined) {
      this.pokedWhileBusy = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      // someone waits for a position: look again soon (events may come from another process), but do not spin
      const timer = setTimeout(done, backoffMs ?? (this.waiters.size > 0 ? Math.min(5, this.pollIntervalMs) : this.pollIntervalMs));
      this.wake = done;
    });
  }

  private snapshotDue(projection: Projection, batchLength: number): boolean {
    if (!this.snapshotEvery || projection.snapshots === false) return false;
    return (this.sinceSnapshot.get(projection.name) ?? 0) + batchLength >= this.snapshotEvery;
  }

  private generation(projection: Projection): Generation | undefined {
    return this.options.generations?.get(projection.name);
  }

  private async lowestCheckpoint(): Promise<number> {
    let lowest = Number.MAX_SAFE_INTEGER;
    for (const p of this.projections) lowest = Math.min(lowest, await this.store.checkpoint(p.name, this.generation(p)));
    return this.projections.length ? lowest : 0;
  }
}
