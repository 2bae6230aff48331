import { Inject, Injectable } from '@nestjs/common';
import { type EventMetadata, type OrgEvent, orgStreamId, type RecordedEvent } from '@liangxin/contracts';
import { fold } from '@liangxin/event-sourcing';
import { type EventStore, isConcurrencyError } from '@liangxin/event-store';
import { orgDecider, placementClosingCycle, type ProposedParent, type TreeLink, undoPlacementClosingCycle } from '@liangxin/formation-domain';
import { EVENT_STORE } from '@liangxin/platform';
import { FormationEngine } from './formation-engine';

/** deepest organisation tree the parent walk follows (the tree route lists at most ten levels) */
export const MAX_TREE_DEPTH = 64;

/**
 * The organisation tree as the streams record it, walked one `org-<orgId>` stream at a time. Placing an organisation
 * appends to its own stream only, so two moves decided at the same instant on two formation instances can close a
 * cycle across streams that neither check saw; `undoCycleThrough` finds such a cycle and undoes the move that closed it.
 * It runs right after an officer's placement (that officer is told when it was their move) and again when the
 * OrgParentChanged reaches this service over the transport, so a cycle is undone even if the instance that closed it
 * stopped before looking.
 */
@Injectable()
export class OrganisationTreeGuard {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly engine: FormationEngine,
  ) {}

  /**
   * Ids from `firstId` upwards by parent, each read from its stream; stops at a root, at `stopAt` (the organisation
   * being moved: enough to know it would be a cycle), at an id seen already, or after MAX_TREE_DEPTH.
   */
  async ancestorsOf(firstId: string | undefined, stopAt: string): Promise<string[]> {
    const ids: string[] = [];
    for (let id = firstId; id && !ids.includes(id) && ids.length < MAX_TREE_DEPTH; ) {
      ids.push(id);
      if (id === stopAt) break;
      const state = fold(orgDecider, await this.store.readStream<OrgEvent>(orgStreamId(id)));
      id = state.exists ? state.parentOrgId : undefined;
    }
    return ids;
  }

  /**
   * When the tree leads from `orgId` back to itself, undoes the move that closed the cycle (`undoPlacementClosingCycle`)
   * once, whichever instance gets there first (the undo's command id is the closing event's), and says which move that
   * was. Call it inside the engine's `withPlacement`, whose fold learns of the undo.
   */
  async undoCycleThrough(orgId: string, correlationId: string | undefined, foldOwn: (events: readonly RecordedEvent[]) => void): Promise<{ closing?: TreeLink; position?: number }> {
    const cycle = await this.cycleThrough(orgId);
    if (!cycle) return {};
    const closing = placementClosingCycle(cycle);
    const previousParent = closing.previousParentOrgId ? (await this.parentAsRead(closing.previousParentOrgId)).parent : null;
    const previousParentAncestors = previousParent?.exists ? await this.ancestorsOf(previousParent.parentOrgId, closing.orgId) : [];
    const undo = undoPlacementClosingCycle(closing, previousParent, previousParentAncestors, this.engine.policy);
    const commandId = `undo-cycle:${closing.placedBy}`;
    const metadata: EventMetadata = {
      actor: 'system:formation',
      policyVersion: this.engine.policy.version,
      district: closing.district,
      commandId,
      correlationId: correlationId ?? commandId,
      causationId: closing.placedBy,
    };
    try {
      const result = await this.store.append(orgStreamId(closing.orgId), [{ ...undo, metadata }], { expected: closing.streamVersion, commandId });
      if (!result.idempotentReplay) foldOwn(result.events);
      return { closing, position: result.lastPosition };
    } catch (error) {
      // the organisation moved again since it was read (another instance undid this cycle, or an officer moved it): not ours to break now
      if (!isConcurrencyError(error)) throw error;
      return { closing };
    }
  }

  /** Whether the move recorded as `placedEventId` on `orgId`'s stream was undone for closing a cycle. */
  async wasUndone(orgId: string, placedEventId: string): Promise<boolean> {
    const events = await this.store.readStream(orgStreamId(orgId));
    return events.some((e) => e.metadata.causationId === placedEventId && e.metadata.actor === 'system:formation');
  }

  /** An organisation as a would-be parent, as its stream says now, with its district (for the caller's tenancy check). */
  async parentAsRead(orgId: string): Promise<{ parent: ProposedParent & { parentOrgId?: string }; district?: string }> {
    const state = fold(orgDecider, await this.store.readStream<OrgEvent>(orgStreamId(orgId)));
    if (!state.exists) return { parent: { orgId, exists: false, dissolved: false } };
    return { parent: { orgId, exists: true, dissolved: state.dissolved, level: state.level, name: state.name, parentOrgId: state.parentOrgId }, district: state.district };
  }

  /** The links from `orgId` up the tree when they lead back to it; undefined when they reach the top. */
  private async cycleThrough(orgId: string): Promise<TreeLink[] | undefined> {
    const links: TreeLink[] = [];
    for (let id = orgId; links.length < MAX_TREE_DEPTH; ) {
      const link = await this.treeLinkOf(id);
      if (!link) return undefined;
      links.push(link);
      if (link.parentOrgId === orgId) return links;
      if (links.some((l) => l.orgId === link.parentOrgId)) return undefined; // a cycle above, not through this organisation
      id = link.parentOrgId;
    }
    return undefined;
  }

  /** Where an organisation hangs in the tree and which event put it there, from its stream; undefined for a root. */
  private async treeLinkOf(orgId: string): Promise<TreeLink | undefined> {
    const events = await this.store.readStream<OrgEvent>(orgStreamId(orgId));
    const state = fold(orgDecider, events);
    if (!state.exists || !state.parentOrgId) return undefined;
    const placedBy = events.findLast((e) => e.type === 'OrgParentChanged' || e.type === 'OrgFormed');
    if (!placedBy) return undefined;
    return {
      orgId,
      district: state.district,
      level: state.level,
      parentOrgId: state.parentOrgId,
      previousParentOrgId: placedBy.type === 'OrgParentChanged' ? placedBy.data.previousParentOrgId : null,
      placedAt: placedBy.globalPosition,
      placedBy: placedBy.eventId,
      streamVersion: events[events.length - 1].streamVersion,
    };
  }
}
