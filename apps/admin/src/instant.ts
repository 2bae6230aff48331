import { AdminError } from './admin-error';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * The instant an officer means by an ISO date: a bare date is the end of that day on this machine's clock
 * ("coverage as of 30 June" includes what was recorded on 30 June); a date-time is taken as written.
 * Returned in the store's own format (UTC, milliseconds), so it compares with recordedAt as text.
 */
export function parseInstant(text: string): string {
  const trimmed = text.trim();
  let instant: Date | undefined;
  if (DATE_ONLY.test(trimmed)) instant = new Date(`${trimmed}T23:59:59.999`);
  else if (DATE_TIME.test(trimmed)) instant = new Date(trimmed);
  if (!instant || Number.isNaN(instant.getTime())) {
    throw new AdminError(`"${text}" is not a date. Write an ISO date such as 2024-06-30 (end of that day) or 2024-06-30T18:00:00+08:00.`);
  }
  return instant.toISOString();
}
