import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { enterpriseStreamId, type FormationEvent, type NewEvent, type RecordedEvent, type RegistryEvent } from '@liangxin/contracts';
import { type EventStore, isConcurrencyError } from '@liangxin/event-store';
import { DEFAULT_FORMATION_POLICY, evolveWithFormationEvent, type FormationPolicy, type PlacementState, type PlannedAppend, react } from '@liangxin/formation-domain';
import { EVENT_STORE } from '@liangxin/platform';
import { loadPlacement } from './placement-store';

/** Injection token of the FormationPolicy in force (DEFAULT_FORMATION_POLICY when not provided). */
export const FORMATION_POLICY = 'LIANGXIN_FORMATION_POLICY';

/** Bounds the rebuild-and-react-again loop when other writers keep winning the race for a stream. */
export const MAX_REACTION_ATTEMPTS = 5;

/** The id that makes one planned append of one reaction idempotent: the causing event, the stream and the version it expected. */
export const reactionCommandId = (cause: Pick<RecordedEvent, 'eventId'>, append: Pick<PlannedAppend, 'streamId' | 'expectedVersion'>): string =>
  `formation:${cause.eventId}:${append.streamId}@${append.expectedVersion === 'no_stream' ? -1 : append.expectedVersion}`;

/** A replayed command id returned events other than the plan: the in-memory state had drifted from the store. */
class PlanDrifted extends Error {
  constructor(streamId: string) {
    super(`events recorded earlier in ${streamId} differ from the plan made now`);
    this.name = 'PlanDrifted';
  }
}

/** Runs one task at a time: reactions and officer commands read and advance the same placement state. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * The formation process manager's host: one in-memory placement state (the domain's mutable per-district fold),
 * shared by the automatic rules and the officer commands so that each respects the other's decisions.
 *
 * What is folded when:
 * - The state is built from the store: every registry and formation event up to the head (`builtThrough`).
 *   It is dropped, and built again on next use, whenever it may differ from the store: an append that failed
 *   half way, a version conflict with another writer, an officer append that landed on a stream the state had
 *   not caught up with.
 * - A registry event after `builtThrough` is reacted to in the ordinary way. One this state has already
 *   reacted to (a redelivery) is recognised by its stream version and changes nothing.
 * - A registry event at or before `builtThrough` was folded as a fact at build time but maybe never reacted
 *   to (a crash between two appends of one reaction, a checkpoint saved behind). Its enterprise is then
 *   reconciled once: the enterprise's latest folded registry event is reacted to again on the built state,
 *   which already holds whatever part of the reaction reached the store. The rules bring the enterprise to
 *   where its facts say, so the redelivery finishes the job; every append expects the version the store has,
 *   so nothing is made twice.
 */
