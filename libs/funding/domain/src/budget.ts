import {
  FUNDING_SCHEMA_VERSIONS,
  SUBSIDY_ITEMS,
  type Fen,
  type FundingEvent,
  type SubsidyClawedBack,
  type SubsidyGranted,
  type SubsidyItem,
  type SubsidyRefused,
  type VenueScale,
} from '@liangxin/contracts';
import { DomainError, type Decider } from '@liangxin/event-sourcing';
import { budgetYearOf } from './calendar';
import { type OrganisationRecord, wasActiveIn } from './organisation';
import { assertValidFundingPolicy, defaultFundingPolicy, type FundingPolicy } from './policy';

// ---------------------------------------------------------------- commands

/** Every command names the budget it acts on: district and year make the stream `funding-budget-<district>-<year>`. */
type BudgetRef = { district: string; year: number };

export type AllocateBudget = BudgetRef & { type: 'AllocateBudget'; amountFen: Fen; note?: string };

export type ReduceBudget = BudgetRef & { type: 'ReduceBudget'; amountFen: Fen; reason: string };

/** An event a grant names in `justifiedBy`, as the store holds it. */
export type JustifyingEvent = { eventId: string; type: string; orgId?: string };

/**
 * Earlier formation subsidies of the district within the policy's period (other budget years, and grants of
 * this year recorded before grants named their enterprises): credit code → the organisation paid for it.
 */
export type EarlierFormationSubsidies = Pick<ReadonlyMap<string, string>, 'get'>;

/** What the service loaded from the store for a grant: the decider takes the record's word, never the caller's. */
export type GrantFacts = {
  /** the organisation as formation's stream records it */
  organisation: OrganisationRecord;
  /** the events `justifiedBy` names that exist in the store (missing ones are absent) */
  justifying: readonly JustifyingEvent[];
  /** the budget year now, in China (deciders read no clock) */
  currentYear: number;
  earlierFormationSubsidies: EarlierFormationSubsidies;
};

/** An officer pays a subsidy item to an organisation. */
export type GrantSubsidy = BudgetRef & {
  type: 'GrantSubsidy';
  grantId: string;
  orgId: string;
  item: SubsidyItem;
  /** required for items whose amount policy does not set; when given for the others it must match policy */
  amountFen?: Fen;
  venueScale?: VenueScale;
  /** formation subsidy: when the caller says the organisation was formed; the record's date decides */
  orgFormedOn?: string;
  payee?: string;
  justifiedBy: readonly string[];
  note?: string;
  facts: GrantFacts;
};

/** The automatic formation subsidy after OrgFormed: granted when the budget allows, otherwise a recorded refusal. */
export type RequestFormationSubsidy = BudgetRef & {
  type: 'RequestFormationSubsidy';
  grantId: string;
  orgId: string;
  orgFormedOn: string;
  /** the enterprises the organisation was formed with */
  enterprises: readonly string[];
  justifiedBy: readonly string[];
  /** loaded by the service; none when absent */
  earlierFormationSubsidies?: EarlierFormationSubsidies;
};

export type ClawBackSubsidy = BudgetRef & {
  type: 'ClawBackSubsidy';
  grantId: string;
  reason: string;
  justifiedBy: readonly string[];
  /** the events `justifiedBy` names that exist in the store, loaded by the service (missing ones are absent) */
  facts: { justifying: readonly JustifyingEvent[] };
};

export type ConfirmSecretaryPostEligibility = BudgetRef & { type: 'ConfirmSecretaryPostEligibility'; orgId: string; stars: number; justifiedBy: readonly string[] };

/** A corrected review no longer passes: eligibility ends and a post subsidy already paid for the year comes back. */
export type RevokeSecretaryPostEligibility = BudgetRef & {
  type: 'RevokeSecretaryPostEligibility';
  orgId: string;
  reason: string;
  justifiedBy: readonly string[];
};

export type BudgetCommand =
  | AllocateBudget
  | ReduceBudget
  | GrantSubsidy
  | RequestFormationSubsidy
  | ClawBackSubsidy
  | ConfirmSecretaryPostEligibility
  | RevokeSecretaryPostEligibility;

