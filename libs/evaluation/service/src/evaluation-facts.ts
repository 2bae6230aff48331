import { Inject, Injectable } from '@nestjs/common';
import { evaluationInstructorStreamId, FORMATION_STREAM_PREFIXES, type InstructorReviewed, orgStreamId, type RecordedEvent } from '@liangxin/contracts';
import { type AssessedOrganisation, assessedOrganisationOf, chinaYearOf } from '@liangxin/evaluation-domain';
import type { EventStore } from '@liangxin/event-store';
import { EVENT_STORE } from '@liangxin/platform';

/** Formation events that name a person as instructor or liaison cadre of an organisation or an enterprise. */
const ASSIGNMENT_TYPES = ['InstructorAssigned', 'InstructorReplaced', 'WorkCoverageAssigned'] as const;
const PAGE = 1_000;

const assigneeOf = (event: RecordedEvent): string | undefined => {
  const data = event.data as { instructor?: { personId?: string }; assignee?: { personId?: string } };
  return event.type === 'WorkCoverageAssigned' ? data.assignee?.personId : data.instructor?.personId;
};

/** What evaluation's rules need from the record, read from the event store; the rules stay in the deciders. */
@Injectable()
export class EvaluationFacts {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async organisation(orgId: string): Promise<AssessedOrganisation> {
    return assessedOrganisationOf(await this.store.readStream(orgStreamId(orgId)));
  }

  /**
   * The district a person works for: where the record first shows them — their first review, else the first
   * organisation or enterprise they were assigned to. Undefined for someone the record does not know yet.
   */
  async instructorDistrict(personId: string): Promise<string | undefined> {
    const [firstReview] = await this.store.readStream<InstructorReviewed>(evaluationInstructorStreamId(personId));
    if (firstReview) return firstReview.data.district;
    for (let after = 0; ; ) {
      const page = await this.store.readAll({ after, limit: PAGE, types: ASSIGNMENT_TYPES, streamPrefixes: FORMATION_STREAM_PREFIXES });
      const assigned = page.find((event) => assigneeOf(event) === personId);
      if (assigned) return (assigned.data as { district: string }).district;
      if (page.length < PAGE) return undefined;
      after = page[page.length - 1].globalPosition;
    }
  }

  /** The year now, in China. */
  currentYear(now = new Date()): number {
    return chinaYearOf(now.toISOString()) as number;
  }
}
