/** Every funding stream id starts with this prefix. */
export const FUNDING_STREAM_PREFIX = 'funding-';
export const FUNDING_BUDGET_STREAM_PREFIX = `${FUNDING_STREAM_PREFIX}budget-`;

/**
 * One stream per district budget and year: the consistency boundary for "a grant never exceeds
 * the remaining budget". Everything paid from that budget, and every refusal, is in it.
 */
export const fundingBudgetStreamId = (district: string, year: number): string => `${FUNDING_BUDGET_STREAM_PREFIX}${district}-${year}`;

export const parseFundingBudgetStreamId = (streamId: string): { district: string; year: number } | undefined => {
  const match = /^funding-budget-(\d{6})-(\d{4})$/.exec(streamId);
  return match ? { district: match[1], year: Number(match[2]) } : undefined;
};
