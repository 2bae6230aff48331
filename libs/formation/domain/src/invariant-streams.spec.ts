import type { Event } from '@liangxin/contracts';
import { type Decider, DomainError, fold } from '@liangxin/event-sourcing';
import { type ClaimEnterprise, claimHolds, placementClaimDecider } from './enterprise-placement';
import { caseloadDecider, type TakeCaseloadPlace } from './caseload';
import { type DecideTreeMove, treeDecider } from './organisation-tree';

/** given events of the stream, when the command: the events decided, or the refusal's code */
const given = <C, S>(decider: Decider<C, S, Event>, history: Event[]) => ({
  when: (command: C): Event[] | string => {
    try {
      return decider.decide(command, fold(decider, history));
    } catch (error) {
      if (error instanceof DomainError) return error.code;
      throw error;
    }
  },
});

describe('claimEnterprise: an enterprise is in at most one organisation', () => {
  const claim = (orgId: string, orgVersion: number, claimsSeen: number, holder?: ClaimEnterprise['data']['holder'], from?: string): ClaimEnterprise => ({
    type: 'ClaimEnterprise',
    data: { creditCode: 'E1', district: '430104', orgId, orgVersion, automatic: false, claimsSeen, ...(holder && { holder }), ...(from && { from }) },
  });
  const claimed = (orgId: string, orgVersion: number): Event => ({ type: 'EnterprisePlacementClaimed', schemaVersion: 1, data: { creditCode: 'E1', district: '430104', claimedFor: orgId, orgVersion, automatic: false } });

  it('claims a free enterprise for the organisation at the version its placement will be appended at', () => {
    expect(given(placementClaimDecider, []).when(claim('X', 3, 0))).toEqual([expect.objectContaining({ data: expect.objectContaining({ claimedFor: 'X', orgVersion: 3 }) })]);
  });
  it('refuses while another organisation holds it or is placing it', () => {
    expect(given(placementClaimDecider, [claimed('Y', 0)]).when(claim('X', 3, 1, { orgId: 'Y', holds: true }))).toBe('ENTERPRISE_IN_ANOTHER_ORG');
  });
  it('takes a claim recorded since the reading as holding: the loser of a race is refused', () => {
    expect(given(placementClaimDecider, [claimed('Y', 0)]).when(claim('X', 3, 0))).toBe('ENTERPRISE_IN_ANOTHER_ORG');
  });
  it('claims again once the earlier claim is spent, and for the organisation absorbing the holder in a merge', () => {
    expect(given(placementClaimDecider, [claimed('Y', 0)]).when(claim('X', 3, 1, { orgId: 'Y', holds: false }))).toHaveLength(1);
    expect(given(placementClaimDecider, [claimed('Y', 0)]).when(claim('X', 3, 1, { orgId: 'Y', holds: true }, 'Y'))).toHaveLength(1);
  });
  it('records nothing again for a retried claim', () => {
    expect(given(placementClaimDecider, [claimed('X', 3)]).when(claim('X', 3, 0))).toEqual([]);
  });
  it('a claim holds while its organisation holds the enterprise or has not moved past the claimed version', () => {
    expect(claimHolds({ orgVersion: 3 }, { version: 3, holdsEnterprise: false })).toBe(true);
    expect(claimHolds({ orgVersion: 3 }, { version: 5, holdsEnterprise: true })).toBe(true);
    expect(claimHolds({ orgVersion: 3 }, { version: 4, holdsEnterprise: false })).toBe(false);
  });
});

describe('takeCaseloadPlace: the caseload limit on the person’s own stream', () => {
  const take = (creditCode: string, placesSeen: number, stillHeld: string[]): TakeCaseloadPlace => ({
    type: 'TakeCaseloadPlace',
    data: { personId: 'p1', name: '王', creditCode, district: '430104', coverageVersion: 0, placesSeen, stillHeld, limit: 2, policyVersion: 'test' },
  });
  const taken = (creditCode: string): Event => ({ type: 'CaseloadPlaceTaken', schemaVersion: 1, data: { personId: 'p1', creditCode, district: '430104', coverageVersion: 0 } });

  it('takes a place below the limit and refuses one at the limit', () => {
    expect(given(caseloadDecider, [taken('A')]).when(take('B', 1, ['A']))).toHaveLength(1);
    expect(given(caseloadDecider, [taken('A'), taken('B')]).when(take('C', 2, ['A', 'B']))).toBe('CASELOAD_EXCEEDED');
  });
  it('counts a place taken since the reading (another instance), so two assignments at the limit cannot both win', () => {
    expect(given(caseloadDecider, [taken('A'), taken('B')]).when(take('C', 1, ['A']))).toBe('CASELOAD_EXCEEDED');
  });
  it('does not count places freed since they were taken', () => {
    expect(given(caseloadDecider, [taken('A'), taken('B')]).when(take('C', 2, ['A']))).toHaveLength(1);
  });
});

describe('decideTreeMove: no organisation is its own ancestor, decided on the district’s tree stream', () => {
  const move = (orgId: string, parentOrgId: string | null, parentChain: string[] = []): DecideTreeMove => ({
    type: 'DecideTreeMove',
    data: { district: '430104', orgId, parentOrgId, previousParentOrgId: null, parentChain, name: orgId },
  });
  const moved = (movedOrgId: string, parentOrgId: string | null): Event => ({ type: 'OrgTreeMoveDecided', schemaVersion: 1, data: { district: '430104', movedOrgId, parentOrgId, previousParentOrgId: null } });

  it('places under a parent that is not beneath the organisation', () => {
    expect(given(treeDecider, []).when(move('A', 'B', ['B']))).toHaveLength(1);
  });
  it('refuses the crosswise move recorded after the other: B under A once A is under B', () => {
    expect(given(treeDecider, [moved('A', 'B')]).when(move('B', 'A', ['A']))).toBe('PARENT_CYCLE');
  });
  it('walks the organisations’ own streams for those the tree stream has no move of', () => {
    expect(given(treeDecider, []).when(move('A', 'C', ['C', 'B', 'A']))).toBe('PARENT_CYCLE');
  });
  it('a recorded move wins over the chain read from the streams', () => {
    expect(given(treeDecider, [moved('B', null)]).when(move('A', 'C', ['C', 'B', 'A']))).toHaveLength(1);
  });
});
