import type { FormationEvent, Person, RegistryEvent, WorkCoverageAssigned } from '@liangxin/contracts';
import fc from 'fast-check';
import { caseloadOf, coverageOf, evolveWithFormationEvent, initialPlacementState, type PlacementState } from './placement';
import { DEFAULT_FORMATION_POLICY, type FormationPolicy } from './policy';
import { react } from './process-manager';
import { type AssignWorkCoverage, decideWorkCoverage } from './work-coverage';

const district = '430104';
const code = (i: number) => `9143010400000000${String.fromCharCode(65 + i)}X`; // identifiers only: formation does not check codes
const policy: FormationPolicy = { ...DEFAULT_FORMATION_POLICY, maxWorkCoverageCaseload: 2 };

const wang: Person = { personId: 'p-wang', name: '王指导员' };
const li: Person = { personId: 'p-li', name: '李挂点干部' };

const registered = (i: number, full: number, employees = 10): RegistryEvent => ({
  type: 'EnterpriseRegistered',
  schemaVersion: 1,
  data: { creditCode: code(i), district, name: `E${i}`, kind: 'enterprise', employees, fullMembers: full, probationaryMembers: 0 },
});
const membersChanged = (i: number, full: number): RegistryEvent => ({
  type: 'MemberCountChanged',
  schemaVersion: 1,
  data: { creditCode: code(i), district, fullMembers: full, probationaryMembers: 0, previousFullMembers: 0, previousProbationaryMembers: 0, reason: 'correction' },
});
const statusChanged = (i: number, status: 'normal' | 'abnormal' | 'deregistered'): RegistryEvent => ({
  type: 'OperatingStatusChanged',
  schemaVersion: 1,
  data: { creditCode: code(i), district, status, previousStatus: 'normal' },
});
const assign = (i: number, assignee: Person, coveredBy: 'instructor' | 'liaison' = 'liaison'): AssignWorkCoverage => ({ creditCode: code(i), coveredBy, assignee });

/** The placement state after registry events (with the automatic rules applied) and earlier officer assignments. */
type Given = RegistryEvent | AssignWorkCoverage;
const stateAfter = (given: readonly Given[]): PlacementState => {
  const state = initialPlacementState(policy.standaloneMinFull, policy.jointMaxEnterprises);
  const versions = new Map<string, number>();
  for (const fact of given) {
    if ('type' in fact) {
      const version = (versions.get(fact.data.creditCode) ?? -1) + 1;
      versions.set(fact.data.creditCode, version);
      react(state, fact, version, policy);
    } else for (const event of decideWorkCoverage(state, fact, policy)) evolveWithFormationEvent(state, event);
  }
  return state;
};

