type Waiter = { position: number; resolve: () => void; reject: (error: unknown) => void };

/**
 * Requests waiting for the projections to reach a position (read-your-writes): each resolves once the
 * position is reached, or fails at its timeout or when the projections stop.
 */
export class PositionWaiters {
  private readonly waiting = new Set<Waiter>();
  private reached = 0;
  private failure: unknown;

  get position(): number {
    return this.reached;
  }

  get size(): number {
    return this.waiting.size;
  }

  get failed(): unknown {
    return this.failure;
  }

  /** `onWait` runs when the caller has to wait (to wake whoever moves the position) */
  wait(position: number, timeoutMs: number, onWait?: () => void): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.reached >= position) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(waiter);
        reject(new Error(`Projections did not reach position ${position} within ${timeoutMs} ms (at ${this.reached})`));
      }, timeoutMs);
      const waiter: Waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiting.add(waiter);
      onWait?.();
    });
  }

  advance(position: number): void {
    this.reached = Math.max(this.reached, position);
    for (const waiter of this.waiting) {
      if (waiter.position <= this.reached) {
        this.waiting.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** every wait from now on fails with `error`, and so do the ones waiting */
  fail(error: unknown): void {
    this.failure ??= error;
    for (const waiter of this.waiting) waiter.reject(this.failure);
    this.waiting.clear();
  }
}
