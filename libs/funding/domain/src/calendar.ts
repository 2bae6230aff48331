/** China Standard Time is UTC+8 all year (no daylight saving since 1991). */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/**
 * The calendar year, in China, of an ISO-8601 instant: a branch formed at 01:00 on 1 January
 * Beijing time (17:00 UTC the day before) belongs to the new year's budget.
 */
export const budgetYearOf = (isoInstant: string): number | undefined => {
  const time = Date.parse(isoInstant);
  return Number.isNaN(time) ? undefined : new Date(time + CHINA_OFFSET_MS).getUTCFullYear();
};
