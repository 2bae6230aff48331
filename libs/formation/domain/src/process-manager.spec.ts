import type { FormationEvent, RegistryEvent } from '@liangxin/contracts';
import fc from 'fast-check';
import { coverageOf, evolveWithFormationEvent, evolveWithRegistryEvent, initialPlacementState, type PlacementState, uncoveredLargeEnterprises } from './placement';
import { DEFAULT_FORMATION_POLICY as policy } from './policy';
import { type PlannedAppend, planSettleReleased, react } from './process-manager';

const district = '430104';
const code = (i: number) => `9143010400000000${String.fromCharCode(65 + i)}X`; // identifiers only: formation does not check codes

type Ledger = { versions: Map<string, number>; log: (RegistryEvent | FormationEvent)[]; state: PlacementState };
/** The placement claims that precede every placement (enterprise-placement.spec.ts): the rules' outcomes are the rest. */
const withoutClaims = (appends: PlannedAppend[]) => appends.filter((a) => !a.events.every((e) => e.type === 'EnterprisePlacementClaimed'));
const newLedger = (): Ledger => ({ versions: new Map(), log: [], state: initialPlacementState() });

const deliver = (ledger: Ledger, event: RegistryEvent & { occurredAt?: string }, version?: number): PlannedAppend[] => {
  const last = ledger.versions.get(event.data.creditCode) ?? -1;
  const v = version ?? last + 1;
  const all = react(ledger.state, event, v, policy);
  const appends = withoutClaims(all);
  if (v <= last) return appends;
  ledger.versions.set(event.data.creditCode, v);
  ledger.log.push(event, ...all.flatMap((a) => a.events));
  return appends;
};

const registered = (i: number, full: number, probationary: number, extra: Partial<{ employees: number; industryChain: string; park: string }> = {}): RegistryEvent => ({
  type: 'EnterpriseRegistered',
  schemaVersion: 1,
  data: { creditCode: code(i), district, name: `E${i}`, kind: 'enterprise', employees: 10, fullMembers: full, probationaryMembers: probationary, ...extra },
});
const membersChanged = (i: number, full: number, probationary: number): RegistryEvent => ({
  type: 'MemberCountChanged',
  schemaVersion: 1,
  data: { creditCode: code(i), district, fullMembers: full, probationaryMembers: probationary, previousFullMembers: 0, previousProbationaryMembers: 0, reason: 'correction' },
});
const statusChanged = (i: number, status: 'normal' | 'abnormal' | 'deregistered'): RegistryEvent => ({
  type: 'OperatingStatusChanged',
  schemaVersion: 1,
  data: { creditCode: code(i), district, status, previousStatus: 'normal' },
});
const at = (occurredAt: string, event: RegistryEvent): RegistryEvent & { occurredAt: string } => ({ ...event, occurredAt });
const types = (appends: PlannedAppend[]) => appends.flatMap((a) => a.events.map((e) => e.type));

