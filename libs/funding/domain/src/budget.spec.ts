import type { FundingEvent, SubsidyGranted } from '@liangxin/contracts';
import { DeciderSpecification } from '@liangxin/event-sourcing/testing';
import { fold } from '@liangxin/event-sourcing';
import { budgetDecider, budgetSummary, createBudgetDecider, type GrantFacts, JUSTIFYING_EVENT_TYPES, remainingFen, type GrantSubsidy } from './budget';
import type { OrganisationRecord } from './organisation';
import { budgetYearOf } from './calendar';
import { defaultFundingPolicy, type FundingPolicy } from './policy';

const district = '430104';
const year = 2024;
const budget = { district, year };
const spec = DeciderSpecification.for(budgetDecider);
const policy = defaultFundingPolicy;

const allocated = (amountFen: number): FundingEvent => ({ type: 'BudgetAllocated', schemaVersion: 1, data: { ...budget, amountFen } });

const granted = (grantId: string, orgId: string, item: SubsidyGranted['data']['item'], amountFen: number, extra: Partial<SubsidyGranted['data']> = {}): FundingEvent => ({
  type: 'SubsidyGranted',
  schemaVersion: 1,
  data: { grantId, ...budget, orgId, item, amountFen, justifiedBy: [`evt-${grantId}`], ...extra },
});

const clawedBack = (grantId: string, orgId: string, item: SubsidyGranted['data']['item'], amountFen: number): FundingEvent => ({
  type: 'SubsidyClawedBack',
  schemaVersion: 1,
  data: { grantId, ...budget, orgId, item, amountFen, reason: 'ineligible', justifiedBy: ['evt-audit'] },
});

const eligible = (orgId: string): FundingEvent => ({
  type: 'SecretaryPostEligibilityConfirmed',
  schemaVersion: 1,
  data: { ...budget, orgId, stars: 4, justifiedBy: [`evt-assessment-${orgId}`] },
});

/** org-a as formation's stream records it: formed in March 2024 in the budget's district, one enterprise, a secretary */
const orgA: OrganisationRecord = {
  orgId: 'org-a',
  formed: true,
  district,
  formedAt: '2024-03-05T10:00:00+08:00',
  publicUnit: false,
  secretary: { personId: 'p-li', name: '李书记' },
  enterprises: ['91430104MA4L000001'],
};

/** The facts the service loads: by default every id in justifiedBy is an event of the first kind the item accepts, about the organisation. */
const grant = (overrides: Partial<Omit<GrantSubsidy, 'facts'>> = {}, facts: Partial<GrantFacts> = {}): GrantSubsidy => {
  const command = { type: 'GrantSubsidy' as const, ...budget, grantId: 'g-1', orgId: 'org-a', item: 'operating_funds' as const, amountFen: 200_000, justifiedBy: ['evt-request-1'], ...overrides };
  const justifying = command.justifiedBy.map((eventId) => ({ eventId, type: JUSTIFYING_EVENT_TYPES[command.item][0], orgId: command.orgId }));
  return { ...command, facts: { organisation: orgA, justifying, currentYear: 2026, earlierFormationSubsidies: new Map(), ...facts } };
};

describe('district budget: AllocateBudget', () => {
  it('allocates money to an empty budget', () =>
    spec.given([]).when({ type: 'AllocateBudget', ...budget, amountFen: 1_000_000, note: '2024 two-new budget' }).then([
      { type: 'BudgetAllocated', schemaVersion: 1, data: { ...budget, amountFen: 1_000_000, note: '2024 two-new budget' } },
    ]));

  it('tops up an existing budget, and the amounts add up', () => {
    const events = [allocated(1_000_000), allocated(500_000)];
    expect(remainingFen(fold(budgetDecider, events))).toBe(1_500_000);
  });

  it.each([0, -5, 1.5, Number.NaN])('refuses the amount %p', (amountFen) =>
    spec.given([]).when({ type: 'AllocateBudget', ...budget, amountFen }).thenThrows('INVALID_AMOUNT', 'amountFen'));

  it('refuses a district that is not a 6-digit code', () =>
    spec.given([]).when({ type: 'AllocateBudget', district: '4301', year, amountFen: 1 }).thenThrows('INVALID_DISTRICT', 'district'));

  it('refuses an implausible year', () =>
    spec.given([]).when({ type: 'AllocateBudget', district, year: 1999, amountFen: 1 }).thenThrows('INVALID_YEAR', 'year'));

  it('refuses a command meant for another budget', () =>
    spec.given([allocated(100)]).when({ type: 'AllocateBudget', district, year: 2025, amountFen: 1 }).thenThrows('WRONG_BUDGET'));
});

