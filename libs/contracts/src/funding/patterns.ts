/** Request/reply message patterns the gateway sends to the funding service. */
export const FundingPatterns = {
  allocateBudget: 'funding.budget.allocate',
  reduceBudget: 'funding.budget.reduce',
  grantSubsidy: 'funding.subsidy.grant',
  clawBackSubsidy: 'funding.subsidy.claw-back',
  getBudget: 'funding.budget.get',
  getOrgGrants: 'funding.org.grants',
} as const;

export type FundingPattern = (typeof FundingPatterns)[keyof typeof FundingPatterns];