describe('formation process manager: rules applied by themselves', () => {
  it('rule 1: three full members at registration → standalone branch at once, recording the policy version', () => {
    const ledger = newLedger();
    const appends = deliver(ledger, registered(0, 3, 1));
    expect(appends).toEqual([
      expect.objectContaining({
        streamId: `org-standalone-${code(0)}-1`,
        expectedVersion: 'no_stream',
        events: [
          expect.objectContaining({ type: 'OrgFormed', data: expect.objectContaining({ name: '中共E0支部', mode: 'standalone', automatic: true, policyVersion: policy.version, fullMembers: 3 }) }),
        ],
      }),
    ]);
    expect(coverageOf(ledger.state, code(0))).toEqual({ kind: 'organisational', orgId: `standalone-${code(0)}-1` });
  });

  it('rule 2: fewer than three full members wait with work coverage until the group holds three, then a joint branch forms', () => {
    const ledger = newLedger();
    expect(types(deliver(ledger, registered(0, 1, 0, { industryChain: 'robotics' })))).toEqual(['EnterpriseAwaitingJointBranch', 'WorkCoverageNeeded']);
    expect(coverageOf(ledger.state, code(0))).toEqual({ kind: 'awaiting-joint', reason: 'awaiting-joint-branch' });
    deliver(ledger, registered(1, 1, 1));
    const appends = deliver(ledger, registered(2, 1, 0, { industryChain: 'robotics' }));
    const formed = appends.flatMap((a) => a.events).find((e) => e.type === 'OrgFormed');
    expect(formed?.data).toMatchObject({ mode: 'joint', fullMembers: 3, name: `中共${district}联合支部（第1号）` });
    for (const i of [0, 1, 2]) expect(coverageOf(ledger.state, code(i)).kind).toBe('organisational');
  });

  it.each([
    [3, 0, 'branch', '中共E0支部'],
    [40, 11, 'general-branch', '中共E0总支部'],
    [200, 30, 'primary-committee', '中共E0委员会'],
  ] as const)('rule 6: the name follows the level: %i full and %i probationary members make a %s named %s', (full, probationary, level, name) => {
    const formed = deliver(newLedger(), registered(0, full, probationary)).flatMap((a) => a.events)[0];
    expect(formed).toMatchObject({ type: 'OrgFormed', data: { level, name } });
  });

  it('rule 2: prefers enterprises of the same industry chain', () => {
    const ledger = newLedger();
    deliver(ledger, registered(0, 1, 0, { industryChain: 'steel' }));
    deliver(ledger, registered(1, 1, 0, { industryChain: 'robotics' }));
    const formed = deliver(ledger, registered(2, 2, 0, { industryChain: 'robotics' })).flatMap((a) => a.events).find((e) => e.type === 'OrgFormed');
    expect(formed?.type === 'OrgFormed' && formed.data.enterprises.map((e) => e.creditCode)).toEqual([code(2), code(1)]);
  });

  it('rule 3: no members → liaison work coverage with the reason recorded', () => {
    const ledger = newLedger();
    const [append] = deliver(ledger, registered(0, 0, 0));
    expect(append.events[0].data).toMatchObject({ coveredBy: 'liaison', reason: 'no-party-members' });
  });

  it('rule 4: a joint member reaching three moves to its own standalone branch; the joint branch left below three is dissolved and regrouped', () => {
    const ledger = newLedger();
    for (const i of [0, 1, 2]) deliver(ledger, registered(i, 1, 0));
    const appends = deliver(ledger, membersChanged(0, 3, 0));
    expect(types(appends)).toEqual(expect.arrayContaining(['EnterpriseLeftOrg', 'OrgDissolved', 'OrgFormed', 'EnterpriseAwaitingJointBranch']));
    expect(coverageOf(ledger.state, code(0)).orgId).toBe(`standalone-${code(0)}-1`);
    expect(coverageOf(ledger.state, code(1)).kind).toBe('awaiting-joint');
  });

  it('rule 4: a standalone branch below three is dissolved and the enterprise goes back to joint grouping', () => {
    const ledger = newLedger();
    deliver(ledger, registered(0, 3, 0));
    const appends = deliver(ledger, membersChanged(0, 2, 0));
    expect(appends[0].events[0]).toMatchObject({ type: 'OrgDissolved', data: { reason: 'below-minimum-full-members', enterprisesReleased: [code(0)] } });
    expect(coverageOf(ledger.state, code(0)).kind).toBe('awaiting-joint');
  });

  it('rule 4: the only enterprise of an organisation turning abnormal leaves its dissolution pending for an officer, confirmable after the grace period', () => {
    const ledger = newLedger();
    deliver(ledger, registered(0, 4, 0));
    const orgId = `standalone-${code(0)}-1`;
    const [pending] = deliver(ledger, at('2026-03-01T08:00:00.000Z', statusChanged(0, 'abnormal')));
    expect(pending).toMatchObject({ streamId: `org-${orgId}`, expectedVersion: 0 });
    expect(pending.events).toEqual([
      expect.objectContaining({
        type: 'OrgDissolutionPending',
        data: expect.objectContaining({ orgId, creditCode: code(0), reason: 'operation-abnormal', since: '2026-03-01T08:00:00.000Z', confirmableFrom: '2026-03-31T08:00:00.000Z', automatic: true }),
      }),
    ]);
    // nothing else changes: the enterprise stays in its branch; a member change meanwhile does not dissolve it either
    expect(coverageOf(ledger.state, code(0))).toEqual({ kind: 'organisational', orgId });
    expect(deliver(ledger, membersChanged(0, 1, 0))).toEqual([]);
  });

  it('rule 4: abnormal → normal three times changes nothing of the organisation: each pending dissolution is cancelled, no branch is formed again', () => {
    const ledger = newLedger();
    deliver(ledger, registered(0, 4, 0));
    const orgId = `standalone-${code(0)}-1`;
    for (let flip = 0; flip < 3; flip++) {
      expect(types(deliver(ledger, at('2026-03-01T08:00:00.000Z', statusChanged(0, 'abnormal'))))).toEqual(['OrgDissolutionPending']);
      expect(types(deliver(ledger, statusChanged(0, 'normal')))).toEqual(['OrgDissolutionCancelled']);
      expect(coverageOf(ledger.state, code(0))).toEqual({ kind: 'organisational', orgId });
    }
    expect(ledger.log.filter((e) => e.type === 'OrgFormed' || e.type === 'OrgDissolved').map((e) => e.type)).toEqual(['OrgFormed']);
  });

  it('rule 4: an abnormal enterprise of a joint branch that others keep going leaves it at once, not covered until someone is named', () => {
    const ledger = newLedger();
    for (const i of [0, 1, 2]) deliver(ledger, registered(i, 1, 0));
    deliver(ledger, registered(3, 2, 0));
    expect(types(deliver(ledger, statusChanged(0, 'abnormal')))).toEqual(expect.arrayContaining(['EnterpriseLeftOrg', 'WorkCoverageNeeded']));
    expect(coverageOf(ledger.state, code(0))).toEqual({ kind: 'none', reason: 'operation-abnormal' });
  });

  it('rule 4: a branch formed again after its enterprise’s earlier one was dissolved keeps its parent, secretary, instructor and pairings', () => {
    const ledger = newLedger();
    deliver(ledger, registered(0, 4, 0));
    const first = `standalone-${code(0)}-1`;
    const ref = { orgId: first, district };
    const li = { personId: 'p-li', name: '李书记' };
    const zhao = { personId: 'p-zhao', name: '赵指导员' };
    const officerEvents: FormationEvent[] = [
      { type: 'OrgFormed', schemaVersion: 1, data: { orgId: 'chain', district, name: '产业链党委', mode: 'industry-chain-joint', level: 'primary-committee', committeeSize: 0, enterprises: [], fullMembers: 0, probationaryMembers: 0, umbrella: true, automatic: false } },
      { type: 'OrgParentChanged', schemaVersion: 1, data: { ...ref, parentOrgId: 'chain', previousParentOrgId: null, reason: '纳入产业链党委', automatic: false } },
      { type: 'SecretaryAssigned', schemaVersion: 1, data: { ...ref, secretary: li } },
      { type: 'InstructorAssigned', schemaVersion: 1, data: { ...ref, instructor: zhao } },
      { type: 'OrgsPaired', schemaVersion: 1, data: { ...ref, publicUnitOrgId: 'tax-bureau', publicUnitName: '区税务局党支部' } },
    ];
    for (const event of officerEvents) evolveWithFormationEvent(ledger.state, event);
    expect(types(deliver(ledger, membersChanged(0, 1, 0)))).toContain('OrgDissolved');
    const again = deliver(ledger, membersChanged(0, 4, 0)).find((append) => append.streamId === `org-standalone-${code(0)}-2`);
    const second = { orgId: `standalone-${code(0)}-2`, district };
    expect(again?.events).toEqual([
      expect.objectContaining({ type: 'OrgFormed', data: expect.objectContaining({ ...second, parentOrgId: 'chain', reformedFrom: first }) }),
      expect.objectContaining({ type: 'SecretaryAssigned', data: { ...second, secretary: li } }),
      expect.objectContaining({ type: 'InstructorAssigned', data: { ...second, instructor: zhao } }),
      expect.objectContaining({ type: 'OrgsPaired', data: { ...second, publicUnitOrgId: 'tax-bureau', publicUnitName: '区税务局党支部' } }),
    ]);
  });

  it('rule 4: after an officer confirmed the dissolution, the released enterprise is not covered, with the reason, until someone is named', () => {
    const ledger = newLedger();
    deliver(ledger, registered(0, 4, 0));
    const orgId = `standalone-${code(0)}-1`;
    deliver(ledger, statusChanged(0, 'abnormal'));
    evolveWithFormationEvent(ledger.state, { type: 'OrgDissolved', schemaVersion: 1, data: { orgId, district, reason: 'operation-abnormal', enterprisesReleased: [code(0)], automatic: false } });
    const settled = planSettleReleased(ledger.state, [code(0)], policy);
    expect(types(settled)).toEqual(['WorkCoverageNeeded']);
    expect(coverageOf(ledger.state, code(0))).toEqual({ kind: 'none', reason: 'operation-abnormal' });
    expect(planSettleReleased(ledger.state, [code(0)], policy)).toEqual([]); // a retried confirmation appends nothing more
  });

  it('rule 5: 50+ employees with members and no organisation are flagged', () => {
    const ledger = newLedger();
    const [coverage] = deliver(ledger, registered(0, 1, 0, { employees: 80 }));
    expect(coverage.events[1].data).toMatchObject({ mustBeOrganisationallyCovered: true });
    deliver(ledger, registered(1, 3, 0, { employees: 200 }));
    expect(uncoveredLargeEnterprises(ledger.state, policy.largeEnterpriseEmployees).map((e) => e.creditCode)).toEqual([code(0)]);
  });

  it('rule 6: more than 50 members → general branch, 100 → primary committee, 7 full → committee of three', () => {
    const ledger = newLedger();
    const formed = deliver(ledger, registered(0, 7, 0))[0].events[0];
    expect(formed.data).toMatchObject({ level: 'branch', committeeSize: 3 });
    expect(deliver(ledger, membersChanged(0, 40, 20))[0].events).toEqual([
      expect.objectContaining({ type: 'OrgMembersRecounted' }),
      expect.objectContaining({ type: 'OrgLevelChanged', data: expect.objectContaining({ level: 'general-branch', committeeSize: 5, policyVersion: policy.version }) }),
    ]);
    expect(deliver(ledger, membersChanged(0, 90, 10))[0].events[1].data).toMatchObject({ level: 'primary-committee' });
  });

  it('ignores a registry event delivered twice', () => {
    const ledger = newLedger();
    deliver(ledger, registered(0, 3, 0), 0);
    expect(deliver(ledger, registered(0, 3, 0), 0)).toEqual([]);
  });
});