// ---------------------------------------------------------------- state

export type GrantRecord = { grantId: string; orgId: string; item: SubsidyItem; amountFen: Fen; clawedBack: boolean };

/**
 * A budget as its events leave it. The collections belong to the fold: evolve adds to the ones it
 * is given instead of copying them, which keeps loading a year of grants linear (copying every map
 * on every event took 32 s for 20 000 grants). Decide only reads; never keep a state you have evolved.
 */
export type BudgetState = {
  district?: string;
  year?: number;
  /** true once any money has been allocated to this budget */
  allocated: boolean;
  /** allocations minus reductions */
  allocatedFen: Fen;
  /** grants minus claw-backs: what the budget is paying out */
  committedFen: Fen;
  grants: Map<string, GrantRecord>;
  /** organisations that ever received the formation subsidy from this budget, claw-backs included: one per organisation, ever */
  formationSubsidised: Set<string>;
  /** enterprise → organisation whose formation subsidy this budget paid for it (grants that name their enterprises) */
  formationSubsidisedEnterprises: Map<string, string>;
  secretaryPostEligible: Set<string>;
  /** organisation → grant id of its post subsidy this year, while not clawed back */
  secretaryPostPaid: Map<string, string>;
};

export const remainingFen = (state: BudgetState): Fen => state.allocatedFen - state.committedFen;

export const initialBudgetState = (): BudgetState => ({
  allocated: false,
  allocatedFen: 0,
  committedFen: 0,
  grants: new Map(),
  formationSubsidised: new Set(),
  formationSubsidisedEnterprises: new Map(),
  secretaryPostEligible: new Set(),
  secretaryPostPaid: new Map(),
});

export type BudgetSummary = {
  allocatedFen: Fen;
  committedFen: Fen;
  remainingFen: Fen;
  /** paid out per item, net of claw-backs */
  committedByItemFen: Record<SubsidyItem, Fen>;
  /** organisations paid anything, net of claw-backs */
  organisationsFunded: number;
};

/** Budget used and left, per item: what an officer reads before approving the next grant. */
export const budgetSummary = (state: BudgetState): BudgetSummary => {
  const committedByItemFen = Object.fromEntries(SUBSIDY_ITEMS.map((item) => [item, 0])) as Record<SubsidyItem, Fen>;
  const funded = new Set<string>();
  for (const grant of state.grants.values()) {
    if (grant.clawedBack) continue;
    committedByItemFen[grant.item] += grant.amountFen;
    funded.add(grant.orgId);
  }
  return { allocatedFen: state.allocatedFen, committedFen: state.committedFen, remainingFen: remainingFen(state), committedByItemFen, organisationsFunded: funded.size };
};

// ---------------------------------------------------------------- evolve

export const evolveBudget = (state: BudgetState, event: FundingEvent): BudgetState => {
  const located = { ...state, district: event.data.district, year: event.data.year };
  switch (event.type) {
    case 'BudgetAllocated':
      return { ...located, allocated: true, allocatedFen: state.allocatedFen + event.data.amountFen };
    case 'BudgetReduced':
      return { ...located, allocatedFen: state.allocatedFen - event.data.amountFen };
    case 'SubsidyGranted': {
      const { grantId, orgId, item, amountFen } = event.data;
      state.grants.set(grantId, { grantId, orgId, item, amountFen, clawedBack: false });
      if (item === 'formation') {
        state.formationSubsidised.add(orgId);
        for (const creditCode of event.data.enterprises ?? []) state.formationSubsidisedEnterprises.set(creditCode, orgId);
      }
      if (item === 'secretary_post') state.secretaryPostPaid.set(orgId, grantId);
      return { ...located, committedFen: state.committedFen + amountFen };
    }
    case 'SubsidyClawedBack': {
      const grant = state.grants.get(event.data.grantId);
      if (!grant) return located;
      state.grants.set(grant.grantId, { ...grant, clawedBack: true });
      if (state.secretaryPostPaid.get(grant.orgId) === grant.grantId) state.secretaryPostPaid.delete(grant.orgId);
      return { ...located, committedFen: state.committedFen - grant.amountFen };
    }
    case 'SubsidyRefused':
      return located;
    case 'SecretaryPostEligibilityConfirmed':
      state.secretaryPostEligible.add(event.data.orgId);
      return located;
    case 'SecretaryPostEligibilityRevoked':
      state.secretaryPostEligible.delete(event.data.orgId);
      return located;
  }
};

