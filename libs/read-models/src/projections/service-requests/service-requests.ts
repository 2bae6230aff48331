import {
  type RecordedEvent,
  REQUEST_STATUSES,
  type RequestCategory,
  type RequestOwner,
  type RequestStatus,
  SERVICE_REQUEST_EVENT_TYPES,
  type ServiceRequestEvent,
  STATUS_AFTER,
} from '@liangxin/contracts';
import { evolveDocument, type Projection } from '../../projection';

/** One step of a request's life, for the enterprise following it and the officer reviewing it. */
export interface RequestStep {
  status: RequestStatus;
  at: string;
  actor: string;
  /** the resolution given, or why the enterprise reopened it */
  note: string | null;
}

/** A service request as it stands. */
export interface ServiceRequestView {
  requestId: string;
  district: string;
  creditCode: string;
  category: RequestCategory;
  description: string;
  submittedBy: string;
  submittedAt: string;
  status: RequestStatus;
  owner: RequestOwner | null;
  /** YYYY-MM-DD, set on acceptance */
  dueDate: string | null;
  /** the latest resolution */
  resolution: string | null;
  /** why the enterprise last reopened it */
  reopenReason: string | null;
  timesReopened: number;
  updatedAt: string;
  history: RequestStep[];
}

export type RequestStatusCounts = Record<RequestStatus, number>;

/** A district's requests by status (docs/domain.md, "Service requests": Shangrao counts 204 requests, 128 closed, 76 open). */
export interface DistrictRequestCounts {
  district: string;
  /** every request ever submitted */
  submitted: number;
  byStatus: RequestStatusCounts;
}

export const SERVICE_REQUESTS = 'service-requests';
export const SERVICE_REQUEST_DISTRICTS = 'service-requests.districts';

export const emptyRequestStatusCounts = (): RequestStatusCounts => Object.fromEntries(REQUEST_STATUSES.map((s) => [s, 0])) as RequestStatusCounts;

type RequestEvent = RecordedEvent<ServiceRequestEvent>;

/** Pure: a request after one of its events (undefined when there is nothing to change, e.g. an event for a request never submitted). */
export function evolveServiceRequestView(current: ServiceRequestView | undefined, event: RecordedEvent): ServiceRequestView | undefined {
  const e = event as RequestEvent;
  const status = STATUS_AFTER[e.type];
  if (status === undefined) return undefined;
  if (e.type === 'RequestSubmitted') {
    if (current) return undefined;
    const d = e.data;
    return {
      requestId: d.requestId,
      district: d.district,
      creditCode: d.creditCode,
      category: d.category,
      description: d.description,
      submittedBy: d.submittedBy,
      submittedAt: d.submittedAt,
      status,
      owner: null,
      dueDate: null,
      resolution: null,
      reopenReason: null,
      timesReopened: 0,
      updatedAt: e.occurredAt,
      history: [{ status, at: e.occurredAt, actor: e.metadata.actor, note: null }],
    };
  }
  if (!current) return undefined;
  const note = e.type === 'RequestResolved' ? e.data.resolution : e.type === 'RequestReopened' ? e.data.reason : null;
  const next: ServiceRequestView = { ...current, status, updatedAt: e.occurredAt, history: [...current.history, { status, at: e.occurredAt, actor: e.metadata.actor, note }] };
  switch (e.type) {
    case 'RequestAccepted':
      return { ...next, owner: { ...e.data.owner }, dueDate: e.data.dueDate };
    case 'RequestResolved':
      return { ...next, resolution: e.data.resolution };
    case 'RequestReopened':
      return { ...next, reopenReason: e.data.reason, timesReopened: current.timesReopened + 1 };
    default:
      return next;
  }
}

/** Pure: a district's counts after one request event; every transition event names the status it left. */
export function evolveDistrictRequestCounts(current: DistrictRequestCounts | undefined, event: RecordedEvent): DistrictRequestCounts | undefined {
  const e = event as RequestEvent;
  const status = STATUS_AFTER[e.type];
  if (status === undefined) return undefined;
  const counts = current ?? { district: e.data.district, submitted: 0, byStatus: emptyRequestStatusCounts() };
  const byStatus = { ...counts.byStatus, [status]: counts.byStatus[status] + 1 };
  if (e.type === 'RequestSubmitted') return { ...counts, submitted: counts.submitted + 1, byStatus };
  const previous = e.data.previousStatus;
  return { ...counts, byStatus: { ...byStatus, [previous]: Math.max(0, byStatus[previous] - 1) } };
}

/** Service requests: each request as it stands, and the counts per district and status. */
export const serviceRequestsProjection: Projection = {
  name: 'service-requests',
  collections: [SERVICE_REQUESTS, SERVICE_REQUEST_DISTRICTS],
  // a district's requests, an enterprise's own
  queriedBy: { [SERVICE_REQUESTS]: ['district', 'creditCode'] },
  eventTypes: new Set<string>(SERVICE_REQUEST_EVENT_TYPES),
  async apply(event, context) {
    const { requestId, district } = (event as RequestEvent).data;
    await evolveDocument(context, SERVICE_REQUESTS, requestId, event, evolveServiceRequestView);
    await evolveDocument(context, SERVICE_REQUEST_DISTRICTS, district, event, evolveDistrictRequestCounts);
  },
  // Each document depends only on the events of its request, or of its district.
  mayAffect(event, collection, id) {
    const { requestId, district } = (event as RequestEvent).data;
    if (collection === SERVICE_REQUESTS) return requestId === id;
    return collection === SERVICE_REQUEST_DISTRICTS && district === id;
  },
};