type Step = { kind: 'register'; i: number; full: number; probationary: number; chain: number } | { kind: 'members'; i: number; full: number; probationary: number } | { kind: 'status'; i: number; status: 'normal' | 'abnormal' | 'deregistered' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('register' as const), i: fc.nat(11), full: fc.nat(4), probationary: fc.nat(2), chain: fc.nat(2) }),
  fc.record({ kind: fc.constant('members' as const), i: fc.nat(11), full: fc.nat(4), probationary: fc.nat(2) }),
  fc.record({ kind: fc.constant('status' as const), i: fc.nat(11), status: fc.constantFrom('normal' as const, 'abnormal' as const, 'deregistered' as const) }),
);

/** Turns random steps into the registry events the registry decider would have accepted. */
const registryEvents = (steps: Step[]): RegistryEvent[] => {
  const known = new Map<number, { status: string }>();
  const events: RegistryEvent[] = [];
  for (const step of steps) {
    const current = known.get(step.i);
    if (step.kind === 'register') {
      if (current) continue;
      known.set(step.i, { status: 'normal' });
      events.push(registered(step.i, step.full, step.probationary, { industryChain: ['a', 'b', 'c'][step.chain] }));
    } else if (current && current.status !== 'deregistered') {
      if (step.kind === 'members') events.push(membersChanged(step.i, step.full, step.probationary));
      else if (step.status !== current.status) {
        current.status = step.status;
        events.push(statusChanged(step.i, step.status));
      }
    }
  }
  return events;
};