describe('district budget: ReduceBudget', () => {
  it('reduces the uncommitted part of the budget', () =>
    spec.given([allocated(1_000_000), granted('g-1', 'org-a', 'operating_funds', 600_000)]).when({ type: 'ReduceBudget', ...budget, amountFen: 400_000, reason: 'mid-year adjustment' }).then([
      { type: 'BudgetReduced', schemaVersion: 1, data: { ...budget, amountFen: 400_000, reason: 'mid-year adjustment' } },
    ]));

  it('refuses to cut into money already granted', () =>
    spec
      .given([allocated(1_000_000), granted('g-1', 'org-a', 'operating_funds', 600_000)])
      .when({ type: 'ReduceBudget', ...budget, amountFen: 400_001, reason: 'cut' })
      .thenThrows('BUDGET_REDUCTION_EXCEEDS_REMAINING', 'amountFen'));

  it('refuses to reduce a budget never allocated', () =>
    spec.given([]).when({ type: 'ReduceBudget', ...budget, amountFen: 1, reason: 'cut' }).thenThrows('BUDGET_NOT_ALLOCATED'));

  it('wants a reason', () => spec.given([allocated(100)]).when({ type: 'ReduceBudget', ...budget, amountFen: 1, reason: ' ' }).thenThrows('REASON_REQUIRED', 'reason'));

  it('wants a positive amount', () =>
    spec.given([allocated(100)]).when({ type: 'ReduceBudget', ...budget, amountFen: 0, reason: 'cut' }).thenThrows('INVALID_AMOUNT', 'amountFen'));
});