@Injectable()
export class FormationEngine {
  private readonly logger = new Logger('FormationProcessManager');
  readonly policy: FormationPolicy;
  private readonly serial = new Serial();
  private placement: PlacementState | undefined;
  private builtThrough = 0;
  /** enterprises reconciled since the state was built */
  private readonly reconciled = new Set<string>();
  private rebuilds = 0;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(FORMATION_POLICY) policy?: FormationPolicy,
  ) {
    this.policy = policy ?? DEFAULT_FORMATION_POLICY;
  }

  /** how many times the state was built from the store (for tests and metrics) */
  get rebuildCount(): number {
    return this.rebuilds;
  }

  /** Reacts to one registry event; throws (for the transport to redeliver) when it could not be applied. */
  onRegistryEvent(event: RecordedEvent<RegistryEvent>): Promise<void> {
    return this.serial.run(() => this.reactTo(event));
  }

  /**
   * Runs an officer command against the current placement state, one at a time with the reactions.
   * `fold` is called with the events the command appended; if they do not follow what the state knows
   * of their stream, the state is dropped and rebuilt on next use.
   */
  withPlacement<T>(task: (state: PlacementState, fold: (events: readonly RecordedEvent[]) => void) => Promise<T>): Promise<T> {
    return this.serial.run(async () => {
      const state = await this.current();
      try {
        return await task(state, (events) => this.foldOwn(events));
      } catch (error) {
        if (!isDomainRefusal(error)) this.placement = undefined;
        throw error;
      }
    });
  }

  private async current(): Promise<PlacementState> {
    if (this.placement) return this.placement;
    const { state, through } = await loadPlacement(this.store, this.policy);
    this.placement = state;
    this.builtThrough = through;
    this.reconciled.clear();
    this.rebuilds += 1;
    return state;
  }

  private async reactTo(event: RecordedEvent<RegistryEvent>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const state = await this.current();
        const reaction = await this.planFor(state, event);
        if (reaction) await this.append(reaction.cause, reaction.planned);
        return;
      } catch (error) {
        // What was folded while planning may not be what the store now holds.
        this.placement = undefined;
        const retryable = isConcurrencyError(error) || error instanceof PlanDrifted;
        if (retryable && attempt < MAX_REACTION_ATTEMPTS) {
          this.logger.debug?.(`${event.type} at ${event.globalPosition}: ${(error as Error).message}; rebuilding (attempt ${attempt})`);
          continue;
        }
        throw error;
      }
    }
  }

  private async planFor(state: PlacementState, event: RecordedEvent<RegistryEvent>): Promise<{ cause: RecordedEvent<RegistryEvent>; planned: PlannedAppend[] } | undefined> {
    if (event.globalPosition > this.builtThrough) return { cause: event, planned: react(state, event, event.streamVersion, this.policy) };
    const code = event.data.creditCode;
    if (this.reconciled.has(code)) return undefined;
    const known = state.enterprises.get(code);
    if (!known || known.registryVersion < 0) return undefined;
    const latest = (await this.store.readStream<RegistryEvent>(enterpriseStreamId(code), { fromVersion: known.registryVersion, untilPosition: this.builtThrough }))[0];
    if (!latest) return undefined;
    // Folded once already: step the enterprise back one event so the same facts are applied and the rules run again.
    known.registryVersion -= 1;
    const planned = react(state, latest, latest.streamVersion, this.policy);
    this.reconciled.add(code);
    return { cause: latest, planned };
  }

  private async append(cause: RecordedEvent<RegistryEvent>, planned: readonly PlannedAppend[]): Promise<void> {
    const correlationId = cause.metadata.correlationId ?? cause.metadata.commandId ?? cause.eventId;
    for (const append of planned) {
      const commandId = reactionCommandId(cause, append);
      const metadata = { ...append.metadata, causationId: cause.eventId, correlationId, commandId };
      const events: NewEvent[] = append.events.map((e) => ({ ...e, metadata }));
      const result = await this.store.append(append.streamId, events, { expected: append.expectedVersion, commandId });
      if (result.idempotentReplay && !samePlan(result.events, append.events)) throw new PlanDrifted(append.streamId);
    }
  }

  private foldOwn(events: readonly RecordedEvent[]): void {
    const state = this.placement;
    if (!state || events.length === 0) return;
    const first = events[0];
    const { orgId, creditCode } = first.data as { orgId?: string; creditCode?: string };
    const knownVersion =
      orgId !== undefined ? (state.orgs.get(orgId)?.streamVersion ?? state.proposalVersions.get(orgId) ?? -1) : creditCode !== undefined ? (state.enterprises.get(creditCode)?.coverageStreamVersion ?? -1) : undefined;
    if (knownVersion !== undefined && knownVersion !== first.streamVersion - 1) {
      // Someone else wrote to this stream since the state was built: start again from the store.
      this.placement = undefined;
      return;
    }
    for (const event of events) evolveWithFormationEvent(state, event as unknown as FormationEvent);
  }
}

const samePlan = (recorded: readonly RecordedEvent[], planned: readonly FormationEvent[]) =>
  recorded.length === planned.length && recorded.every((e, i) => e.type === planned[i].type && JSON.stringify(e.data) === JSON.stringify(planned[i].data));

const isDomainRefusal = (error: unknown) => typeof error === 'object' && error !== null && (error as { name?: string }).name === 'DomainError';