const organisations = (s: PlacementState) =>
  [...s.orgs.values()].filter((o) => !o.dissolved).map((o) => ({ orgId: o.orgId, mode: o.mode, level: o.level, enterprises: [...o.enterprises.keys()].sort(), full: o.fullMembers }));

const assertInvariants = (s: PlacementState) => {
  const seen = new Set<string>();
  for (const org of s.orgs.values()) {
    if (org.dissolved) continue;
    for (const c of org.enterprises.keys()) {
      expect(seen.has(c)).toBe(false); // no enterprise in two organisations
      seen.add(c);
      expect(s.enterprises.get(c)?.orgId).toBe(org.orgId);
    }
    const full = [...org.enterprises.values()].reduce((sum, m) => sum + m.fullMembers, 0);
    expect(org.fullMembers).toBe(full);
    expect(full).toBeGreaterThanOrEqual(policy.standaloneMinFull);
    if (org.mode === 'joint') expect(org.enterprises.size).toBeLessThanOrEqual(policy.jointMaxEnterprises);
    if (org.mode === 'standalone') expect(org.enterprises.size).toBe(1);
  }
  for (const e of s.enterprises.values()) {
    const inOrg = e.orgId !== undefined && !s.orgs.get(e.orgId)?.dissolved;
    if (e.status === 'deregistered') expect(inOrg).toBe(false);
    else if (e.fullMembers + e.probationaryMembers > 0 && e.status === 'normal') expect(inOrg || (e.awaitingJoint && e.workCoverage?.reason === 'awaiting-joint-branch')).toBe(true);
    else if (!inOrg) expect(e.workCoverage?.reason).toBeDefined();
  }
};

