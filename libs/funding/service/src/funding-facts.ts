import { Inject, Injectable } from '@nestjs/common';
import { fundingBudgetStreamId, type FundingEvent, orgStreamId } from '@liangxin/contracts';
import type { EventStore } from '@liangxin/event-store';
import {
  budgetYearOf,
  defaultFundingPolicy,
  type EarlierFormationSubsidies,
  type FundingPolicy,
  type JustifyingEvent,
  type OrganisationRecord,
  organisationRecordOf,
} from '@liangxin/funding-domain';
import { EVENT_STORE } from '@liangxin/platform';

/**
 * What the budget rules need from the record, read from the event store: the organisation from formation's stream,
 * the events a grant names, the district's earlier formation subsidies. The rules themselves stay in the decider.
 */
@Injectable()
export class FundingFacts {
  readonly policy: FundingPolicy = defaultFundingPolicy;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async organisation(orgId: string): Promise<OrganisationRecord> {
    return organisationRecordOf(orgId, await this.store.readStream(orgStreamId(orgId)));
  }

  /** The named events the store holds; an id it does not know is left out. */
  async justifying(eventIds: readonly string[]): Promise<JustifyingEvent[]> {
    const found = await Promise.all([...new Set(eventIds)].map((eventId) => (typeof eventId === 'string' ? this.store.readEvent(eventId) : undefined)));
    return found.flatMap((event) => {
      if (!event) return [];
      const orgId = (event.data as { orgId?: unknown }).orgId;
      return [{ eventId: event.eventId, type: event.type, ...(typeof orgId === 'string' && { orgId }) }];
    });
  }

  /** The budget year now, in China. */
  currentYear(now = new Date()): number {
    return budgetYearOf(now.toISOString()) as number;
  }

  /**
   * Enterprises whose organisation had a formation subsidy from the district's budgets of the policy's period up to
   * `year`. A grant recorded before grants named their enterprises is traced through its organisation's stream.
   */
  async earlierFormationSubsidies(district: string, year: number): Promise<EarlierFormationSubsidies> {
    const paid = new Map<string, string>();
    for (let budgetYear = year - this.policy.formationSubsidyPeriodYears + 1; budgetYear <= year; budgetYear++) {
      const events = await this.store.readStream<FundingEvent>(fundingBudgetStreamId(district, budgetYear));
      for (const event of events) {
        if (event.type !== 'SubsidyGranted' || event.data.item !== 'formation') continue;
        const enterprises = event.data.enterprises ?? (await this.organisation(event.data.orgId)).enterprises;
        for (const creditCode of enterprises) if (!paid.has(creditCode)) paid.set(creditCode, event.data.orgId);
      }
    }
    return paid;
  }
}
