import type { RecordedEvent } from '@liangxin/contracts';
import { UnitOfWork } from '../../runner/unit-of-work';
import { FUNDING_BUDGETS, FUNDING_ORGS, type FundingBudget, fundingBudgetId, fundingProjection, type OrgFunding } from './funding';

let position = 0;
const recorded = (type: string, data: Record<string, unknown>): RecordedEvent => {
  position += 1;
  const at = new Date(Date.UTC(2024, 4, 1, 0, 0, position)).toISOString();
  return { type, schemaVersion: 1, data, eventId: `e${position}`, streamId: 'funding-budget-430104-2024', streamVersion: position - 1, globalPosition: position, occurredAt: at, recordedAt: at, metadata: { actor: 'test' } };
};

const ref = { district: '430104', year: 2024 };
const granted = (grantId: string, orgId: string, item: string, amountFen: number) => recorded('SubsidyGranted', { ...ref, grantId, orgId, item, amountFen, justifiedBy: [`why-${grantId}`] });

async function project(events: readonly RecordedEvent[]) {
  const unit = new UnitOfWork(async () => undefined);
  for (const event of events) await fundingProjection.apply(event, unit);
  return {
    budget: async (district = ref.district, year = ref.year) => (await unit.load<FundingBudget>(FUNDING_BUDGETS, fundingBudgetId(district, year)))?.body,
    org: async (orgId: string) => (await unit.load<OrgFunding>(FUNDING_ORGS, orgId))?.body,
  };
}

describe('funding projection', () => {
  beforeEach(() => {
    position = 0;
  });

  it('keeps budget used and left per district and year, giving claw-backs back to the budget', async () => {
    const view = await project([
      recorded('BudgetAllocated', { ...ref, amountFen: 1_000_000 }),
      recorded('BudgetAllocated', { district: '430105', year: 2024, amountFen: 5 }),
      granted('g1', 'org-a', 'formation', 100_000),
      granted('g2', 'org-b', 'venue_construction', 300_000),
      recorded('BudgetReduced', { ...ref, amountFen: 50_000, reason: 'mid-year cut' }),
      recorded('SubsidyClawedBack', { ...ref, grantId: 'g2', orgId: 'org-b', item: 'venue_construction', amountFen: 300_000, reason: 'never built', justifiedBy: ['x'] }),
      recorded('SubsidyRefused', { ...ref, orgId: 'org-c', item: 'formation', requestedFen: 100_000, remainingFen: 0, reason: 'budget_exhausted', justifiedBy: ['y'] }),
    ]);

    expect(await view.budget()).toEqual({
      ...ref,
      allocatedFen: 950_000,
      grantedFen: 400_000,
      clawedBackFen: 300_000,
      usedFen: 100_000,
      leftFen: 850_000,
      activeGrants: 1,
      refusals: 1,
      usedByItem: { formation: 100_000, venue_construction: 0 },
    });
    expect((await view.budget('430105'))?.leftFen).toBe(5);
  });

  it('lists the grants of each organisation with what justified them, marking claw-backs, and its eligible years', async () => {
    const view = await project([
      granted('g1', 'org-a', 'formation', 100_000),
      recorded('SecretaryPostEligibilityConfirmed', { ...ref, orgId: 'org-a', stars: 5, justifiedBy: ['assessed'] }),
      granted('g2', 'org-a', 'secretary_post', 600_000),
      recorded('SecretaryPostEligibilityRevoked', { ...ref, orgId: 'org-a', reason: 'corrected to a fail', justifiedBy: ['corrected'] }),
      recorded('SubsidyClawedBack', { ...ref, grantId: 'g2', orgId: 'org-a', item: 'secretary_post', amountFen: 600_000, reason: 'corrected to a fail', justifiedBy: ['corrected'] }),
    ]);

    const org = await view.org('org-a');
    expect(org?.receivedFen).toBe(100_000);
    expect(org?.secretaryPostEligibleYears).toEqual([]);
    expect(org?.grants.map((g) => [g.grantId, g.item, g.status, g.justifiedBy, g.clawBackReason])).toEqual([
      ['g1', 'formation', 'paid', ['why-g1'], null],
      ['g2', 'secretary_post', 'clawed_back', ['why-g2'], 'corrected to a fail'],
    ]);
    expect(await view.org('nobody')).toBeUndefined();
  });

  it('applies a redelivered event once', async () => {
    const allocation = recorded('BudgetAllocated', { ...ref, amountFen: 1_000 });
    const grant = granted('g1', 'org-a', 'member_activity', 400);
    const view = await project([allocation, grant, allocation, grant]);

    expect(await view.budget()).toMatchObject({ allocatedFen: 1_000, usedFen: 400, leftFen: 600, activeGrants: 1 });
    expect((await view.org('org-a'))?.grants).toHaveLength(1);
  });
});

describe('funding projection, for time travel to one document', () => {
  it('names only the events that can change a budget or an organisation', () => {
    const grant = { type: 'SubsidyGranted', data: { ...ref, orgId: 'org-a', grantId: 'g', item: 'formation', amountFen: 1 } } as unknown as RecordedEvent;
    const mayAffect = fundingProjection.mayAffect as NonNullable<typeof fundingProjection.mayAffect>;
    expect(mayAffect(grant, FUNDING_BUDGETS, fundingBudgetId('430104', 2024))).toBe(true);
    expect(mayAffect(grant, FUNDING_BUDGETS, fundingBudgetId('430104', 2025))).toBe(false);
    expect(mayAffect(grant, FUNDING_ORGS, 'org-a')).toBe(true);
    expect(mayAffect(grant, FUNDING_ORGS, 'org-b')).toBe(false);
  });
});
