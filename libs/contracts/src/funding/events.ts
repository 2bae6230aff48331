import type { Event } from '../event';

/** The subsidy items district budgets pay (docs/domain.md, "Funding"). */
export const SUBSIDY_ITEMS = [
  'formation', // 组建补助, once per organisation, when formed
  'venue_construction', // 阵地建设补助, 30 000–80 000 yuan by site scale
  'secretary_post', // 书记岗位补助, only after a passed annual review
  'operating_funds', // 工作经费
  'member_activity', // 党员活动经费
  'party_worker_allowance', // 党务工作者津贴
  'party_dues_returned', // 党费全额返还
] as const;
export type SubsidyItem = (typeof SUBSIDY_ITEMS)[number];

/** Scale of a party-activity site, which sets its construction subsidy. */
export const VENUE_SCALES = ['small', 'medium', 'large'] as const;
export type VenueScale = (typeof VENUE_SCALES)[number];

/**
 * Money is integer fen (分, 1/100 yuan) throughout: dues returned are not whole yuan,
 * and integers add up exactly.
 */
export type Fen = number;

export type BudgetAllocated = Event<'BudgetAllocated', { district: string; year: number; amountFen: Fen; note?: string }>;

export type BudgetReduced = Event<'BudgetReduced', { district: string; year: number; amountFen: Fen; reason: string }>;

export type SubsidyGranted = Event<
  'SubsidyGranted',
  {
    grantId: string;
    district: string;
    year: number;
    orgId: string;
    item: SubsidyItem;
    amountFen: Fen;
    /** ids of the events that justified the payment (OrgFormed, AssessmentCompleted, an officer's request...) */
    justifiedBy: string[];
    /** who receives it when it is not the organisation itself (the secretary, for a post subsidy) */
    payee?: string;
    venueScale?: VenueScale;
    note?: string;
    /** formation subsidy: the organisation's enterprises when paid (one formation subsidy per enterprise within the policy's period) */
    enterprises?: string[];
  }
>;

/** An automatic grant that could not be paid, recorded so nobody has to wonder why nothing came. */
export type SubsidyRefused = Event<
  'SubsidyRefused',
  {
    district: string;
    year: number;
    orgId: string;
    item: SubsidyItem;
    requestedFen: Fen;
    remainingFen: Fen;
    /** `enterprise_already_subsidised`: an organisation of the same enterprises had its formation subsidy within the policy's period */
    reason: 'budget_not_allocated' | 'budget_exhausted' | 'enterprise_already_subsidised';
    justifiedBy: string[];
  }
>;

/** Money paid to an organisation later found ineligible comes back to the budget it was paid from. */
export type SubsidyClawedBack = Event<
  'SubsidyClawedBack',
  {
    grantId: string;
    district: string;
    year: number;
    orgId: string;
    item: SubsidyItem;
    amountFen: Fen;
    reason: string;
    justifiedBy: string[];
  }
>;

/** The organisation passed the annual review of `year`: its secretary may receive the post subsidy. */
export type SecretaryPostEligibilityConfirmed = Event<
  'SecretaryPostEligibilityConfirmed',
  { district: string; year: number; orgId: string; stars: number; justifiedBy: string[] }
>;

/** A corrected review no longer passes: eligibility goes (and any post subsidy paid is clawed back beside it). */
export type SecretaryPostEligibilityRevoked = Event<
  'SecretaryPostEligibilityRevoked',
  { district: string; year: number; orgId: string; reason: string; justifiedBy: string[] }
>;

export type FundingEvent =
  | BudgetAllocated
  | BudgetReduced
  | SubsidyGranted
  | SubsidyRefused
  | SubsidyClawedBack
  | SecretaryPostEligibilityConfirmed
  | SecretaryPostEligibilityRevoked;

export const FUNDING_EVENT_TYPES = [
  'BudgetAllocated',
  'BudgetReduced',
  'SubsidyGranted',
  'SubsidyRefused',
  'SubsidyClawedBack',
  'SecretaryPostEligibilityConfirmed',
  'SecretaryPostEligibilityRevoked',
] as const satisfies readonly FundingEvent['type'][];

/** Current schema version of each funding event type. */
export const FUNDING_SCHEMA_VERSIONS: Record<FundingEvent['type'], number> = {
  BudgetAllocated: 1,
  BudgetReduced: 1,
  SubsidyGranted: 1,
  SubsidyRefused: 1,
  SubsidyClawedBack: 1,
  SecretaryPostEligibilityConfirmed: 1,
  SecretaryPostEligibilityRevoked: 1,
};

export const isFundingEvent = (event: { readonly type: string }): event is FundingEvent => (FUNDING_EVENT_TYPES as readonly string[]).includes(event.type);

export const yuanToFen = (yuan: number): Fen => Math.round(yuan * 100);
export const fenToYuan = (fen: Fen): number => fen / 100;