/** Given/when/then over the placement state: the decision needs every enterprise a person covers, not one stream. */
const given = (facts: readonly Given[]) => ({
  when: (command: AssignWorkCoverage) => {
    const state = stateAfter(facts);
    const run = () => decideWorkCoverage(state, command, policy);
    return {
      then: (expected: Partial<WorkCoverageAssigned['data']>[]) => expect(run().map((e) => e.data)).toEqual(expected.map((data) => expect.objectContaining(data))),
      thenNothingHappens: () => expect(run()).toEqual([]),
      thenThrows: (code: string, field: string, message?: RegExp) => {
        let thrown: unknown;
        try {
          run();
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toMatchObject({ name: 'DomainError', code, field });
        if (message) expect((thrown as Error).message).toMatch(message);
      },
    };
  },
});

describe('work coverage: an officer assigns the person who covers an enterprise with no organisation', () => {
  it('names the liaison cadre, keeping the reason it has no organisation and the policy applied', () =>
    given([registered(0, 0)])
      .when(assign(0, li))
      .then([{ creditCode: code(0), district, coveredBy: 'liaison', assignee: li, reason: 'no-party-members', automatic: false, policyVersion: policy.version }]));

  it('names an instructor for an enterprise waiting for a joint branch, and flags 50+ employees (rule 5)', () =>
    given([registered(0, 1, 80)])
      .when(assign(0, wang, 'instructor'))
      .then([{ coveredBy: 'instructor', assignee: wang, reason: 'awaiting-joint-branch', mustBeOrganisationallyCovered: true }]));

  it('replaces the person covering it, naming who covered it before', () =>
    given([registered(0, 0), assign(0, li)])
      .when(assign(0, wang, 'instructor'))
      .then([{ coveredBy: 'instructor', assignee: wang, previousAssignee: li, reason: 'no-party-members' }]));

  it('an enterprise with no members is not covered until someone is named: the automatic rule records the need, not coverage by nobody', () => {
    const state = initialPlacementState(policy.standaloneMinFull, policy.jointMaxEnterprises);
    const recorded = react(state, registered(0, 0), 0, policy).flatMap((append) => append.events);
    expect(recorded).toEqual([
      expect.objectContaining({ type: 'WorkCoverageNeeded', data: expect.objectContaining({ creditCode: code(0), coveredBy: 'liaison', reason: 'no-party-members', automatic: true }) }),
    ]);
    expect(recorded.some((e) => e.type === 'WorkCoverageAssigned')).toBe(false);
    expect(coverageOf(state, code(0))).toEqual({ kind: 'none', reason: 'no-party-members' });
    for (const event of decideWorkCoverage(state, assign(0, li), policy)) evolveWithFormationEvent(state, event);
    expect(coverageOf(state, code(0))).toEqual({ kind: 'work', reason: 'no-party-members' });
  });

  it.each([undefined, null, [], '', '  ', { personId: ' ', name: '王' }, { personId: 'p-1', name: '' }])('refuses an assignment without a named person (%j), naming assignee', (assignee) =>
    given([registered(0, 0)])
      .when({ creditCode: code(0), coveredBy: 'liaison', assignee: assignee as unknown as Person })
      .thenThrows('ASSIGNEE_REQUIRED', 'assignee'));

  it('changes nothing when the same person is assigned again', () => given([registered(0, 0), assign(0, li)]).when(assign(0, li)).thenNothingHappens());

  it('refuses an enterprise that has its own organisation', () =>
    given([registered(0, 3)]).when(assign(0, wang)).thenThrows('ENTERPRISE_ORGANISATIONALLY_COVERED', 'creditCode', /standalone-/));

  it('refuses a deregistered enterprise and an unknown one', () => {
    given([registered(0, 0), statusChanged(0, 'deregistered')]).when(assign(0, wang)).thenThrows('ENTERPRISE_DEREGISTERED', 'creditCode');
    given([]).when(assign(0, wang)).thenThrows('ENTERPRISE_NOT_REGISTERED', 'creditCode');
  });

  it('refuses an assignment beyond the caseload limit, naming the current caseload', () =>
    given([registered(0, 0), registered(1, 0), registered(2, 0), assign(0, wang), assign(1, wang)])
      .when(assign(2, wang))
      .thenThrows('CASELOAD_EXCEEDED', 'assignee', /王指导员 \(p-wang\) already gives work coverage to 2 enterprises.*\(2\)/));

  it('counts a replacement on the same enterprise once: the person keeps their caseload', () =>
    given([registered(0, 0), registered(1, 0), assign(0, wang), assign(1, wang, 'liaison')])
      .when(assign(1, wang, 'instructor'))
      .then([{ coveredBy: 'instructor', assignee: wang }]));

  it('frees the caseload when the enterprise joins an organisation or is deregistered', () => {
    const facts = [registered(0, 0), registered(1, 0), registered(2, 0), assign(0, wang), assign(1, wang)];
    given([...facts, membersChanged(0, 3)])
      .when(assign(2, wang))
      .then([{ assignee: wang }]);
    given([...facts, statusChanged(1, 'deregistered')])
      .when(assign(2, wang))
      .then([{ assignee: wang }]);
    expect(caseloadOf(stateAfter([...facts, membersChanged(0, 3)]), wang.personId)).toEqual([code(1)]);
  });

  it('keeps the assigned person when the automatic rules only change the reason', () => {
    const state = stateAfter([registered(0, 0), assign(0, li)]);
    const appends = react(state, membersChanged(0, 1), 1, policy);
    const coverage = appends.flatMap((a) => a.events).find((e) => e.type === 'WorkCoverageAssigned');
    expect(coverage?.data).toMatchObject({ reason: 'awaiting-joint-branch', assignee: li, automatic: true });
    expect(caseloadOf(state, li.personId)).toEqual([code(0)]);
  });

  it('property: after any registrations, member and status changes and assignments, nobody covers more than the limit', () => {
    const enterprises = 8;
    const people: Person[] = [wang, li, { personId: 'p-zhao', name: '赵干部' }];
    const step = fc.oneof(
      fc.record({ kind: fc.constant('members' as const), i: fc.nat(enterprises - 1), full: fc.nat(4) }),
      fc.record({ kind: fc.constant('status' as const), i: fc.nat(enterprises - 1), status: fc.constantFrom('normal' as const, 'abnormal' as const, 'deregistered' as const) }),
      fc.record({ kind: fc.constant('assign' as const), i: fc.nat(enterprises - 1), person: fc.nat(people.length - 1), coveredBy: fc.constantFrom('instructor' as const, 'liaison' as const) }),
    );
    fc.assert(
      fc.property(fc.array(fc.nat(3), { minLength: enterprises, maxLength: enterprises }), fc.array(step, { maxLength: 60 }), (initialMembers, steps) => {
        const state = initialPlacementState(policy.standaloneMinFull, policy.jointMaxEnterprises);
        const versions = new Map<string, number>();
        const deliver = (event: RegistryEvent) => {
          const version = (versions.get(event.data.creditCode) ?? -1) + 1;
          versions.set(event.data.creditCode, version);
          react(state, event, version, policy);
        };
        initialMembers.forEach((full, i) => deliver(registered(i, full)));
        for (const s of steps) {
          if (s.kind === 'members') deliver(membersChanged(s.i, s.full));
          else if (s.kind === 'status') deliver(statusChanged(s.i, s.status));
          else {
            let decided: FormationEvent[] = [];
            try {
              decided = decideWorkCoverage(state, assign(s.i, people[s.person], s.coveredBy), policy);
            } catch (error) {
              expect(error).toMatchObject({ name: 'DomainError' });
            }
            for (const event of decided) evolveWithFormationEvent(state, event);
          }
          // the index agrees with the enterprises, nobody is above the limit, and only unorganised enterprises in scope are covered
          const recount = new Map<string, string[]>();
          for (const e of state.enterprises.values()) {
            const personId = e.workCoverage?.assignee?.personId;
            if (!personId) continue;
            expect(e.orgId).toBeUndefined();
            expect(e.coverageEnded).toBe(false);
            recount.set(personId, [...(recount.get(personId) ?? []), e.creditCode]);
          }
          for (const person of people) {
            expect(caseloadOf(state, person.personId).sort()).toEqual((recount.get(person.personId) ?? []).sort());
            expect(caseloadOf(state, person.personId).length).toBeLessThanOrEqual(policy.maxWorkCoverageCaseload);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
