import type { Projection } from '../../projection';
import { enterprisesConcerned } from '../source-events';

/** Positions of every event about one subject (`enterprise:<creditCode>` or `org:<orgId>`), in log order. */
export interface AuditSubject {
  positions: number[];
}
export const AUDIT_SUBJECTS = 'audit.subjects';

export const enterpriseSubject = (creditCode: string) => `enterprise:${creditCode}`;
export const orgSubject = (orgId: string) => `org:${orgId}`;

/** Subjects an event is about: the enterprises it concerns and the organisations it names. */
export function subjectsOf(event: { type: string; data: object }): string[] {
  const data = event.data as Record<string, unknown>;
  const subjects = enterprisesConcerned(event).map(enterpriseSubject);
  for (const field of ['orgId', 'mergedOrgId', 'mergedInto']) {
    if (typeof data[field] === 'string') subjects.push(orgSubject(data[field] as string));
  }
  return [...new Set(subjects)];
}

/**
 * The index the audit trail reads: which events concern a subject. Causes are found by event id in the
 * log itself (EventStore.readEvent), so the index holds nothing per event beyond the subjects' lists.
 */
export const auditIndexProjection: Projection = {
  name: 'audit-index',
  collections: [AUDIT_SUBJECTS],
  eventTypes: 'all',
  // the audit trail reads the log by position; an index as of a past moment is never asked for
  snapshots: false,
  async apply(event, context) {
    for (const subject of subjectsOf(event)) {
      const current = await context.load<AuditSubject>(AUDIT_SUBJECTS, subject);
      if (current && current.position >= event.globalPosition) continue;
      context.save(AUDIT_SUBJECTS, subject, { positions: [...(current?.body.positions ?? []), event.globalPosition] }, event.globalPosition);
    }
  },
};