// ---------------------------------------------------------------- decide

const v = FUNDING_SCHEMA_VERSIONS;

const requireBudgetRef = (command: BudgetRef, state: BudgetState): void => {
  if (!/^\d{6}$/.test(command.district)) throw new DomainError('INVALID_DISTRICT', 'The district must be a 6-digit administrative division code', 'district');
  if (!Number.isInteger(command.year) || command.year < 2000 || command.year > 2100) throw new DomainError('INVALID_YEAR', 'The budget year must be between 2000 and 2100', 'year');
  if ((state.district !== undefined && state.district !== command.district) || (state.year !== undefined && state.year !== command.year)) {
    throw new DomainError('WRONG_BUDGET', `This is the budget of ${state.district} for ${state.year}, not of ${command.district} for ${command.year}`, 'district');
  }
};

const requirePositiveFen = (amountFen: Fen | undefined, field = 'amountFen'): Fen => {
  if (amountFen === undefined) throw new DomainError('AMOUNT_REQUIRED', 'An amount is required for this item', field);
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new DomainError('INVALID_AMOUNT', 'The amount must be a positive whole number of fen', field);
  return amountFen;
};

const requireText = (text: string | undefined, code: string, message: string, field: string): string => {
  if (text === undefined || text.trim() === '') throw new DomainError(code, message, field);
  return text.trim();
};

const requireJustification = (justifiedBy: readonly string[]): string[] => {
  const ids = justifiedBy.filter((id) => typeof id === 'string' && id.trim() !== '');
  if (ids.length === 0) throw new DomainError('NOT_JUSTIFIED', 'Every payment and claw-back names the events that justify it', 'justifiedBy');
  return ids;
};

const requireAllocated = (state: BudgetState): void => {
  if (!state.allocated) throw new DomainError('BUDGET_NOT_ALLOCATED', 'No budget has been allocated for this district and year', 'year', 'conflict');
};

const requireWithinBudget = (state: BudgetState, amountFen: Fen): void => {
  if (amountFen > remainingFen(state)) {
    throw new DomainError('BUDGET_EXCEEDED', `The grant of ${amountFen} fen exceeds the ${remainingFen(state)} fen left in the budget`, 'amountFen', 'conflict');
  }
};

/**
 * The formation subsidy is paid from the budget of the year the organisation was formed. Since an
 * organisation is formed once, in one district, all its formation grants fall into one budget stream,
 * and that stream's set of subsidised organisations enforces "one formation subsidy per organisation".
 */
const requireFormationYear = (orgFormedOn: string | undefined, year: number): void => {
  if (orgFormedOn === undefined) throw new DomainError('FORMATION_DATE_REQUIRED', 'The formation subsidy needs the date the organisation was formed', 'orgFormedOn');
  const formedIn = budgetYearOf(orgFormedOn);
  if (formedIn === undefined) throw new DomainError('INVALID_DATE', 'The formation date is not a valid date', 'orgFormedOn');
  if (formedIn !== year) {
    throw new DomainError('FORMATION_YEAR_MISMATCH', `An organisation formed in ${formedIn} is paid its formation subsidy from the ${formedIn} budget`, 'year');
  }
};

const policyAmount = (command: GrantSubsidy, policy: FundingPolicy): Fen => {
  const fixed = (amount: Fen): Fen => {
    if (command.amountFen !== undefined && command.amountFen !== amount) {
      throw new DomainError('AMOUNT_NOT_PER_POLICY', `Policy ${policy.version} sets this item at ${amount} fen`, 'amountFen');
    }
    return amount;
  };
  switch (command.item) {
    case 'formation':
      return fixed(policy.formationSubsidyFen);
    case 'secretary_post':
      return fixed(policy.secretaryPostSubsidyFen);
    case 'venue_construction':
      if (command.venueScale === undefined || !(command.venueScale in policy.venueSubsidyFen)) {
        throw new DomainError('VENUE_SCALE_REQUIRED', 'The venue construction subsidy depends on the site scale: small, medium or large', 'venueScale');
      }
      return fixed(policy.venueSubsidyFen[command.venueScale]);
    default:
      return requirePositiveFen(command.amountFen);
  }
};

