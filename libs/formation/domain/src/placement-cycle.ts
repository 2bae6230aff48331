import { CONCURRENT_PLACEMENT_CYCLE, type OrgLevel, type OrgParentChanged } from '@liangxin/contracts';
import { formationEvent } from './events';
import { canHold, type ProposedParent, wouldBeOwnAncestor } from './org';
import type { FormationPolicy } from './policy';

/** One step up the organisation tree, as the organisation's own stream records it: what put it under its parent. */
export type TreeLink = {
  orgId: string;
  district: string;
  level: OrgLevel;
  parentOrgId: string;
  previousParentOrgId: string | null;
  /** global position and id of the event that placed it there */
  placedAt: number;
  placedBy: string;
  /** version of `org-<orgId>` as read, for the append that undoes the placement */
  streamVersion: number;
};

/**
 * Of the links around a cycle, the placement that closed it: the latest in the log. A cycle closes when its last
 * link is appended, and that link is always a move (an organisation is formed with nothing beneath it).
 */
export const placementClosingCycle = (cycle: readonly TreeLink[]): TreeLink => cycle.reduce((latest, link) => (link.placedAt > latest.placedAt ? link : latest));

/**
 * Two officers moving organisations crosswise at the same instant on two formation instances (A under B, B under A)
 * each pass the cycle check on what they read, and each appends only to its own organisation's stream, so together
 * they can make a cycle neither made alone. The move that closed it is undone: the organisation goes back under its
 * previous parent, as read now, if that one is live, of its level or above and not beneath it; otherwise to the top.
 */
export function undoPlacementClosingCycle(
  closing: TreeLink,
  previousParent: ProposedParent | null,
  previousParentAncestors: readonly string[],
  policy: Pick<FormationPolicy, 'version'>,
): OrgParentChanged {
  const canGoBack =
    previousParent !== null &&
    previousParent.exists &&
    !previousParent.dissolved &&
    (previousParent.level === undefined || canHold(previousParent.level, closing.level)) &&
    !wouldBeOwnAncestor(closing.orgId, previousParent.orgId, previousParentAncestors);
  return formationEvent<OrgParentChanged>('OrgParentChanged', {
    orgId: closing.orgId,
    district: closing.district,
    parentOrgId: canGoBack ? previousParent.orgId : null,
    previousParentOrgId: closing.parentOrgId,
    reason: CONCURRENT_PLACEMENT_CYCLE,
    automatic: true,
    policyVersion: policy.version,
  });
}