describe('district budget: GrantSubsidy', () => {
  it('pays an officer-set item and records what justified it', () =>
    spec.given([allocated(1_000_000)]).when(grant({ payee: 'org-a account', note: 'Q1' })).then([
      granted('g-1', 'org-a', 'operating_funds', 200_000, { justifiedBy: ['evt-request-1'], payee: 'org-a account', note: 'Q1' }),
    ]));

  it('pays exactly the remaining budget', () =>
    spec.given([allocated(200_000)]).when(grant()).thenMatches((events) => expect(events.map((e) => e.type)).toEqual(['SubsidyGranted'])));

  it('never exceeds the remaining budget', () =>
    spec.given([allocated(1_000_000), granted('g-0', 'org-b', 'member_activity', 900_000)]).when(grant()).thenThrows('BUDGET_EXCEEDED', 'amountFen'));

  it('refuses to pay from a budget never allocated', () => spec.given([]).when(grant()).thenThrows('BUDGET_NOT_ALLOCATED'));

  it('refuses a payment nobody can trace to an event', () =>
    spec.given([allocated(1_000_000)]).when(grant({ justifiedBy: [] })).thenThrows('NOT_JUSTIFIED', 'justifiedBy'));

  it('refuses a grant without an organisation', () => spec.given([allocated(1_000_000)]).when(grant({ orgId: '' })).thenThrows('ORG_REQUIRED', 'orgId'));

  it('refuses a grant without an id', () => spec.given([allocated(1_000_000)]).when(grant({ grantId: '' })).thenThrows('GRANT_ID_REQUIRED', 'grantId'));

  it('refuses a grant id already used', () =>
    spec.given([allocated(1_000_000), granted('g-1', 'org-b', 'member_activity', 1)]).when(grant()).thenThrows('GRANT_ID_TAKEN', 'grantId'));

  it('needs an amount for items policy does not fix', () =>
    spec.given([allocated(1_000_000)]).when(grant({ item: 'party_dues_returned', amountFen: undefined })).thenThrows('AMOUNT_REQUIRED', 'amountFen'));

  it('pays party dues returned to the fen', () =>
    spec
      .given([allocated(1_000_000)])
      .when(grant({ item: 'party_dues_returned', amountFen: 12_345 }))
      .then([granted('g-1', 'org-a', 'party_dues_returned', 12_345, { justifiedBy: ['evt-request-1'] })]));

  it('refuses an item nobody has heard of', () =>
    spec.given([allocated(1_000_000)]).when({ ...grant(), item: 'bonus' as GrantSubsidy['item'] }).thenThrows('UNKNOWN_ITEM', 'item'));

  it('records a site scale only on a venue grant', () =>
    spec.given([allocated(1_000_000)]).when(grant({ venueScale: 'large' })).thenMatches(([event]) => expect(event.data).not.toHaveProperty('venueScale')));

  it('refuses fractions of a fen', () =>
    spec.given([allocated(1_000_000)]).when(grant({ item: 'party_worker_allowance', amountFen: 10.5 })).thenThrows('INVALID_AMOUNT', 'amountFen'));

  describe('against the record', () => {
    it('refuses an organisation that was never formed', () =>
      spec.given([allocated(1_000_000)]).when(grant({ orgId: 'ghost-org' }, { organisation: { orgId: 'ghost-org', formed: false, publicUnit: false, enterprises: [] } })).thenThrows('ORG_NOT_FOUND', 'orgId'));

    it("refuses an organisation of another district's budget", () =>
      spec.given([allocated(1_000_000)]).when(grant({}, { organisation: { ...orgA, district: '430105' } })).thenThrows('ORG_NOT_IN_DISTRICT', 'district'));

    it('refuses a budget year still to come', () =>
      spec.given([]).when({ ...grant(), year: 2031 }).thenThrows('YEAR_IN_FUTURE', 'year'));

    it('refuses an organisation dissolved before the budget year', () =>
      spec.given([allocated(1_000_000)]).when(grant({}, { organisation: { ...orgA, formedAt: '2022-01-01T00:00:00+08:00', endedAt: '2023-06-01T00:00:00+08:00' } })).thenThrows('ORG_NOT_ACTIVE', 'orgId'));

    it('refuses an organisation formed after the budget year', () =>
      spec.given([allocated(1_000_000)]).when(grant({}, { organisation: { ...orgA, formedAt: '2025-02-01T00:00:00+08:00' } })).thenThrows('ORG_NOT_ACTIVE', 'orgId'));

    it('pays an organisation dissolved during the budget year', () =>
      spec.given([allocated(1_000_000)]).when(grant({}, { organisation: { ...orgA, endedAt: '2024-11-01T00:00:00+08:00' } })).thenMatches((events) => expect(events).toHaveLength(1)));

    it('refuses justifying events the store does not hold', () =>
      spec.given([allocated(1_000_000)]).when(grant({ justifiedBy: ['evt-request-1', 'made-up'] }, { justifying: [{ eventId: 'evt-request-1', type: 'OrgFormed', orgId: 'org-a' }] })).thenThrows('JUSTIFYING_EVENT_NOT_FOUND', 'justifiedBy'));

    it('refuses a justifying event of a kind the item does not accept', () =>
      spec
        .given([allocated(1_000_000)])
        .when(grant({ item: 'formation', amountFen: undefined, justifiedBy: ['evt-1'] }, { justifying: [{ eventId: 'evt-1', type: 'SecretaryAssigned', orgId: 'org-a' }] }))
        .thenThrows('JUSTIFICATION_NOT_ACCEPTED', 'justifiedBy'));

    it('refuses a justifying event about another organisation', () =>
      spec.given([allocated(1_000_000)]).when(grant({ justifiedBy: ['evt-1'] }, { justifying: [{ eventId: 'evt-1', type: 'OrgFormed', orgId: 'org-b' }] })).thenThrows('JUSTIFICATION_NOT_ACCEPTED', 'justifiedBy'));
  });

  describe('venue construction', () => {
    it.each([
      ['small', 3_000_000],
      ['medium', 5_000_000],
      ['large', 8_000_000],
    ] as const)('pays a %s site %p fen, set by policy', (venueScale, amountFen) =>
      spec
        .given([allocated(10_000_000)])
        .when(grant({ item: 'venue_construction', venueScale, amountFen: undefined }))
        .then([granted('g-1', 'org-a', 'venue_construction', amountFen, { justifiedBy: ['evt-request-1'], venueScale })]));

    it('needs the site scale', () =>
      spec.given([allocated(10_000_000)]).when(grant({ item: 'venue_construction', amountFen: undefined })).thenThrows('VENUE_SCALE_REQUIRED', 'venueScale'));

    it('refuses an amount other than the policy sets', () =>
      spec.given([allocated(10_000_000)]).when(grant({ item: 'venue_construction', venueScale: 'small', amountFen: 9_000_000 })).thenThrows('AMOUNT_NOT_PER_POLICY', 'amountFen'));
  });

  describe('formation subsidy', () => {
    const formation = grant({ item: 'formation', amountFen: undefined, orgFormedOn: '2024-03-05T10:00:00+08:00' });

    it('pays the policy amount to an organisation formed in the budget year, naming its enterprises', () =>
      spec
        .given([allocated(1_000_000)])
        .when(formation)
        .then([granted('g-1', 'org-a', 'formation', policy.formationSubsidyFen, { justifiedBy: ['evt-request-1'], enterprises: orgA.enterprises })]));

    it('pays no second formation subsidy for an enterprise whose earlier organisation had one this year (a branch formed again)', () =>
      spec
        .given([allocated(1_000_000), granted('g-0', 'org-a-1', 'formation', policy.formationSubsidyFen, { enterprises: orgA.enterprises })])
        .when(formation)
        .thenThrows('FORMATION_SUBSIDY_ALREADY_GRANTED', 'orgId'));

    it('pays no second formation subsidy for an enterprise paid in an earlier year of the policy period', () =>
      spec
        .given([allocated(1_000_000)])
        .when(grant({ item: 'formation', amountFen: undefined }, { earlierFormationSubsidies: new Map([[orgA.enterprises[0], 'org-a-1']]) }))
        .thenThrows('FORMATION_SUBSIDY_ALREADY_GRANTED', 'orgId'));

    it('pays one formation subsidy per organisation', () =>
      spec.given([allocated(1_000_000), granted('g-0', 'org-a', 'formation', policy.formationSubsidyFen)]).when(formation).thenThrows('FORMATION_SUBSIDY_ALREADY_GRANTED', 'orgId'));

    it('does not pay it again after a claw-back', () =>
      spec
        .given([allocated(1_000_000), granted('g-0', 'org-a', 'formation', policy.formationSubsidyFen), clawedBack('g-0', 'org-a', 'formation', policy.formationSubsidyFen)])
        .when(formation)
        .thenThrows('FORMATION_SUBSIDY_ALREADY_GRANTED'));

    it('is paid from the budget of the year of formation, as the record dates it', () =>
      spec
        .given([allocated(1_000_000)])
        .when(grant({ item: 'formation', amountFen: undefined, orgFormedOn: '2024-03-05T10:00:00+08:00' }, { organisation: { ...orgA, formedAt: '2023-12-31T12:00:00+08:00' } }))
        .thenThrows('FORMATION_YEAR_MISMATCH', 'year'));

    it("takes the formation date from the record, not the caller's", () =>
      spec.given([allocated(1_000_000)]).when({ ...formation, orgFormedOn: 'spring' }).thenMatches((events) => expect(events.map((e) => e.type)).toEqual(['SubsidyGranted'])));
  });

  describe('secretary post subsidy', () => {
    const post = grant({ item: 'secretary_post', amountFen: undefined, payee: 'secretary Li' });

    it('is paid to the secretary of an organisation that passed the review', () =>
      spec
        .given([allocated(1_000_000), eligible('org-a')])
        .when(post)
        .then([granted('g-1', 'org-a', 'secretary_post', policy.secretaryPostSubsidyFen, { justifiedBy: ['evt-request-1'], payee: 'secretary Li' })]));

    it('is refused without a passed review', () => spec.given([allocated(1_000_000)]).when(post).thenThrows('SECRETARY_POST_NOT_ELIGIBLE', 'orgId'));

    it('is refused when the organisation has no secretary', () =>
      spec
        .given([allocated(1_000_000), eligible('org-a')])
        .when(grant({ item: 'secretary_post', amountFen: undefined }, { organisation: { ...orgA, secretary: undefined } }))
        .thenThrows('SECRETARY_NOT_ASSIGNED', 'orgId'));

    it('is refused once eligibility was revoked', () =>
      spec
        .given([
          allocated(1_000_000),
          eligible('org-a'),
          { type: 'SecretaryPostEligibilityRevoked', schemaVersion: 1, data: { ...budget, orgId: 'org-a', reason: 'corrected', justifiedBy: ['e'] } },
        ])
        .when(post)
        .thenThrows('SECRETARY_POST_NOT_ELIGIBLE'));

    it('is paid once a year', () =>
      spec
        .given([allocated(1_000_000), eligible('org-a'), granted('g-0', 'org-a', 'secretary_post', policy.secretaryPostSubsidyFen)])
        .when(post)
        .thenThrows('SECRETARY_POST_SUBSIDY_ALREADY_GRANTED', 'orgId'));
  });
});