const grantedEvent = (
  command: BudgetRef & { grantId: string; orgId: string; item: SubsidyItem; payee?: string; venueScale?: VenueScale; note?: string },
  amountFen: Fen,
  justifiedBy: string[],
  enterprises?: readonly string[],
): SubsidyGranted => ({
  type: 'SubsidyGranted',
  schemaVersion: v.SubsidyGranted,
  data: {
    grantId: command.grantId,
    district: command.district,
    year: command.year,
    orgId: command.orgId,
    item: command.item,
    amountFen,
    justifiedBy,
    ...(command.payee !== undefined && { payee: command.payee }),
    ...(command.venueScale !== undefined && { venueScale: command.venueScale }),
    ...(command.note !== undefined && { note: command.note }),
    ...(enterprises !== undefined && { enterprises: [...enterprises] }),
  },
});

const clawedBackEvent = (state: BudgetState, grant: GrantRecord, reason: string, justifiedBy: string[]): SubsidyClawedBack => ({
  type: 'SubsidyClawedBack',
  schemaVersion: v.SubsidyClawedBack,
  data: {
    grantId: grant.grantId,
    district: state.district as string,
    year: state.year as number,
    orgId: grant.orgId,
    item: grant.item,
    amountFen: grant.amountFen,
    reason,
    justifiedBy,
  },
});

const requireNewGrantId = (state: BudgetState, grantId: string): void => {
  requireText(grantId, 'GRANT_ID_REQUIRED', 'A grant needs an id', 'grantId');
  if (state.grants.has(grantId)) throw new DomainError('GRANT_ID_TAKEN', `Grant ${grantId} already exists`, 'grantId', 'conflict');
};

/** The events about an organisation's life that may justify paying it: what happened to it, not what someone typed. */
const ORGANISATION_LIFE = [
  'OrgFormed',
  'EnterpriseJoinedOrg',
  'OrgMembersRecounted',
  'OrgsMerged',
  'OrgLevelChanged',
  'OrgsPaired',
  'SecretaryAssigned',
  'SecretaryReplaced',
  'InstructorAssigned',
  'InstructorReplaced',
  'AssessmentCompleted',
  'AssessmentCorrected',
] as const;

/** Which events may justify each item; each must also be about the organisation paid. */
export const JUSTIFYING_EVENT_TYPES: Readonly<Record<SubsidyItem, readonly string[]>> = {
  formation: ['OrgFormed'],
  venue_construction: ['OrgFormed', 'OrgsMerged', 'OrgLevelChanged', 'OrgsPaired'],
  secretary_post: ['SecretaryAssigned', 'SecretaryReplaced', 'AssessmentCompleted', 'AssessmentCorrected'],
  operating_funds: ORGANISATION_LIFE,
  member_activity: ORGANISATION_LIFE,
  party_worker_allowance: ORGANISATION_LIFE,
  party_dues_returned: ORGANISATION_LIFE,
};

/** The organisation exists, is of the budget's district and was active in the budget's year, which is not in the future. */
const requireEligibleOrganisation = (command: GrantSubsidy): OrganisationRecord => {
  const { organisation, currentYear } = command.facts;
  if (!organisation.formed) throw new DomainError('ORG_NOT_FOUND', `No party organisation ${command.orgId} has been formed`, 'orgId', 'not_found');
  if (organisation.district !== command.district) {
    throw new DomainError('ORG_NOT_IN_DISTRICT', `Organisation ${command.orgId} belongs to district ${organisation.district}, not to the budget of ${command.district}`, 'district');
  }
  if (command.year > currentYear) throw new DomainError('YEAR_IN_FUTURE', `The ${command.year} budget cannot pay yet: it is ${currentYear}`, 'year');
  if (!wasActiveIn(organisation, command.year)) {
    throw new DomainError('ORG_NOT_ACTIVE', `Organisation ${command.orgId} was not active in ${command.year} (formed ${organisation.formedAt}${organisation.endedAt ? `, ended ${organisation.endedAt}` : ''})`, 'orgId', 'conflict');
  }
  return organisation;
};

