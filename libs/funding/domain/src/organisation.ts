import type { OrgEvent, Person, RecordedEvent } from '@liangxin/contracts';
import { budgetYearOf } from './calendar';

/**
 * What funding needs to know of a party organisation, as formation's stream `org-<orgId>` records it: the
 * service reads the stream and hands this to the pure budget rules, never the caller's word.
 */
export type OrganisationRecord = {
  orgId: string;
  /** formed (approved); a proposal alone is not an organisation */
  formed: boolean;
  district?: string;
  /** ISO-8601 instant of its OrgFormed */
  formedAt?: string;
  /** when it was dissolved or merged away */
  endedAt?: string;
  publicUnit: boolean;
  secretary?: Person;
  /** every enterprise that was ever a member, for "one formation subsidy per enterprise" */
  enterprises: string[];
};

/** Pure: the organisation as its formation events leave it (an empty history: one that does not exist). */
export const organisationRecordOf = (orgId: string, events: readonly RecordedEvent[]): OrganisationRecord => {
  const record: OrganisationRecord = { orgId, formed: false, publicUnit: false, enterprises: [] };
  const enterprises = new Set<string>();
  for (const event of events as readonly RecordedEvent<OrgEvent>[]) {
    switch (event.type) {
      case 'OrgFormed':
        record.formed = true;
        record.district = event.data.district;
        record.formedAt = event.occurredAt;
        record.publicUnit = event.data.publicUnit === true;
        for (const enterprise of event.data.enterprises) enterprises.add(enterprise.creditCode);
        break;
      case 'EnterpriseJoinedOrg':
        enterprises.add(event.data.creditCode);
        break;
      case 'OrgsMerged':
        for (const enterprise of event.data.enterprises) enterprises.add(enterprise.creditCode);
        break;
      case 'OrgDissolved':
        record.endedAt = event.occurredAt;
        break;
      case 'SecretaryAssigned':
      case 'SecretaryReplaced':
        record.secretary = event.data.secretary;
        break;
      default:
        break;
    }
  }
  record.enterprises = [...enterprises].sort();
  return record;
};

/** Formed by the end of `year` and not ended before it began (China's calendar). */
export const wasActiveIn = (organisation: OrganisationRecord, year: number): boolean => {
  if (!organisation.formed || organisation.formedAt === undefined) return false;
  const formedIn = budgetYearOf(organisation.formedAt);
  const endedIn = organisation.endedAt === undefined ? undefined : budgetYearOf(organisation.endedAt);
  return formedIn !== undefined && formedIn <= year && (endedIn === undefined || endedIn >= year);
};