describe('district budget: RequestFormationSubsidy (automatic, after OrgFormed)', () => {
  const request = {
    type: 'RequestFormationSubsidy' as const,
    ...budget,
    grantId: 'formation-org-a',
    orgId: 'org-a',
    orgFormedOn: '2024-06-01T02:00:00.000Z',
    enterprises: ['91430104MA4L000001'],
    justifiedBy: ['evt-org-formed'],
  };

  it('grants the subsidy while budget remains', () =>
    spec
      .given([allocated(1_000_000)])
      .when(request)
      .then([granted('formation-org-a', 'org-a', 'formation', policy.formationSubsidyFen, { justifiedBy: ['evt-org-formed'], enterprises: request.enterprises })]));

  it('records a refusal for a branch formed again for an enterprise already subsidised, whatever the budget', () =>
    spec
      .given([allocated(10_000_000), granted('formation-org-a-1', 'org-a-1', 'formation', policy.formationSubsidyFen, { enterprises: request.enterprises })])
      .when({ ...request, orgId: 'org-a-2', grantId: 'formation-org-a-2' })
      .thenMatches(([refusal, ...rest]) => {
        expect(rest).toEqual([]);
        expect(refusal).toMatchObject({ type: 'SubsidyRefused', data: { orgId: 'org-a-2', reason: 'enterprise_already_subsidised' } });
      }));

  it('records the same refusal when the earlier subsidy came from an earlier budget of the period', () =>
    spec
      .given([allocated(10_000_000)])
      .when({ ...request, earlierFormationSubsidies: new Map([[request.enterprises[0], 'org-a-1']]) })
      .thenMatches(([refusal]) => expect(refusal).toMatchObject({ type: 'SubsidyRefused', data: { reason: 'enterprise_already_subsidised' } })));

  it('records a refusal when the budget is exhausted', () =>
    spec.given([allocated(policy.formationSubsidyFen - 1)]).when(request).then([
      {
        type: 'SubsidyRefused',
        schemaVersion: 1,
        data: { ...budget, orgId: 'org-a', item: 'formation', requestedFen: policy.formationSubsidyFen, remainingFen: policy.formationSubsidyFen - 1, reason: 'budget_exhausted', justifiedBy: ['evt-org-formed'] },
      },
    ]));

  it('records a refusal when no budget was allocated', () =>
    spec.given([]).when(request).thenMatches(([refusal]) => expect(refusal).toMatchObject({ type: 'SubsidyRefused', data: { reason: 'budget_not_allocated', remainingFen: 0 } })));

  it('grants after an earlier refusal once money arrives', () =>
    spec
      .given([
        { type: 'SubsidyRefused', schemaVersion: 1, data: { ...budget, orgId: 'org-a', item: 'formation', requestedFen: 1, remainingFen: 0, reason: 'budget_not_allocated', justifiedBy: ['evt-org-formed'] } },
        allocated(1_000_000),
      ])
      .when(request)
      .thenMatches((events) => expect(events.map((e) => e.type)).toEqual(['SubsidyGranted'])));

  it('does nothing for an organisation already subsidised (a redelivered OrgFormed)', () =>
    spec.given([allocated(1_000_000), granted('formation-org-a', 'org-a', 'formation', policy.formationSubsidyFen)]).when(request).thenNothingHappens());

  it('refuses a request charged to the wrong year', () =>
    spec.given([allocated(1_000_000)]).when({ ...request, orgFormedOn: '2025-01-01T00:00:00+08:00' }).thenThrows('FORMATION_YEAR_MISMATCH'));

  it('refuses a request that names no event', () => spec.given([allocated(1_000_000)]).when({ ...request, justifiedBy: [''] }).thenThrows('NOT_JUSTIFIED'));
});

