import { SUBSIDY_ITEMS, VENUE_SCALES, type FundingEvent } from '@liangxin/contracts';
import { isDomainError } from '@liangxin/event-sourcing';
import fc from 'fast-check';
import { budgetDecider, budgetSummary, type GrantFacts, JUSTIFYING_EVENT_TYPES, remainingFen, type BudgetCommand, type BudgetState } from './budget';

const budget = { district: '430104', year: 2024 };
const orgIds = ['org-a', 'org-b', 'org-c', 'org-d'];
const grantIds = ['g-1', 'g-2', 'g-3', 'g-4', 'g-5', 'g-6', 'formation-org-a', 'formation-org-b'];

const org = fc.constantFrom(...orgIds);
/** org-b was formed again for org-a's enterprise: one formation subsidy between them */
const enterprisesOf: Record<string, string[]> = { 'org-a': ['E1'], 'org-b': ['E1', 'E2'], 'org-c': ['E3'], 'org-d': [] };
/** As the service loads them: each organisation formed in the budget's district, with a secretary; each justifying id an event the item accepts. */
const factsFor = (orgId: string, item: (typeof SUBSIDY_ITEMS)[number], justifiedBy: readonly string[], formedAt: string): GrantFacts => ({
  organisation: { orgId, formed: true, district: budget.district, formedAt, publicUnit: false, secretary: { personId: 'p', name: '书记' }, enterprises: enterprisesOf[orgId] },
  justifying: justifiedBy.map((eventId) => ({ eventId, type: JUSTIFYING_EVENT_TYPES[item][0], orgId })),
  currentYear: 2026,
  earlierFormationSubsidies: new Map(),
});
const grantId = fc.constantFrom(...grantIds);
const fen = fc.integer({ min: 1, max: 3_000_000 });
const allocation = fc.integer({ min: 1, max: 20_000_000 });
const justifiedBy = fc.constantFrom<string[]>(['evt-1'], ['evt-1', 'evt-2'], ['evt-3'], []);
// mostly inside the budget year (Beijing time), sometimes the year before or after
const formedOn = fc.constantFrom('2024-01-01T00:00:00+08:00', '2024-07-15T09:00:00Z', '2024-12-31T23:59:59+08:00', '2023-12-31T23:00:00+08:00', '2025-01-01T00:00:00+08:00');

const command: fc.Arbitrary<BudgetCommand> = fc.oneof(
  allocation.map((amountFen) => ({ type: 'AllocateBudget' as const, ...budget, amountFen })),
  fen.map((amountFen) => ({ type: 'ReduceBudget' as const, ...budget, amountFen, reason: 'adjustment' })),
  // well-formed grants of every item, the amount left to policy where policy sets it
  { weight: 4, arbitrary: fc
    .record({ grantId, orgId: org, item: fc.constantFrom(...SUBSIDY_ITEMS), amountFen: fen, venueScale: fc.constantFrom(...VENUE_SCALES), orgFormedOn: formedOn, justifiedBy })
    .map(({ item, amountFen, venueScale, orgFormedOn, ...rest }): BudgetCommand => ({
      type: 'GrantSubsidy',
      ...budget,
      ...rest,
      item,
      ...(item === 'venue_construction' && { venueScale }),
      ...(!['formation', 'venue_construction', 'secretary_post'].includes(item) && { amountFen }),
      facts: factsFor(rest.orgId, item, rest.justifiedBy, orgFormedOn),
    })) },
  // and arbitrary ones, most of which the decider must refuse
  fc.record({
    type: fc.constant('GrantSubsidy' as const),
    district: fc.constant(budget.district),
    year: fc.constant(budget.year),
    grantId,
    orgId: org,
    item: fc.constantFrom(...SUBSIDY_ITEMS),
    amountFen: fc.option(fen, { nil: undefined }),
    venueScale: fc.option(fc.constantFrom(...VENUE_SCALES), { nil: undefined }),
    orgFormedOn: fc.option(formedOn, { nil: undefined }),
    justifiedBy,
  }).map((c): BudgetCommand => ({ ...c, facts: factsFor(c.orgId, c.item, c.justifiedBy, c.orgFormedOn ?? '2024-06-01T00:00:00+08:00') })),
  fc.record({
    type: fc.constant('RequestFormationSubsidy' as const),
    district: fc.constant(budget.district),
    year: fc.constant(budget.year),
    orgId: org,
    orgFormedOn: formedOn,
    justifiedBy,
  }).map((c) => ({ ...c, grantId: `formation-${c.orgId}`, enterprises: enterprisesOf[c.orgId] })),
  {
    weight: 2,
    arbitrary: fc
      .record({ type: fc.constant('ClawBackSubsidy' as const), district: fc.constant(budget.district), year: fc.constant(budget.year), grantId, reason: fc.constantFrom('ineligible', ''), justifiedBy, about: org })
      .map(({ about, ...c }) => ({ ...c, facts: { justifying: c.justifiedBy.map((eventId) => ({ eventId, type: 'OrgDissolved', orgId: about })) } })),
  },
  fc.record({ type: fc.constant('ConfirmSecretaryPostEligibility' as const), district: fc.constant(budget.district), year: fc.constant(budget.year), orgId: org, stars: fc.integer({ min: 1, max: 6 }), justifiedBy }),
  fc.record({ type: fc.constant('RevokeSecretaryPostEligibility' as const), district: fc.constant(budget.district), year: fc.constant(budget.year), orgId: org, reason: fc.constant('corrected'), justifiedBy }),
);

