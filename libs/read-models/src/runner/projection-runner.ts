import type { EventStore } from '@liangxin/event-store';
import type { Projection } from '../projection';
import type { Generation, ReadModelStore } from '../store/port';
import { DocumentCache } from './document-cache';
import { applyBatch } from './unit-of-work';

export interface ProjectionRunnerOptions {
  /** events read and committed per transaction (default 1 000) */
  batchSize?: number;
  /** take a snapshot for time travel each time the checkpoint passes a multiple of this (default 10 000; 0 = never) */
  snapshotEvery?: number;
  /** how long to wait for new events once caught up, unless poked (default 100 ms) */
  pollIntervalMs?: number;
  /**
   * write into these generations instead of the live ones (used by rebuilds). The runner then owns
   * them and keeps up to `cacheDocuments` recently written documents in memory between batches.
   */
  generations?: ReadonlyMap<string, Generation>;
  cacheDocuments?: number;
  onError?: (error: unknown) => void;
}

/**
 * Keeps projections up to date: a catch-up subscription over the whole log that starts at the lowest
 * checkpoint, then follows new events. Every batch is committed per projection in one transaction
 * together with its checkpoint, so a restart resumes exactly where the documents are.
 */
export class ProjectionRunner {
  private readonly batchSize: number;
  private readonly snapshotEvery: number;
  private readonly pollIntervalMs: number;
  private readonly lastSnapshot = new Map<string, number>();
  private readonly caches = new Map<string, DocumentCache>();
  private positionReached = 0;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private failure: unknown;
  private readonly waiters = new Set<{ position: number; resolve: () => void; reject: (e: unknown) => void }>();

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

  /** the position every projection of this runner has committed */
  get position(): number {
    return this.positionReached;
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.prepare();
    this.running = this.loop().catch((error) => {
      this.failure = error;
      for (const w of this.waiters) w.reject(error);
      this.waiters.clear();
      this.options.onError?.(error);
    });
  }

  /** Registers the projections and finds where to resume, without starting the loop (rebuilds drive `step` themselves). */
  async prepare(): Promise<void> {
    for (const p of this.projections) {
      if (!this.generation(p)) await this.store.register(p.name, p.collections);
      this.lastSnapshot.set(p.name, (await this.store.nearestSnapshot(p.name, { position: Number.MAX_SAFE_INTEGER }, this.generation(p)))?.position ?? 0);
    }
    this.positionReached = await this.lowestCheckpoint();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  /** wakes the runner at once instead of at its next poll (call after appending) */
  poke(): void {
    this.wake?.();
  }

  /** Resolves once every projection has applied the event at `position` (read-your-writes). */
  waitForPosition(position: number, timeoutMs = 5_000): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.positionReached >= position) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e: unknown) => {
          clearTimeout(timer);
          reject(e);
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

  /** Reads and applies one batch; returns how many events it read. Exposed for rebuilds and tests. */
  async step(): Promise<number> {
    const from = this.positionReached;
    const batch = await this.events.readAll({ after: from, limit: this.batchSize });
    if (batch.length === 0) return 0;
    const last = batch[batch.length - 1];
    for (const projection of this.projections) {
      const generation = this.generation(projection);
      await applyBatch(this.store, projection, batch, last.globalPosition, generation, this.cacheFor(projection, generation));
      await this.snapshotIfDue(projection, last.globalPosition, last.recordedAt, generation);
    }
    this.positionReached = last.globalPosition;
    for (const w of this.waiters) {
      if (w.position <= this.positionReached) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
    return batch.length;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const read = await this.step();
      if (read < this.batchSize && !this.stopped) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
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

  private async snapshotIfDue(projection: Projection, position: number, recordedAt: string, generation?: Generation) {
    if (!this.snapshotEvery || projection.snapshots === false) return;
    const previous = this.lastSnapshot.get(projection.name) ?? 0;
    if (Math.floor(position / this.snapshotEvery) <= Math.floor(previous / this.snapshotEvery)) return;
    await this.store.snapshot(projection.name, position, recordedAt, generation);
    this.lastSnapshot.set(projection.name, position);
  }

  /** Only a generation this runner owns may be cached: the live one can be swapped under a running runner. */
  private cacheFor(projection: Projection, generation: Generation | undefined): DocumentCache | undefined {
    if (!generation) return undefined;
    let cache = this.caches.get(projection.name);
    if (!cache) {
      cache = new DocumentCache(this.options.cacheDocuments ?? 20_000);
      this.caches.set(projection.name, cache);
    }
    return cache;
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