describe('district budget: ClawBackSubsidy', () => {
  const clawBack = {
    type: 'ClawBackSubsidy' as const,
    ...budget,
    grantId: 'g-0',
    reason: 'organisation found ineligible',
    justifiedBy: ['evt-audit'],
    facts: { justifying: [{ eventId: 'evt-audit', type: 'OrgDissolved', orgId: 'org-a' }] },
  };
  const history = [allocated(policy.formationSubsidyFen), granted('g-0', 'org-a', 'formation', policy.formationSubsidyFen)];

  it('takes the money back and says from whom', () =>
    spec.given(history).when(clawBack).then([
      {
        type: 'SubsidyClawedBack',
        schemaVersion: 1,
        data: { grantId: 'g-0', ...budget, orgId: 'org-a', item: 'formation', amountFen: policy.formationSubsidyFen, reason: 'organisation found ineligible', justifiedBy: ['evt-audit'] },
      },
    ]));

  it('restores the budget, so a grant refused before now fits', () => {
    spec.given(history).when(grant({ amountFen: 1 })).thenThrows('BUDGET_EXCEEDED');
    const after = [...history, clawedBack('g-0', 'org-a', 'formation', policy.formationSubsidyFen)];
    expect(remainingFen(fold(budgetDecider, after))).toBe(policy.formationSubsidyFen);
    spec.given(after).when(grant({ amountFen: 1 })).thenMatches((events) => expect(events).toHaveLength(1));
  });

  it('refuses an unknown grant', () => spec.given(history).when({ ...clawBack, grantId: 'g-9' }).thenThrows('GRANT_NOT_FOUND', 'grantId'));

  it('refuses to claw back twice', () =>
    spec.given([...history, clawedBack('g-0', 'org-a', 'formation', policy.formationSubsidyFen)]).when(clawBack).thenThrows('GRANT_ALREADY_CLAWED_BACK', 'grantId'));

  it('wants a reason', () => spec.given(history).when({ ...clawBack, reason: '' }).thenThrows('REASON_REQUIRED', 'reason'));

  it('wants the events that show the organisation was ineligible', () => spec.given(history).when({ ...clawBack, justifiedBy: [] }).thenThrows('NOT_JUSTIFIED'));

  it('refuses an event the record does not hold', () =>
    spec.given(history).when({ ...clawBack, justifiedBy: ['evt-invented'] }).thenThrows('JUSTIFYING_EVENT_NOT_FOUND', 'justifiedBy'));

  it('refuses the payment itself or the forming of the organisation as what justifies taking it back', () =>
    spec
      .given(history)
      .when({ ...clawBack, facts: { justifying: [{ eventId: 'evt-audit', type: 'OrgFormed', orgId: 'org-a' }] } })
      .thenThrows('JUSTIFICATION_NOT_ACCEPTED', 'justifiedBy'));

  it('refuses an event about another organisation than the one paid', () =>
    spec
      .given(history)
      .when({ ...clawBack, facts: { justifying: [{ eventId: 'evt-audit', type: 'OrgDissolved', orgId: 'org-b' }] } })
      .thenThrows('JUSTIFICATION_NOT_ACCEPTED', 'justifiedBy'));
});

