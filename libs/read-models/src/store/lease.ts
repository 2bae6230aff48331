/** A lock with an expiry, kept in a shared store: whoever holds it renews it, and it frees itself when the holder dies. */
export interface LeaseStore {
  /** takes the lease for `owner` (or renews it) when free, expired or already its own; false when another holds it */
  take(owner: string, ttlMs: number): Promise<boolean>;
  /** gives it up, if `owner` still holds it */
  give(owner: string): Promise<void>;
}

export interface HoldLeaseOptions {
  owner: string;
  /** a holder that stops renewing loses the lease after this (default 15 s) */
  ttlMs?: number;
  /** how often a waiting process tries to take it (default 1 s) */
  pollMs?: number;
  /** told when the lease could not be renewed within its ttl: the holder must stop */
  lost?: (error: unknown) => void;
  /** true once the caller shuts down: stop waiting */
  isClosed?: () => boolean;
  now?: () => number;
}

/**
 * Waits until the lease is ours, then renews it every third of its ttl. When renewals fail (another took it, or the
 * store cannot be reached) for as long as the ttl, another process may hold it by now: `lost` is called.
 */
export async function holdLease(lease: LeaseStore, options: HoldLeaseOptions): Promise<{ release(): Promise<void> }> {
  const ttlMs = options.ttlMs ?? 15_000;
  const now = options.now ?? Date.now;
  while (!(await lease.take(options.owner, ttlMs))) {
    if (options.isClosed?.()) throw new Error('closed while waiting for the lease');
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
  }
  let renewedAt = now();
  let released = false;
  let renewing = false;
  const timer = setInterval(() => {
    if (renewing || released) return;
    renewing = true;
    lease
      .take(options.owner, ttlMs)
      .then(
        (held) => {
          if (held) renewedAt = now();
          else loseWith(new Error('the lease was taken by another process'));
        },
        (error: unknown) => {
          if (now() - renewedAt >= ttlMs) loseWith(error);
        },
      )
      .finally(() => {
        renewing = false;
      });
  }, Math.max(1, Math.floor(ttlMs / 3)));
  const loseWith = (error: unknown) => {
    if (released) return;
    released = true;
    clearInterval(timer);
    options.lost?.(error);
  };
  return {
    release: async () => {
      const wasHeld = !released;
      released = true;
      clearInterval(timer);
      if (wasHeld) await lease.give(options.owner).catch(() => undefined);
    },
  };
}
