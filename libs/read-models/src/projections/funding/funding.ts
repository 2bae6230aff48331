import {
  type BudgetAllocated,
  type BudgetReduced,
  FUNDING_EVENT_TYPES,
  type FundingEvent,
  type RecordedEvent,
  type SecretaryPostEligibilityConfirmed,
  type SecretaryPostEligibilityRevoked,
  type SubsidyClawedBack,
  type SubsidyGranted,
  type SubsidyItem,
  type SubsidyRefused,
} from '@liangxin/contracts';
import { evolveDocument, type Projection } from '../../projection';

/** A district's budget for one year: what was allocated, what is paid out, what is left (all in fen). */
export interface FundingBudget {
  district: string;
  year: number;
  /** allocations minus reductions */
  allocatedFen: number;
  /** every grant ever paid, claw-backs not deducted */
  grantedFen: number;
  clawedBackFen: number;
  /** granted minus clawed back */
  usedFen: number;
  /** allocated minus used */
  leftFen: number;
  /** grants paid and not clawed back */
  activeGrants: number;
  /** automatic grants the budget could not pay */
  refusals: number;
  /** used fen per subsidy item */
  usedByItem: Partial<Record<SubsidyItem, number>>;
}

export interface OrgGrant {
  grantId: string;
  district: string;
  year: number;
  item: SubsidyItem;
  amountFen: number;
  payee: string | null;
  /** ids of the events that justified the payment */
  justifiedBy: string[];
  grantedAt: string;
  status: 'paid' | 'clawed_back';
  clawedBackAt: string | null;
  clawBackReason: string | null;
}

export interface OrgRefusal {
  district: string;
  year: number;
  item: SubsidyItem;
  requestedFen: number;
  reason: SubsidyRefused['data']['reason'];
  refusedAt: string;
}

/** What one organisation was paid, from every budget. */
export interface OrgFunding {
  orgId: string;
  district: string;
  /** paid minus clawed back */
  receivedFen: number;
  /** in the order they were paid */
  grants: OrgGrant[];
  refusals: OrgRefusal[];
  /** years whose review the organisation passed, so its secretary may be paid the post subsidy; ascending */
  secretaryPostEligibleYears: number[];
}

export const FUNDING_BUDGETS = 'funding.budgets';
export const FUNDING_ORGS = 'funding.orgs';

export const fundingBudgetId = (district: string, year: number): string => `${district}:${year}`;

const emptyBudget = (district: string, year: number): FundingBudget => ({
  district,
  year,
  allocatedFen: 0,
  grantedFen: 0,
  clawedBackFen: 0,
  usedFen: 0,
  leftFen: 0,
  activeGrants: 0,
  refusals: 0,
  usedByItem: {},
});

const settled = (budget: FundingBudget): FundingBudget => {
  const usedFen = budget.grantedFen - budget.clawedBackFen;
  return { ...budget, usedFen, leftFen: budget.allocatedFen - usedFen };
};

const addToItem = (byItem: FundingBudget['usedByItem'], item: SubsidyItem, fen: number): FundingBudget['usedByItem'] => ({ ...byItem, [item]: (byItem[item] ?? 0) + fen });

/** Pure: a budget after one funding event (undefined when the event does not change budgets). */
export function evolveFundingBudget(current: FundingBudget | undefined, event: RecordedEvent): FundingBudget | undefined {
  const e = event as RecordedEvent<FundingEvent>;
  const budget = current ?? emptyBudget(e.data.district, e.data.year);
  switch (e.type) {
    case 'BudgetAllocated':
      return settled({ ...budget, allocatedFen: budget.allocatedFen + (e.data as BudgetAllocated['data']).amountFen });
    case 'BudgetReduced':
      return settled({ ...budget, allocatedFen: budget.allocatedFen - (e.data as BudgetReduced['data']).amountFen });
    case 'SubsidyGranted': {
      const { item, amountFen } = e.data as SubsidyGranted['data'];
      return settled({ ...budget, grantedFen: budget.grantedFen + amountFen, activeGrants: budget.activeGrants + 1, usedByItem: addToItem(budget.usedByItem, item, amountFen) });
    }
    case 'SubsidyClawedBack': {
      const { item, amountFen } = e.data as SubsidyClawedBack['data'];
      return settled({ ...budget, clawedBackFen: budget.clawedBackFen + amountFen, activeGrants: budget.activeGrants - 1, usedByItem: addToItem(budget.usedByItem, item, -amountFen) });
    }
    case 'SubsidyRefused':
      return { ...budget, refusals: budget.refusals + 1 };
    default:
      return undefined;
  }
}