describe('district budget: secretary post eligibility', () => {
  const confirm = { type: 'ConfirmSecretaryPostEligibility' as const, ...budget, orgId: 'org-a', stars: 4, justifiedBy: ['evt-assessment-org-a'] };
  const revoke = { type: 'RevokeSecretaryPostEligibility' as const, ...budget, orgId: 'org-a', reason: 'review corrected to a fail', justifiedBy: ['evt-correction'] };

  it('records a pass, even before the budget is allocated', () => spec.given([]).when(confirm).then([eligible('org-a')]));

  it('records it once', () => spec.given([eligible('org-a')]).when(confirm).thenNothingHappens());

  it('needs the assessment that justifies it', () => spec.given([]).when({ ...confirm, justifiedBy: [] }).thenThrows('NOT_JUSTIFIED'));

  it('revokes eligibility not yet paid', () =>
    spec.given([eligible('org-a')]).when(revoke).then([
      { type: 'SecretaryPostEligibilityRevoked', schemaVersion: 1, data: { ...budget, orgId: 'org-a', reason: 'review corrected to a fail', justifiedBy: ['evt-correction'] } },
    ]));

  it('claws back a post subsidy already paid when eligibility is revoked', () =>
    spec
      .given([allocated(1_000_000), eligible('org-a'), granted('g-post', 'org-a', 'secretary_post', policy.secretaryPostSubsidyFen)])
      .when(revoke)
      .thenMatches((events) => {
        expect(events.map((e) => e.type)).toEqual(['SecretaryPostEligibilityRevoked', 'SubsidyClawedBack']);
        expect(events[1].data).toMatchObject({ grantId: 'g-post', amountFen: policy.secretaryPostSubsidyFen, justifiedBy: ['evt-correction'] });
      }));

  it('does nothing for an organisation that was never eligible', () => spec.given([]).when(revoke).thenNothingHappens());

  it('wants a reason for revoking', () => spec.given([eligible('org-a')]).when({ ...revoke, reason: '' }).thenThrows('REASON_REQUIRED'));
});

