/**
 * Runs async work one piece at a time, in the order it was queued; a piece that fails does not stop
 * those after it. Event consumers apply, retry and checkpoint through one, so order holds whichever
 * path (broker, store backfill, admin retry) an event arrives by.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once everything queued so far has settled. */
  async drained(): Promise<void> {
    await this.tail;
  }
}
