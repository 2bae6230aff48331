import type { OrgEvent, RecordedEvent } from '@liangxin/contracts';

/** What an assessment needs to know of the organisation it rates, as formation's stream `org-<orgId>` records it. */
export type AssessedOrganisation = {
  /** formed (approved); a proposal alone is not an organisation */
  formed: boolean;
  district?: string;
  /** ISO-8601 instants of its OrgFormed and of its dissolution (or merger into another) */
  formedAt?: string;
  endedAt?: string;
};

/** Pure: the organisation as its formation events leave it. */
export const assessedOrganisationOf = (events: readonly RecordedEvent[]): AssessedOrganisation => {
  const organisation: AssessedOrganisation = { formed: false };
  for (const event of events as readonly RecordedEvent<OrgEvent>[]) {
    if (event.type === 'OrgFormed') Object.assign(organisation, { formed: true, district: event.data.district, formedAt: event.occurredAt });
    if (event.type === 'OrgDissolved') organisation.endedAt = event.occurredAt;
  }
  return organisation;
};

/** China Standard Time is UTC+8 all year. */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The calendar year in China of an ISO-8601 instant. */
export const chinaYearOf = (isoInstant: string): number | undefined => {
  const time = Date.parse(isoInstant);
  return Number.isNaN(time) ? undefined : new Date(time + CHINA_OFFSET_MS).getUTCFullYear();
};

/** Formed by the end of `year` and not ended before it began. */
export const wasActiveIn = (organisation: AssessedOrganisation, year: number): boolean => {
  if (!organisation.formed || organisation.formedAt === undefined) return false;
  const formedIn = chinaYearOf(organisation.formedAt);
  const endedIn = organisation.endedAt === undefined ? undefined : chinaYearOf(organisation.endedAt);
  return formedIn !== undefined && formedIn <= year && (endedIn === undefined || endedIn >= year);
};
