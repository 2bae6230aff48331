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
  /** take a snapshot for time travel each time the checkpoint passes a multiple of this (default 10 000; 0 = never) */
  snapshotEvery?: number;
  /** how long to wait for new events once caught up, unless poked (default 100 ms) */
  pollIntervalMs?: number;
  /** write into these generations instead of the live ones */
  generations?: ReadonlyMap<string, Generation>;
  onError?: (error: unknown) => void;
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
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  /** a poke that came while a batch was being applied: the next sleep is skipped, so no event waits a poll */
  private pokedWhileBusy = false;
  private readonly waiters = new PositionWaiters();
  /** held projection lock, when `projectionLock` is set; undefined while another runner projects */
  private lock: { release(): Promise<void> } | undefined;
  private acquiring = false;

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

  get failure(): unknown {
    return this.waiters.failed;
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
    const live = await this.store.register(projection.name, projection.collections);
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
      if (this.snapshotDue(projection, last.globalPosition)) staged.snapshot = { recordedAt: last.recordedAt };
      commits.push(staged);
    }
    try {
      await this.store.commitAll(commits);
    } catch (error) {
      // a rebuilt generation was swapped in while this batch was staged on the old one: stage it again
      if (error instanceof StaleStagingError) return 0;
      throw error;
    }
    for (const c of commits) if (c.snapshot) this.lastSnapshot.set(c.projection, c.checkpoint);
    stageTimings.since('apply', applyStarted);
    this.waiters.advance(last.globalPosition);
    this.options.onPosition?.(last.globalPosition);
    return batch.length;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (!this.projecting) {
        this.acquireInBackground();
        // another runner projects: follow its committed checkpoints so position waits still resolve here
        this.waiters.advance(await this.lowestCheckpoint());
        if (!this.stopped) await this.sleep();
        continue;
      }
      const read = await this.step();
      if (read < this.batchSize && !this.stopped) await this.sleep();
    }
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

  private sleep(): Promise<void> {
    if (this.pokedWhileBusy) {
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
      const timer = setTimeout(done, this.waiters.size > 0 ? Math.min(5, this.pollIntervalMs) : this.pollIntervalMs);
      this.wake = done;
    });
  }

  private snapshotDue(projection: Projection, position: number): boolean {
    if (!this.snapshotEvery || projection.snapshots === false) return false;
    const previous = this.lastSnapshot.get(projection.name) ?? 0;
    return Math.floor(position / this.snapshotEvery) > Math.floor(previous / this.snapshotEvery);
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