describe('funding policy', () => {
  it('keeps venue subsidies between 30 000 and 80 000 yuan', () => {
    const tooGenerous: FundingPolicy = { ...policy, version: 'bad', venueSubsidyFen: { ...policy.venueSubsidyFen, large: 9_000_000 } };
    expect(() => createBudgetDecider(tooGenerous)).toThrow(/between 30 000 and 80 000/);
  });

  it('refuses amounts that are not whole fen', () => {
    expect(() => createBudgetDecider({ ...policy, formationSubsidyFen: 0.5 })).toThrow(/positive whole number/);
  });

  it('wants a formation subsidy period of whole years', () => {
    expect(() => createBudgetDecider({ ...policy, formationSubsidyPeriodYears: 0 })).toThrow(/formation subsidy period/);
  });

  it('pays the amounts of the policy it was built with', () => {
    const generous = createBudgetDecider({ ...policy, formationSubsidyFen: 2_000_000 });
    DeciderSpecification.for(generous)
      .given([allocated(5_000_000)])
      .when({ type: 'RequestFormationSubsidy', ...budget, grantId: 'f', orgId: 'org-a', orgFormedOn: '2024-02-01', enterprises: [], justifiedBy: ['e'] })
      .thenMatches(([event]) => expect(event.data).toMatchObject({ amountFen: 2_000_000 }));
  });
});

describe('budgetYearOf', () => {
  it('counts years in China Standard Time', () => {
    expect(budgetYearOf('2024-12-31T16:30:00Z')).toBe(2025);
    expect(budgetYearOf('2024-12-31T15:59:59Z')).toBe(2024);
    expect(budgetYearOf('not a date')).toBeUndefined();
  });
});

describe('budgetSummary', () => {
  it('reports what is used and left, per item, net of claw-backs', () => {
    const state = fold(budgetDecider, [
      allocated(10_000_000),
      granted('g-1', 'org-a', 'formation', 1_000_000),
      granted('g-2', 'org-b', 'formation', 1_000_000),
      granted('g-3', 'org-a', 'venue_construction', 3_000_000),
      clawedBack('g-2', 'org-b', 'formation', 1_000_000),
    ]);
    expect(budgetSummary(state)).toEqual({
      allocatedFen: 10_000_000,
      committedFen: 4_000_000,
      remainingFen: 6_000_000,
      committedByItemFen: {
        formation: 1_000_000,
        venue_construction: 3_000_000,
        secretary_post: 0,
        operating_funds: 0,
        member_activity: 0,
        party_worker_allowance: 0,
        party_dues_returned: 0,
      },
      organisationsFunded: 1,
    });
  });
});
