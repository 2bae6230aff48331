import { yuanToFen, type Fen, type VenueScale } from '@liangxin/contracts';

/**
 * The amounts a district pays for items whose amount is set by policy rather than by the officer.
 * Versioned: automatic grants record the version in their metadata, so an auditor can tell
 * which rule paid what.
 */
export type FundingPolicy = {
  version: string;
  formationSubsidyFen: Fen;
  /** 30 000–80 000 yuan per site, by scale (docs/domain.md, "Funding") */
  venueSubsidyFen: Record<VenueScale, Fen>;
  secretaryPostSubsidyFen: Fen;
  /**
   * An enterprise's organisation is paid one formation subsidy in this many budget years: a branch dissolved and
   * formed again for the same enterprise (or merged into another) within the period gets none.
   */
  formationSubsidyPeriodYears: number;
};

export const VENUE_SUBSIDY_RANGE_FEN = { min: yuanToFen(30_000), max: yuanToFen(80_000) } as const;

export const defaultFundingPolicy: FundingPolicy = {
  version: 'funding-2024.1',
  formationSubsidyFen: yuanToFen(10_000),
  venueSubsidyFen: { small: yuanToFen(30_000), medium: yuanToFen(50_000), large: yuanToFen(80_000) },
  secretaryPostSubsidyFen: yuanToFen(6_000),
  formationSubsidyPeriodYears: 3,
};

/** Throws when a policy could pay what the rules forbid; called once when a decider is built. */
export const assertValidFundingPolicy = (policy: FundingPolicy): void => {
  const amounts = [policy.formationSubsidyFen, policy.secretaryPostSubsidyFen, ...Object.values(policy.venueSubsidyFen)];
  if (!amounts.every((fen) => Number.isSafeInteger(fen) && fen > 0)) {
    throw new Error(`Funding policy ${policy.version}: every amount must be a positive whole number of fen`);
  }
  if (!Number.isInteger(policy.formationSubsidyPeriodYears) || policy.formationSubsidyPeriodYears < 1) {
    throw new Error(`Funding policy ${policy.version}: the formation subsidy period is a whole number of years, at least one`);
  }
  for (const [scale, fen] of Object.entries(policy.venueSubsidyFen)) {
    if (fen < VENUE_SUBSIDY_RANGE_FEN.min || fen > VENUE_SUBSIDY_RANGE_FEN.max) {
      throw new Error(`Funding policy ${policy.version}: the ${scale} venue subsidy must lie between 30 000 and 80 000 yuan`);
    }
  }
};
