import type { FormationEvent, OrgEvent } from '@liangxin/contracts';
import { DeciderSpecification } from '@liangxin/event-sourcing/testing';
import fc from 'fast-check';
import { type ApproveOrgProposal, type CandidateEnterprise, type FormOrg, orgDecider, type ProposeOrg, type RejectOrgProposal } from './org';
import { evolveWithFormationEvent, initialPlacementState } from './placement';
import { DEFAULT_FORMATION_POLICY as policy } from './policy';

// The lifecycle's first step (docs/domain.md "proposed → approved/formed"): an officer proposes an organisation, another
// approves it (批复) on the facts of the day, or rejects it with a reason.
const spec = DeciderSpecification.for(orgDecider);
const district = '430104';
const enterprise = (creditCode: string, fullMembers: number, probationaryMembers = 0): CandidateEnterprise => ({ creditCode, district, fullMembers, probationaryMembers });
const asProposed = [enterprise('E1', 2), enterprise('E2', 1, 1)];
const formData = (enterprises: CandidateEnterprise[] = asProposed): FormOrg['data'] => ({ orgId: 'p1', district, name: ' 科技园楼宇联合党支部 ', mode: 'building-shared', enterprises, policy });

const propose = (by = 'officer:li', enterprises = asProposed): ProposeOrg => ({ type: 'ProposeOrg', data: { ...formData(enterprises), proposedBy: by, note: ' 楼宇内三家企业 ' } });
const approve = (by = 'officer:wang', enterprises = asProposed): ApproveOrgProposal => ({ type: 'ApproveOrgProposal', data: { orgId: 'p1', approvedBy: by, formed: formData(enterprises) } });
const reject = (reason = '企业尚未确认'): RejectOrgProposal => ({ type: 'RejectOrgProposal', data: { orgId: 'p1', rejectedBy: 'officer:wang', reason } });

const proposed: OrgEvent = {
  type: 'OrgProposed',
  schemaVersion: 1,
  data: {
    orgId: 'p1',
    district,
    name: '科技园楼宇联合党支部',
    mode: 'building-shared',
    enterprises: [
      { creditCode: 'E1', fullMembers: 2, probationaryMembers: 0 },
      { creditCode: 'E2', fullMembers: 1, probationaryMembers: 1 },
    ],
    proposedBy: 'officer:li',
    note: '楼宇内三家企业',
  },
};
const rejected: OrgEvent = { type: 'OrgProposalRejected', schemaVersion: 1, data: { orgId: 'p1', district, reason: '企业尚未确认', rejectedBy: 'officer:wang' } };

describe('proposing an organisation (proposeOrg)', () => {
  it('records the proposal, checked as forming it would be, naming the proposer', () => spec.given([]).when(propose()).then([proposed]));

  it('refuses what forming would refuse, and a second proposal of the same organisation', () => {
    spec.given([]).when(propose('officer:li', [enterprise('E1', 1), enterprise('E2', 1)])).thenThrows('BELOW_MINIMUM_FULL_MEMBERS', 'enterprises');
    spec.given([proposed]).when(propose()).thenThrows('ORG_ALREADY_PROPOSED', 'orgId');
  });

  it('keeps FormOrg off a proposed organisation: it is formed by approving the proposal', () =>
    spec.given([proposed]).when({ type: 'FormOrg', data: formData() }).thenThrows('ORG_ALREADY_PROPOSED', 'orgId'));
});

