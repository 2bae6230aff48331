import { BadRequestException } from '@nestjs/common';

/** `?asOf=` as an ISO instant: a date alone means the end of that day ("coverage on 30 June" includes what was recorded that day). */
export const parseAsOf = (value: string | undefined): string | undefined => {
  if (value === undefined || value === '') return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new BadRequestException({ message: 'asOf must be an ISO-8601 date or time', details: [{ field: 'asOf', reason: 'not an ISO-8601 date, e.g. 2026-06-30 or 2026-06-30T12:00:00Z' }] });
  const instant = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(time + 86_400_000 - 1) : new Date(time);
  return instant.toISOString();
};
