import type { Event } from '../event';

/** What enterprises bring to the district (002 "96871": financing, hiring, market access, safety, land, policy questions). */
export const REQUEST_CATEGORIES = ['financing', 'hiring', 'market-access', 'safety', 'land', 'policy', 'other'] as const;
export type RequestCategory = (typeof REQUEST_CATEGORIES)[number];

/**
 * The lifecycle of a service request: received → accepted → in progress → resolved → confirmed by
 * the enterprise, or reopened (and back to in progress when work restarts).
 */
export const REQUEST_STATUSES = ['received', 'accepted', 'in_progress', 'resolved', 'confirmed', 'reopened'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Still waiting for the district: these can be overdue. A resolved request waits for the enterprise instead. */
export const OPEN_REQUEST_STATUSES: readonly RequestStatus[] = ['received', 'accepted', 'in_progress', 'reopened'];

/** Who works on a request: one of the district's service groups (Shangrao has 35: docs/domain.md, "Service requests") or an instructor. */
export const REQUEST_OWNER_KINDS = ['service-group', 'instructor'] as const;
export type RequestOwnerKind = (typeof REQUEST_OWNER_KINDS)[number];
export type RequestOwner = { kind: RequestOwnerKind; id: string; name: string };

/** Every service-request event names the request, its district and the enterprise, for tenancy and read models. */
type RequestRef = { requestId: string; district: string; creditCode: string };

export type RequestSubmitted = Event<
  'RequestSubmitted',
  RequestRef & {
    category: RequestCategory;
    description: string;
    /** the actor who submitted it: the enterprise's account, or an officer taking it at a desk hour */
    submittedBy: string;
    /** ISO-8601 instant; due dates are measured from its date in China */
    submittedAt: string;
  }
>;

export type RequestAccepted = Event<'RequestAccepted', RequestRef & { previousStatus: 'received'; owner: RequestOwner; /** YYYY-MM-DD */ dueDate: string }>;

/** Work starts, for the first time (from accepted) or again after the enterprise reopened it. */
export type RequestWorkStarted = Event<'RequestWorkStarted', RequestRef & { previousStatus: 'accepted' | 'reopened' }>;

export type RequestResolved = Event<'RequestResolved', RequestRef & { previousStatus: 'in_progress'; resolution: string }>;

/** The enterprise agrees its need was met: the loop is closed and the request never changes again. */
export type RequestConfirmed = Event<'RequestConfirmed', RequestRef & { previousStatus: 'resolved' }>;

/** The enterprise says the resolution did not meet its need. */
export type RequestReopened = Event<'RequestReopened', RequestRef & { previousStatus: 'resolved'; reason: string }>;

export type ServiceRequestEvent = RequestSubmitted | RequestAccepted | RequestWorkStarted | RequestResolved | RequestConfirmed | RequestReopened;

export const SERVICE_REQUEST_EVENT_TYPES = [
  'RequestSubmitted',
  'RequestAccepted',
  'RequestWorkStarted',
  'RequestResolved',
  'RequestConfirmed',
  'RequestReopened',
] as const satisfies readonly ServiceRequestEvent['type'][];

/** Current schema version of each service-request event type. */
export const SERVICE_REQUEST_SCHEMA_VERSIONS: Record<ServiceRequestEvent['type'], number> = {
  RequestSubmitted: 1,
  RequestAccepted: 1,
  RequestWorkStarted: 1,
  RequestResolved: 1,
  RequestConfirmed: 1,
  RequestReopened: 1,
};

/** The status each event leaves the request in. */
export const STATUS_AFTER: Record<ServiceRequestEvent['type'], RequestStatus> = {
  RequestSubmitted: 'received',
  RequestAccepted: 'accepted',
  RequestWorkStarted: 'in_progress',
  RequestResolved: 'resolved',
  RequestConfirmed: 'confirmed',
  RequestReopened: 'reopened',
};

export const isServiceRequestEvent = (event: { readonly type: string }): event is ServiceRequestEvent =>
  (SERVICE_REQUEST_EVENT_TYPES as readonly string[]).includes(event.type);