describe('approving or rejecting a proposal', () => {
  it('an approval by another officer forms the organisation on the counts of the day', () =>
    spec
      .given([proposed])
      .when(approve('officer:wang', [enterprise('E1', 4), enterprise('E2', 3, 1)]))
      .thenMatches((events) => {
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({
          type: 'OrgFormed',
          data: { orgId: 'p1', name: '科技园楼宇联合党支部', mode: 'building-shared', fullMembers: 7, probationaryMembers: 1, committeeSize: 3, automatic: false },
        });
      }));

  it('refuses an approval by the proposer, of a rejected or unknown proposal, and of an organisation already formed', () => {
    spec.given([proposed]).when(approve('officer:li')).thenThrows('APPROVER_IS_PROPOSER', 'orgId');
    spec.given([proposed, rejected]).when(approve()).thenThrows('PROPOSAL_REJECTED', 'orgId');
    spec.given([]).when({ type: 'ApproveOrgProposal', data: { orgId: 'p1', approvedBy: 'officer:wang' } }).thenThrows('PROPOSAL_NOT_FOUND', 'orgId');
    const formed = orgDecider.decide(approve(), orgDecider.evolve(orgDecider.initialState(), proposed));
    spec.given([proposed, ...formed]).when(approve()).thenThrows('ORG_ALREADY_EXISTS', 'orgId');
  });

  it('refuses to approve on facts that no longer allow the organisation', () =>
    spec.given([proposed]).when(approve('officer:wang', [enterprise('E1', 1), enterprise('E2', 1)])).thenThrows('BELOW_MINIMUM_FULL_MEMBERS', 'enterprises'));

  it('rejects a pending proposal with a reason, once', () => {
    spec.given([proposed]).when(reject()).then([rejected]);
    spec.given([proposed]).when(reject(' ')).thenThrows('REASON_REQUIRED', 'reason');
    spec.given([proposed, rejected]).when(reject()).thenThrows('PROPOSAL_REJECTED', 'orgId');
  });
});

describe('the placement state counts a proposal in the organisation’s stream', () => {
  it('an organisation formed by approval knows its stream is one event longer, so automatic appends expect the right version', () => {
    const state = initialPlacementState();
    const formedEvents = orgDecider.decide(approve(), orgDecider.evolve(orgDecider.initialState(), proposed)) as FormationEvent[];
    for (const event of [proposed as FormationEvent, ...formedEvents]) evolveWithFormationEvent(state, event);
    expect(state.orgs.get('p1')?.streamVersion).toBe(1);
    expect(state.proposalVersions.has('p1')).toBe(false);
    // an organisation formed without a proposal starts its stream at 0, as before
    evolveWithFormationEvent(state, { ...formedEvents[0], data: { ...formedEvents[0].data, orgId: 'direct' } } as FormationEvent);
    expect(state.orgs.get('direct')?.streamVersion).toBe(0);
  });
});

describe('property: an organisation comes from a proposal at most once, only approved by someone else, never after a rejection', () => {
  const actors = ['officer:li', 'officer:wang', 'officer:zhao'];
  const arbitraryCommand = fc.oneof(
    fc.record({ kind: fc.constant('propose' as const), by: fc.constantFrom(...actors) }),
    fc.record({ kind: fc.constant('approve' as const), by: fc.constantFrom(...actors) }),
    fc.record({ kind: fc.constant('reject' as const), by: fc.constantFrom(...actors) }),
  );

  it('holds for any sequence of proposals, approvals and rejections by any officers', () => {
    fc.assert(
      fc.property(fc.array(arbitraryCommand, { maxLength: 12 }), (commands) => {
        let state = orgDecider.initialState();
        const stream: OrgEvent[] = [];
        const formedBy: string[] = [];
        for (const { kind, by } of commands) {
          const command =
            kind === 'propose'
              ? propose(by)
              : kind === 'approve'
                ? ({ type: 'ApproveOrgProposal', data: { orgId: 'p1', approvedBy: by, formed: formData() } } as const)
                : ({ type: 'RejectOrgProposal', data: { orgId: 'p1', rejectedBy: by, reason: '理由' } } as const);
          let decided: OrgEvent[] = [];
          try {
            decided = orgDecider.decide(command, state);
          } catch (error) {
            expect((error as Error).name).toBe('DomainError');
          }
          for (const event of decided) state = orgDecider.evolve(state, event);
          stream.push(...decided);
          if (decided.some((e) => e.type === 'OrgFormed')) formedBy.push(by);
        }
        const types = stream.map((e) => e.type);
        expect(types.filter((t) => t === 'OrgFormed').length).toBeLessThanOrEqual(1);
        expect(types.filter((t) => t === 'OrgProposed').length).toBeLessThanOrEqual(1);
        const formedAt = types.indexOf('OrgFormed');
        if (formedAt >= 0) {
          // formed straight after the proposal (never after a rejection), by an approver who did not propose it
          expect(types.slice(0, formedAt)).toEqual(['OrgProposed']);
          const proposer = (stream[0] as Extract<OrgEvent, { type: 'OrgProposed' }>).data.proposedBy;
          expect(formedBy).toHaveLength(1);
          expect(formedBy[0]).not.toBe(proposer);
        }
      }),
    );
  });
});