/** Every id names an event in the store, about this organisation, of a kind that justifies the item. */
const requireRecordedJustification = (command: GrantSubsidy, ids: readonly string[]): void => {
  const found = new Map(command.facts.justifying.map((event) => [event.eventId, event]));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new DomainError('JUSTIFYING_EVENT_NOT_FOUND', `No recorded event ${missing.join(', ')}: a payment is justified by events in the record`, 'justifiedBy');
  const accepted = JUSTIFYING_EVENT_TYPES[command.item];
  for (const id of ids) {
    const event = found.get(id) as JustifyingEvent;
    if (!accepted.includes(event.type) || event.orgId !== command.orgId) {
      throw new DomainError(
        'JUSTIFICATION_NOT_ACCEPTED',
        `Event ${id} (${event.type}${event.orgId ? ` of ${event.orgId}` : ''}) does not justify a ${command.item} subsidy to ${command.orgId}: name ${accepted.join(', ')} of that organisation`,
        'justifiedBy',
      );
    }
  }
};

/** One formation subsidy per enterprise within the policy's period, whichever organisation it was formed into. */
const requireNoEarlierFormationSubsidy = (
  state: BudgetState,
  orgId: string,
  enterprises: readonly string[],
  earlier: EarlierFormationSubsidies,
): { creditCode: string; paidTo: string } | undefined => {
  for (const creditCode of enterprises) {
    const paidTo = state.formationSubsidisedEnterprises.get(creditCode) ?? earlier.get(creditCode);
    if (paidTo !== undefined && paidTo !== orgId) return { creditCode, paidTo };
  }
  return undefined;
};

const decideGrant = (command: GrantSubsidy, state: BudgetState, policy: FundingPolicy): FundingEvent[] => {
  requireText(command.orgId, 'ORG_REQUIRED', 'A grant is paid to an organisation', 'orgId');
  if (!SUBSIDY_ITEMS.includes(command.item)) throw new DomainError('UNKNOWN_ITEM', `There is no subsidy item ${command.item}`, 'item');
  const organisation = requireEligibleOrganisation(command);
  const amountFen = policyAmount(command, policy);
  const justifiedBy = requireJustification(command.justifiedBy);
  requireRecordedJustification(command, justifiedBy);
  requireAllocated(state);
  requireNewGrantId(state, command.grantId);
  if (command.item === 'formation') {
    requireFormationYear(organisation.formedAt, command.year);
    if (state.formationSubsidised.has(command.orgId)) {
      throw new DomainError('FORMATION_SUBSIDY_ALREADY_GRANTED', `Organisation ${command.orgId} has already had its formation subsidy`, 'orgId', 'conflict');
    }
    const earlier = requireNoEarlierFormationSubsidy(state, command.orgId, organisation.enterprises, command.facts.earlierFormationSubsidies);
    if (earlier) {
      throw new DomainError(
        'FORMATION_SUBSIDY_ALREADY_GRANTED',
        `Enterprise ${earlier.creditCode} of ${command.orgId} had a formation subsidy through ${earlier.paidTo} within the last ${policy.formationSubsidyPeriodYears} years`,
        'orgId',
        'conflict',
      );
    }
  }
  if (command.item === 'secretary_post') {
    if (organisation.secretary === undefined) {
      throw new DomainError('SECRETARY_NOT_ASSIGNED', `Organisation ${command.orgId} has no secretary: the post subsidy is paid to an assigned secretary`, 'orgId', 'conflict');
    }
    if (!state.secretaryPostEligible.has(command.orgId)) {
      throw new DomainError(
        'SECRETARY_POST_NOT_ELIGIBLE',
        `The secretary of ${command.orgId} is paid the post subsidy only after the organisation passes the ${command.year} annual review`,
        'orgId',
        'forbidden',
      );
    }
    if (state.secretaryPostPaid.has(command.orgId)) {
      throw new DomainError('SECRETARY_POST_SUBSIDY_ALREADY_GRANTED', `The ${command.year} post subsidy of ${command.orgId} has already been paid`, 'orgId', 'conflict');
    }
  }
  requireWithinBudget(state, amountFen);
  const venueScale = command.item === 'venue_construction' ? command.venueScale : undefined;
  return [grantedEvent({ ...command, venueScale }, amountFen, justifiedBy, command.item === 'formation' ? organisation.enterprises : undefined)];
};

