import type { RecordedEvent } from '@liangxin/contracts';
import type { EventStore } from '@liangxin/event-store';
import type { LiveProjections } from '@liangxin/read-models';
import type { ConsumerProgress } from '@liangxin/transport';

/** events read per page while looking for what events up to the asked position caused */
const SCAN_PAGE = 500;

export class NotSettled extends Error {
  constructor(
    readonly position: number,
    reason: string,
  ) {
    super(`What position ${position} causes had not settled in time: ${reason}`);
    this.name = 'NotSettled';
  }
}

/**
 * Settled reads: waits until every reaction caused, directly or in cascade, by the events up to `p` (formation
 * forming a branch, funding paying its subsidy, ...) is in the store and in the read models.
 *
 * Why it works: a consumer appends its reactions to an event before it acknowledges the event, so once every
 * consumer has handled everything up to T, every reaction to an event up to T is in the store, below the head
 * read afterwards. A reaction names its cause (`causationId`: an event id), and a cause precedes its effects.
 *
 *   T := p; scanned := p; caused := {}
 *   round: wait until every consumer has handled everything up to T (those with nothing to do just move on);
 *          head := the store's head; read (scanned, head]: an event is caused when its causationId names an
 *          event in `caused`, or an event at or before p; scanned := head
 *          none found → done; else T := the position of the last one found, next round
 *   finally wait until the read models include T.
 *
 * Events of other users' commands after p (and what they cause) are read past but never become T, so the
 * wait follows one finite cascade, not the global head. Every round and the final wait share one deadline.
 * Once p has settled, every p' ≤ p has too (its cascade is part of p's): such reads answer at once.
 */
export class SettledPositions {
  /** the highest position whose cascade is known to be in the read models */
  private settledThrough = 0;
  /** a position the read models had reached when they included that cascade */
  private settledTarget = 0;

  constructor(
    private readonly events: Pick<EventStore, 'readAll' | 'readEvent' | 'headPosition'>,
    private readonly consumers: ConsumerProgress,
    private readonly projections: Pick<LiveProjections, 'position' | 'waitForPosition'>,
  ) {}

  /**
   * Resolves, once what `position` caused is projected, with a position by which it all is: the last event it
   * caused (itself when none), or a later one when a wait for a later position covered it. Rejects with NotSettled.
   */
  async waitUntilSettled(position: number, timeoutMs: number): Promise<number> {
    if (position <= this.settledThrough) return Math.max(position, this.settledTarget);
    const deadline = Date.now() + timeoutMs;
    const left = () => Math.max(1, deadline - Date.now());
    const caused = new Set<string>();
    const notCaused = new Set<string>();
    let target = position;
    let scanned = position;
    for (;;) {
      await this.consumers.waitUntilApplied(target, left()).catch((error: unknown) => {
        throw new NotSettled(position, error instanceof Error ? error.message : String(error));
      });
      const head = await this.events.headPosition();
      let last = target;
      for (let after = scanned; after < head; ) {
        const page = await this.events.readAll({ after, until: head, limit: SCAN_PAGE });
        if (page.length === 0) break;
        for (const event of page) {
          if (await this.isCaused(event, position, caused, notCaused)) {
            caused.add(event.eventId);
            last = event.globalPosition;
          } else notCaused.add(event.eventId);
        }
        after = page[page.length - 1].globalPosition;
        if (Date.now() > deadline) throw new NotSettled(position, `still reading the log at position ${after}`);
      }
      scanned = head;
      if (last === target) break;
      target = last;
    }
    if (this.projections.position < target) {
      await this.projections.waitForPosition(target, left()).catch(() => {
        throw new NotSettled(position, `the read models had not reached position ${target} (they are at ${this.projections.position})`);
      });
    }
    this.settledThrough = Math.max(this.settledThrough, position);
    this.settledTarget = Math.max(this.settledTarget, target);
    return target;
  }

  /** `event` lies after `position`; was it caused by an event up to `position`, or by one already found caused? */
  private async isCaused(event: RecordedEvent, position: number, caused: ReadonlySet<string>, notCaused: ReadonlySet<string>): Promise<boolean> {
    const cause = event.metadata.causationId;
    // a command's own events name the command as their cause: nothing before them caused them
    if (!cause || cause === event.metadata.commandId) return false;
    if (caused.has(cause)) return true;
    if (notCaused.has(cause)) return false;
    // not an event after `position`: an event up to it, or no event at all
    const found = await this.events.readEvent(cause, { before: event.globalPosition });
    return found !== undefined && found.globalPosition <= position;
  }
}