const allocate = allocation.map((amountFen): BudgetCommand => ({ type: 'AllocateBudget', ...budget, amountFen }));
/** Most histories start with an allocation, so grants get a chance to be paid. */
const histories = fc
  .tuple(fc.option(allocate, { freq: 5 }), fc.array(command, { minLength: 1, maxLength: 60, size: 'medium' }))
  .map(([first, rest]) => (first ? [first, ...rest] : rest));

/** Runs commands against the decider as a service would: refused commands append nothing. */
const run = (commands: readonly BudgetCommand[], check: (history: readonly FundingEvent[], state: BudgetState) => void): void => {
  let state = budgetDecider.initialState();
  const history: FundingEvent[] = [];
  for (const c of commands) {
    let events: FundingEvent[];
    try {
      events = budgetDecider.decide(c, state);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      continue;
    }
    for (const event of events) {
      state = budgetDecider.evolve(state, event);
      history.push(event);
    }
    expect(remainingFen(state)).toBeGreaterThanOrEqual(0);
    check(history, state);
  }
};

// totals computed from the log itself, independently of the decider's state
const totals = (history: readonly FundingEvent[]) => {
  let allocated = 0;
  let paidOut = 0;
  for (const e of history) {
    if (e.type === 'BudgetAllocated') allocated += e.data.amountFen;
    if (e.type === 'BudgetReduced') allocated -= e.data.amountFen;
    if (e.type === 'SubsidyGranted') paidOut += e.data.amountFen;
    if (e.type === 'SubsidyClawedBack') paidOut -= e.data.amountFen;
  }
  return { allocated, paidOut };
};

describe('district budget properties', () => {
  const commands = histories;

  it('never goes negative, and never pays out more than was allocated, at any step', () => {
    fc.assert(
      fc.property(commands, (cs) =>
        run(cs, (history, state) => {
          const { allocated, paidOut } = totals(history);
          expect(paidOut).toBeLessThanOrEqual(allocated);
          expect(paidOut).toBeGreaterThanOrEqual(0);
          const summary = budgetSummary(state);
          expect(summary.remainingFen).toBe(allocated - paidOut);
          expect(Object.values(summary.committedByItemFen).reduce((a, b) => a + b, 0)).toBe(paidOut);
        }),
      ),
      { numRuns: 200 },
    );
  });

  it('pays at most one formation subsidy per organisation', () => {
    fc.assert(
      fc.property(commands, (cs) =>
        run(cs, (history) => {
          const formationGrants = history.flatMap((e) => (e.type === 'SubsidyGranted' && e.data.item === 'formation' ? [e.data.orgId] : []));
          expect(new Set(formationGrants).size).toBe(formationGrants.length);
        }),
      ),
      { numRuns: 200 },
    );
  });

  it('pays at most one formation subsidy per enterprise, whichever organisation it was formed into', () => {
    fc.assert(
      fc.property(commands, (cs) =>
        run(cs, (history) => {
          const subsidised = history.flatMap((e) => (e.type === 'SubsidyGranted' && e.data.item === 'formation' ? enterprisesOf[e.data.orgId] : []));
          expect(new Set(subsidised).size).toBe(subsidised.length);
        }),
      ),
      { numRuns: 200 },
    );
  });

  it('justifies every payment and claw-back by at least one event, and claws back only what was paid', () => {
    fc.assert(
      fc.property(commands, (cs) =>
        run(cs, (history) => {
          const granted = new Set<string>();
          const clawedBack = new Set<string>();
          for (const e of history) {
            if (e.type === 'SubsidyGranted' || e.type === 'SubsidyClawedBack') expect(e.data.justifiedBy.length).toBeGreaterThan(0);
            if (e.type === 'SubsidyGranted') granted.add(e.data.grantId);
            if (e.type === 'SubsidyClawedBack') {
              expect(granted.has(e.data.grantId)).toBe(true);
              expect(clawedBack.has(e.data.grantId)).toBe(false);
              clawedBack.add(e.data.grantId);
            }
          }
        }),
      ),
      { numRuns: 200 },
    );
  });

  it('pays a secretary post subsidy only while the organisation is eligible', () => {
    fc.assert(
      fc.property(commands, (cs) =>
        run(cs, (history) => {
          const eligible = new Set<string>();
          for (const e of history) {
            if (e.type === 'SecretaryPostEligibilityConfirmed') eligible.add(e.data.orgId);
            if (e.type === 'SecretaryPostEligibilityRevoked') eligible.delete(e.data.orgId);
            if (e.type === 'SubsidyGranted' && e.data.item === 'secretary_post') expect(eligible.has(e.data.orgId)).toBe(true);
          }
        }),
      ),
      { numRuns: 200 },
    );
  });
});

describe('the command generator', () => {
  it('reaches grants, refusals, claw-backs and repeated formation requests, so the properties above are not vacuous', () => {
    const seen = new Map<string, number>();
    for (const cs of fc.sample(histories, { numRuns: 100, seed: 42 })) {
      run(cs, () => undefined);
      let state = budgetDecider.initialState();
      for (const c of cs) {
        try {
          for (const e of budgetDecider.decide(c, state)) {
            state = budgetDecider.evolve(state, e);
            const key = e.type === 'SubsidyGranted' ? `SubsidyGranted:${e.data.item}` : e.type;
            seen.set(key, (seen.get(key) ?? 0) + 1);
          }
        } catch {
          // refused commands append nothing
        }
      }
    }
    for (const key of ['SubsidyGranted:formation', 'SubsidyGranted:secretary_post', 'SubsidyGranted:venue_construction', 'SubsidyRefused', 'SubsidyClawedBack', 'BudgetReduced']) {
      expect(seen.get(key) ?? 0).toBeGreaterThan(0);
    }
  });
});