const refusal = (command: RequestFormationSubsidy, state: BudgetState, requestedFen: Fen, reason: SubsidyRefused['data']['reason'], justifiedBy: string[]): FundingEvent => ({
  type: 'SubsidyRefused',
  schemaVersion: v.SubsidyRefused,
  data: { district: command.district, year: command.year, orgId: command.orgId, item: 'formation', requestedFen, remainingFen: remainingFen(state), reason, justifiedBy },
});

const decideFormationRequest = (command: RequestFormationSubsidy, state: BudgetState, policy: FundingPolicy): FundingEvent[] => {
  requireFormationYear(command.orgFormedOn, command.year);
  const justifiedBy = requireJustification(command.justifiedBy);
  // at-least-once delivery: a repeated OrgFormed changes nothing once the subsidy is paid
  if (state.formationSubsidised.has(command.orgId)) return [];
  const requestedFen = policy.formationSubsidyFen;
  if (requireNoEarlierFormationSubsidy(state, command.orgId, command.enterprises, command.earlierFormationSubsidies ?? new Map())) {
    return [refusal(command, state, requestedFen, 'enterprise_already_subsidised', justifiedBy)];
  }
  if (!state.allocated || requestedFen > remainingFen(state)) {
    return [refusal(command, state, requestedFen, state.allocated ? 'budget_exhausted' : 'budget_not_allocated', justifiedBy)];
  }
  requireNewGrantId(state, command.grantId);
  return [grantedEvent({ ...command, item: 'formation' }, requestedFen, justifiedBy, command.enterprises)];
};

/**
 * What may justify taking a payment back: events that show the organisation no longer qualified — it ended or lost
 * members or enterprises, a review failed or was corrected, its post eligibility was revoked, its people changed.
 * Never the payment itself, nor the organisation's forming.
 */
export const CLAW_BACK_JUSTIFYING_EVENT_TYPES: readonly string[] = [
  'OrgDissolutionPending',
  'OrgDissolved',
  'OrgsMerged',
  'EnterpriseLeftOrg',
  'OrgMembersRecounted',
  'AssessmentCompleted',
  'AssessmentCorrected',
  'SecretaryPostEligibilityRevoked',
  'SecretaryReplaced',
  'InstructorReplaced',
];

/** A claw-back names recorded events about the organisation that was paid, of a kind that shows it no longer qualified. */
const requireEventsAboutTheGrantee = (command: ClawBackSubsidy, grant: GrantRecord, ids: readonly string[]): void => {
  const found = new Map(command.facts.justifying.map((event) => [event.eventId, event]));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new DomainError('JUSTIFYING_EVENT_NOT_FOUND', `No recorded event ${missing.join(', ')}: a claw-back is justified by events in the record`, 'justifiedBy');
  for (const id of ids) {
    const event = found.get(id) as JustifyingEvent;
    if (event.orgId !== grant.orgId || !CLAW_BACK_JUSTIFYING_EVENT_TYPES.includes(event.type)) {
      // the text names no other organisation: an id may belong to another district's record
      throw new DomainError(
        'JUSTIFICATION_NOT_ACCEPTED',
        `Event ${id} does not justify clawing back grant ${grant.grantId}: name ${CLAW_BACK_JUSTIFYING_EVENT_TYPES.join(', ')} of ${grant.orgId}`,
        'justifiedBy',
      );
    }
  }
};

