import { Logger } from '@nestjs/common';
import { type StartupFailure, startupFailureOf } from './startup-error';

/** How long to wait between attempts: doubling from `initialDelayMs` up to `maxDelayMs`, for at most `timeoutMs` overall. */
export interface Backoff {
  initialDelayMs: number;
  maxDelayMs: number;
  /** give up after this long; unset: wait as long as it takes (an orchestrator restarts or stops the app) */
  timeoutMs?: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialDelayMs: 500, maxDelayMs: 15_000 };

export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: string,
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(`${dependency} still unreachable after ${attempts} attempts: ${describe(lastError)}`);
    this.name = 'DependencyUnavailableError';
  }
}

/** A start-up connection failed in a way waiting cannot mend: a wrong password, user, database or URL. */
export class DependencyMisconfiguredError extends Error {
  constructor(
    readonly dependency: string,
    override readonly cause: unknown,
  ) {
    super(`cannot open ${dependency}: ${describe(cause)}. Waiting will not mend this: check the URL, user, password and database name`);
    this.name = 'DependencyMisconfiguredError';
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Opens a dependency the app cannot serve without (the event store, the read-model store, NATS), retrying with
 * backoff while it is not up yet and logging what it waits for, so an app started before its servers comes up
 * once they do instead of exiting. An error waiting cannot mend (`startupFailureOf`: a wrong password or URL)
 * fails at once with DependencyMisconfiguredError. `open` must reject while the dependency is down and release
 * whatever it half-opened; the value it resolves with is returned. `dependency` is logged: no passwords in it
 * (`redactedUrl`).
 */
export async function waitFor<T>(
  dependency: string,
  open: () => Promise<T>,
  backoff: Backoff = DEFAULT_BACKOFF,
  logger = new Logger('startup'),
  failureOf: (error: unknown) => StartupFailure = startupFailureOf,
): Promise<T> {
  const started = Date.now();
  let delay = backoff.initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await open();
      if (attempt > 1) logger.log(`${dependency} is up after ${attempt} attempts (${Math.round((Date.now() - started) / 1000)} s)`);
      return value;
    } catch (error) {
      if (failureOf(error) === 'permanent') throw new DependencyMisconfiguredError(dependency, error);
      if (backoff.timeoutMs !== undefined && Date.now() - started + delay > backoff.timeoutMs) throw new DependencyUnavailableError(dependency, attempt, error);
      logger.warn(`waiting for ${dependency}: ${describe(error)}; next attempt in ${(delay / 1000).toFixed(1)} s`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, backoff.maxDelayMs);
    }
  }
}