const emptyOrg = (orgId: string, district: string): OrgFunding => ({ orgId, district, receivedFen: 0, grants: [], refusals: [], secretaryPostEligibleYears: [] });

/** Pure: an organisation's funding after one funding event (undefined when the event does not concern organisations). */
export function evolveOrgFunding(current: OrgFunding | undefined, event: RecordedEvent): OrgFunding | undefined {
  const e = event as RecordedEvent<FundingEvent>;
  if (!('orgId' in e.data)) return undefined;
  const org = current ?? emptyOrg(e.data.orgId, e.data.district);
  switch (e.type) {
    case 'SubsidyGranted': {
      const d = e.data as SubsidyGranted['data'];
      const grant: OrgGrant = {
        grantId: d.grantId,
        district: d.district,
        year: d.year,
        item: d.item,
        amountFen: d.amountFen,
        payee: d.payee ?? null,
        justifiedBy: [...d.justifiedBy],
        grantedAt: e.occurredAt,
        status: 'paid',
        clawedBackAt: null,
        clawBackReason: null,
      };
      return { ...org, receivedFen: org.receivedFen + d.amountFen, grants: [...org.grants, grant] };
    }
    case 'SubsidyClawedBack': {
      const d = e.data as SubsidyClawedBack['data'];
      const grants = org.grants.map((g) => (g.grantId === d.grantId && g.year === d.year && g.district === d.district ? { ...g, status: 'clawed_back' as const, clawedBackAt: e.occurredAt, clawBackReason: d.reason } : g));
      return { ...org, receivedFen: org.receivedFen - d.amountFen, grants };
    }
    case 'SubsidyRefused': {
      const d = e.data as SubsidyRefused['data'];
      return { ...org, refusals: [...org.refusals, { district: d.district, year: d.year, item: d.item, requestedFen: d.requestedFen, reason: d.reason, refusedAt: e.occurredAt }] };
    }
    case 'SecretaryPostEligibilityConfirmed': {
      const { year } = e.data as SecretaryPostEligibilityConfirmed['data'];
      if (org.secretaryPostEligibleYears.includes(year)) return undefined;
      return { ...org, secretaryPostEligibleYears: [...org.secretaryPostEligibleYears, year].sort((a, b) => a - b) };
    }
    case 'SecretaryPostEligibilityRevoked': {
      const { year } = e.data as SecretaryPostEligibilityRevoked['data'];
      if (!org.secretaryPostEligibleYears.includes(year)) return undefined;
      return { ...org, secretaryPostEligibleYears: org.secretaryPostEligibleYears.filter((y) => y !== year) };
    }
    default:
      return undefined;
  }
}

/** Funding: budget used and left per district and year; grants per organisation. */
export const fundingProjection: Projection = {
  name: 'funding',
  collections: [FUNDING_BUDGETS, FUNDING_ORGS],
  queriedBy: { [FUNDING_BUDGETS]: ['district'] },
  eventTypes: new Set<string>(FUNDING_EVENT_TYPES),
  async apply(event, context) {
    const { district, year, orgId } = event.data as { district?: string; year?: number; orgId?: string };
    if (district === undefined || year === undefined) return;
    await evolveDocument(context, FUNDING_BUDGETS, fundingBudgetId(district, year), event, evolveFundingBudget);
    if (orgId !== undefined) await evolveDocument(context, FUNDING_ORGS, orgId, event, evolveOrgFunding);
  },
  // Each document depends only on the events naming its budget or its organisation.
  mayAffect(event, collection, id) {
    const { district, year, orgId } = event.data as { district?: string; year?: number; orgId?: string };
    if (collection === FUNDING_BUDGETS) return district !== undefined && year !== undefined && fundingBudgetId(district, year) === id;
    return collection === FUNDING_ORGS && orgId === id;
  },
};