const decideClawBack = (command: ClawBackSubsidy, state: BudgetState): FundingEvent[] => {
  const reason = requireText(command.reason, 'REASON_REQUIRED', 'Say why the subsidy is clawed back', 'reason');
  const justifiedBy = requireJustification(command.justifiedBy);
  const grant = state.grants.get(command.grantId);
  if (!grant) throw new DomainError('GRANT_NOT_FOUND', `No grant ${command.grantId} in this budget`, 'grantId', 'not_found');
  if (grant.clawedBack) throw new DomainError('GRANT_ALREADY_CLAWED_BACK', `Grant ${command.grantId} has already been clawed back`, 'grantId', 'conflict');
  requireEventsAboutTheGrantee(command, grant, justifiedBy);
  return [clawedBackEvent(state, grant, reason, justifiedBy)];
};

const decideRevocation = (command: RevokeSecretaryPostEligibility, state: BudgetState): FundingEvent[] => {
  const reason = requireText(command.reason, 'REASON_REQUIRED', 'Say why eligibility is revoked', 'reason');
  const justifiedBy = requireJustification(command.justifiedBy);
  if (!state.secretaryPostEligible.has(command.orgId)) return [];
  const revoked: FundingEvent = {
    type: 'SecretaryPostEligibilityRevoked',
    schemaVersion: v.SecretaryPostEligibilityRevoked,
    data: { district: command.district, year: command.year, orgId: command.orgId, reason, justifiedBy },
  };
  const paidGrantId = state.secretaryPostPaid.get(command.orgId);
  const paidGrant = paidGrantId === undefined ? undefined : state.grants.get(paidGrantId);
  return paidGrant ? [revoked, clawedBackEvent({ ...state, district: command.district, year: command.year }, paidGrant, reason, justifiedBy)] : [revoked];
};

export const decideBudget =
  (policy: FundingPolicy) =>
  (command: BudgetCommand, state: BudgetState): FundingEvent[] => {
    requireBudgetRef(command, state);
    switch (command.type) {
      case 'AllocateBudget': {
        const amountFen = requirePositiveFen(command.amountFen);
        return [
          {
            type: 'BudgetAllocated',
            schemaVersion: v.BudgetAllocated,
            data: { district: command.district, year: command.year, amountFen, ...(command.note !== undefined && { note: command.note }) },
          },
        ];
      }
      case 'ReduceBudget': {
        const amountFen = requirePositiveFen(command.amountFen);
        const reason = requireText(command.reason, 'REASON_REQUIRED', 'Say why the budget is reduced', 'reason');
        requireAllocated(state);
        if (amountFen > remainingFen(state)) {
          throw new DomainError('BUDGET_REDUCTION_EXCEEDS_REMAINING', `Only ${remainingFen(state)} fen are left uncommitted`, 'amountFen', 'conflict');
        }
        return [{ type: 'BudgetReduced', schemaVersion: v.BudgetReduced, data: { district: command.district, year: command.year, amountFen, reason } }];
      }
      case 'GrantSubsidy':
        return decideGrant(command, state, policy);
      case 'RequestFormationSubsidy':
        return decideFormationRequest(command, state, policy);
      case 'ClawBackSubsidy':
        return decideClawBack(command, state);
      case 'ConfirmSecretaryPostEligibility': {
        const justifiedBy = requireJustification(command.justifiedBy);
        if (state.secretaryPostEligible.has(command.orgId)) return [];
        return [
          {
            type: 'SecretaryPostEligibilityConfirmed',
            schemaVersion: v.SecretaryPostEligibilityConfirmed,
            data: { district: command.district, year: command.year, orgId: command.orgId, stars: command.stars, justifiedBy },
          },
        ];
      }
      case 'RevokeSecretaryPostEligibility':
        return decideRevocation(command, state);
    }
  };

/** A district's budget for one year, with the policy that sets the fixed amounts. */
export const createBudgetDecider = (policy: FundingPolicy = defaultFundingPolicy): Decider<BudgetCommand, BudgetState, FundingEvent> => {
  assertValidFundingPolicy(policy);
  return { decide: decideBudget(policy), evolve: evolveBudget, initialState: initialBudgetState };
};

export const budgetDecider = createBudgetDecider();
