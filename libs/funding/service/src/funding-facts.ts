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
  private readonly formationSubsidiesByBudget = new Map<string, { version: number; paid: Map<string, string> }>();

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
    const budgets: ReadonlyMap<string, string>[] = [];
    for (let budgetYear = year - this.policy.formationSubsidyPeriodYears + 1; budgetYear <= year; budgetYear++) {
      budgets.push(await this.formationSubsidiesOf(fundingBudgetStreamId(district, budgetYear)));
    }
    // a view over the budgets, not a merged copy: a district forming thousands of branches asks once per branch
    return { get: (creditCode) => budgets.map((paid) => paid.get(creditCode)).find((orgId) => orgId !== undefined) };
  }

  /**
   * One budget's formation subsidies by enterprise, kept per stream and read on from where it stopped (every OrgFormed
   * asks). Entries are only ever added, so two callers reading the same new events at once add the same ones.
   */
  private async formationSubsidiesOf(streamId: string): Promise<ReadonlyMap<string, string>> {
    let known = this.formationSubsidiesByBudget.get(streamId);
    if (!known) this.formationSubsidiesByBudget.set(streamId, (known = { version: -1, paid: new Map() }));
    const newer = await this.store.readStream<FundingEvent>(streamId, { fromVersion: known.version + 1 });
    for (const event of newer) {
      if (event.type === 'SubsidyGranted' && event.data.item === 'formation') {
        const enterprises = event.data.enterprises ?? (await this.organisation(event.data.orgId)).enterprises;
        for (const creditCode of enterprises) if (!known.paid.has(creditCode)) known.paid.set(creditCode, event.data.orgId);
      }
      known.version = Math.max(known.version, event.streamVersion);
    }
    return known.paid;
  }
}
