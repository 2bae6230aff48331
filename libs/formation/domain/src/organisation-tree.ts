import type { Event, OrgTreeMoveDecided } from '@liangxin/contracts';
import { type Decider, DomainError } from '@liangxin/event-sourcing';
import { formationEvent } from './events';

/** A district's tree as its tree stream records the officers' moves: organisation → parent (null: the top). */
export type TreeState = { moves: number; parents: ReadonlyMap<string, string | null> };

/**
 * An officer's move, decided on the district's whole tree. `parentChain` is the parent and its ancestors as their own
 * streams say (nearest first), for organisations the tree stream has no move of; a move recorded since (another
 * instance) is in the state, and the state wins.
 */
export type DecideTreeMove = {
  type: 'DecideTreeMove';
  data: { district: string; orgId: string; parentOrgId: string | null; previousParentOrgId: string | null; parentChain: readonly string[]; parentName?: string; name: string };
};

/** Would `orgId` be its own ancestor under `parentOrgId`, walking the recorded moves first and the streams' chain after? */
export const closesCycle = (state: TreeState, orgId: string, parentOrgId: string, parentChain: readonly string[]): boolean => {
  const chained = new Map<string, string | null>();
  parentChain.forEach((id, i) => chained.set(id, parentChain[i + 1] ?? null));
  const seen = new Set<string>();
  for (let id: string | null | undefined = parentOrgId; id && !seen.has(id); id = state.parents.has(id) ? state.parents.get(id) : chained.get(id)) {
    if (id === orgId) return true;
    seen.add(id);
  }
  return false;
};

/** "No organisation is its own ancestor", decided once on the district's tree stream, so crosswise moves cannot both pass. */
export const decideTreeMove = ({ data }: DecideTreeMove, state: TreeState): OrgTreeMoveDecided[] => {
  if (data.parentOrgId && closesCycle(state, data.orgId, data.parentOrgId, data.parentChain))
    throw new DomainError(
      'PARENT_CYCLE',
      `${data.parentName ?? data.parentOrgId} lies beneath ${data.name}; placing ${data.name} under it would make a cycle.`,
      'parentOrgId',
      'conflict',
    );
  return [formationEvent<OrgTreeMoveDecided>('OrgTreeMoveDecided', { district: data.district, movedOrgId: data.orgId, parentOrgId: data.parentOrgId, previousParentOrgId: data.previousParentOrgId })];
};

export const treeDecider: Decider<DecideTreeMove, TreeState, Event> = {
  decide: decideTreeMove,
  evolve: (state, event) => {
    if (event.type !== 'OrgTreeMoveDecided') return state;
    const { movedOrgId, parentOrgId } = (event as OrgTreeMoveDecided).data;
    return { moves: state.moves + 1, parents: new Map(state.parents).set(movedOrgId, parentOrgId) };
  },
  initialState: () => ({ moves: 0, parents: new Map() }),
};
