import type { Event } from './event';

/** Admin actions are audited like any decision: they go into the event log, chained and tamper-evident. */
export const ADMIN_ACTIONS_STREAM = 'admin-actions';

export type AdminActionPerformed = Event<
  'AdminActionPerformed',
  {
    /** e.g. 'projections.rebuild', 'tokens.issue', 'dead-letters.retry' */
    action: string;
    /** what the action was about (never secrets such as the token itself) */
    details: Record<string, unknown>;
  }
>;