describe('formation process manager: properties over random registry histories', () => {
  it('keeps every invariant after every step, ignores redelivery, and replays to the same organisations', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
        const ledger = newLedger();
        for (const event of registryEvents(steps)) {
          const version = (ledger.versions.get(event.data.creditCode) ?? -1) + 1;
          deliver(ledger, event, version);
          assertInvariants(ledger.state);
          const before = JSON.stringify(organisations(ledger.state));
          expect(deliver(ledger, event, version)).toEqual([]); // delivered twice: nothing changes
          expect(JSON.stringify(organisations(ledger.state))).toBe(before);
        }
        // replaying the recorded log (registry and formation events, in order) yields the same organisations
        const replayed = initialPlacementState();
        const versions = new Map<string, number>();
        for (const event of ledger.log) {
          if ('orgId' in event.data || event.type in { WorkCoverageAssigned: 1, WorkCoverageNeeded: 1, EnterpriseAwaitingJointBranch: 1, EnterpriseCoverageEnded: 1 }) {
            evolveWithFormationEvent(replayed, event as FormationEvent);
          } else {
            const c = (event as RegistryEvent).data.creditCode;
            const v = (versions.get(c) ?? -1) + 1;
            versions.set(c, v);
            evolveWithRegistryEvent(replayed, event as RegistryEvent, v);
          }
        }
        expect(organisations(replayed)).toEqual(organisations(ledger.state));
        // reacting again from scratch decides exactly the same events (deterministic ids and choices)
        const again = newLedger();
        for (const event of registryEvents(steps)) deliver(again, event);
        expect(again.log).toEqual(ledger.log);
      }),
      { numRuns: 300 },
    );
  });
});
