/**
 * How far the services' event consumers have got, for a settled read (X-Consistency: settled).
 *
 * A consumer appends its reactions to an event before it acknowledges the event, so once it has handled
 * every event it follows up to a position, whatever it will ever append in reaction to them is in the store.
 */
export interface ConsumerProgress {
  /**
   * Resolves once every running event consumer has handled (applied, or parked as a dead letter) every
   * event it follows up to `position`. Rejects after `timeoutMs`, naming the consumer that is behind.
   */
  waitUntilApplied(position: number, timeoutMs: number): Promise<void>;
}

/** What a service answers to an applied-position query: every event it follows up to `through` is handled. */
export interface AppliedPositionReply {
  through: number;
}

export class ConsumerBehind extends Error {
  constructor(
    readonly consumer: string,
    readonly position: number,
    readonly through: number | undefined,
  ) {
    super(`Consumer "${consumer}" had not handled position ${position} in time (${through === undefined ? 'it did not answer' : `it is through ${through}`})`);
    this.name = 'ConsumerBehind';
  }
}
