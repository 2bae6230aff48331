import {
  isCalendarDate,
  REQUEST_CATEGORIES,
  REQUEST_OWNER_KINDS,
  SERVICE_REQUEST_SCHEMA_VERSIONS,
  STATUS_AFTER,
  type RequestCategory,
  type RequestOwner,
  type RequestStatus,
  type ServiceRequestEvent,
} from '@liangxin/contracts';
import { DomainError, type Decider } from '@liangxin/event-sourcing';

// ---------------------------------------------------------------- commands

/** Every command but the submission acts on a request already received. */
type RequestRef = { requestId: string };

export type SubmitRequest = RequestRef & {
  type: 'SubmitRequest';
  district: string;
  creditCode: string;
  category: RequestCategory;
  description: string;
  submittedBy: string;
  /** ISO-8601 instant, given by the service (deciders read no clock) */
  submittedAt: string;
};
export type AcceptRequest = RequestRef & { type: 'AcceptRequest'; owner: RequestOwner; /** YYYY-MM-DD */ dueDate: string };
export type StartWork = RequestRef & { type: 'StartWork' };
export type ResolveRequest = RequestRef & { type: 'ResolveRequest'; resolution: string };
export type ConfirmResolution = RequestRef & { type: 'ConfirmResolution' };
export type ReopenRequest = RequestRef & { type: 'ReopenRequest'; reason: string };

export type ServiceRequestCommand = SubmitRequest | AcceptRequest | StartWork | ResolveRequest | ConfirmResolution | ReopenRequest;

// ---------------------------------------------------------------- state

export type ServiceRequestState =
  | { status: 'none' }
  | {
      status: RequestStatus;
      requestId: string;
      district: string;
      creditCode: string;
      /** YYYY-MM-DD in China of the submission: no due date may come before it */
      submittedOn: string;
      owner?: RequestOwner;
      dueDate?: string;
    };

export const initialServiceRequestState = (): ServiceRequestState => ({ status: 'none' });

/** China Standard Time is UTC+8 all year. */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The calendar date in China of an ISO-8601 instant (a request sent at 07:00 Beijing time is dated that day, not the day before). */
export const chinaDateOf = (isoInstant: string): string | undefined => {
  const time = Date.parse(isoInstant);
  return Number.isNaN(time) ? undefined : new Date(time + CHINA_OFFSET_MS).toISOString().slice(0, 10);
};

/** Which status each command needs the request to be in. */
const ALLOWED_FROM: Record<Exclude<ServiceRequestCommand['type'], 'SubmitRequest'>, readonly RequestStatus[]> = {
  AcceptRequest: ['received'],
  StartWork: ['accepted', 'reopened'],
  ResolveRequest: ['in_progress'],
  ConfirmResolution: ['resolved'],
  ReopenRequest: ['resolved'],
};

/** Plain words for a status, as the refusal messages use them. */
const STATUS_WORDS: Record<RequestStatus, string> = {
  received: 'received and waiting to be accepted',
  accepted: 'accepted and waiting for work to start',
  in_progress: 'in progress',
  resolved: 'resolved and waiting for the enterprise to confirm or reopen it',
  confirmed: 'confirmed by the enterprise and closed',
  reopened: 'reopened and waiting for work to restart',
};

const ACTION_WORDS: Record<keyof typeof ALLOWED_FROM, string> = {
  AcceptRequest: 'accepted',
  StartWork: 'started',
  ResolveRequest: 'resolved',
  ConfirmResolution: 'confirmed',
  ReopenRequest: 'reopened',
};

// ---------------------------------------------------------------- evolve

export const evolveServiceRequest = (state: ServiceRequestState, event: ServiceRequestEvent): ServiceRequestState => {
  if (event.type === 'RequestSubmitted') {
    const { requestId, district, creditCode, submittedAt } = event.data;
    return { status: 'received', requestId, district, creditCode, submittedOn: chinaDateOf(submittedAt) ?? submittedAt.slice(0, 10) };
  }
  if (state.status === 'none') return state;
  const status = STATUS_AFTER[event.type];
  if (event.type === 'RequestAccepted') return { ...state, status, owner: event.data.owner, dueDate: event.data.dueDate };
  return { ...state, status };
};

// ---------------------------------------------------------------- decide

const v = SERVICE_REQUEST_SCHEMA_VERSIONS;

const requireText = (text: string | undefined, code: string, message: string, field: string): string => {
  if (typeof text !== 'string' || text.trim() === '') throw new DomainError(code, message, field);
  return text.trim();
};

const requireOwner = (owner: RequestOwner | undefined): RequestOwner => {
  if (!owner || !REQUEST_OWNER_KINDS.includes(owner.kind)) {
    throw new DomainError('OWNER_REQUIRED', 'Name the service group or instructor who takes the request on', 'owner');
  }
  const id = requireText(owner.id, 'OWNER_REQUIRED', 'Name the service group or instructor who takes the request on', 'owner.id');
  const name = requireText(owner.name, 'OWNER_NAME_REQUIRED', 'Give the name of the owner, as the enterprise will read it', 'owner.name');
  return { kind: owner.kind, id, name };
};

const decideSubmit = (command: SubmitRequest, state: ServiceRequestState): ServiceRequestEvent[] => {
  if (state.status !== 'none') throw new DomainError('REQUEST_ALREADY_SUBMITTED', `Request ${command.requestId} has already been submitted`, 'requestId', 'conflict');
  requireText(command.requestId, 'REQUEST_ID_REQUIRED', 'A request needs an id', 'requestId');
  if (!/^\d{6}$/.test(command.district)) throw new DomainError('INVALID_DISTRICT', 'The district must be a 6-digit administrative division code', 'district');
  requireText(command.creditCode, 'CREDIT_CODE_REQUIRED', 'Say which enterprise the request comes from', 'creditCode');
  if (!REQUEST_CATEGORIES.includes(command.category)) {
    throw new DomainError('UNKNOWN_CATEGORY', `There is no category ${command.category}; use one of: ${REQUEST_CATEGORIES.join(', ')}`, 'category');
  }
  const description = requireText(command.description, 'DESCRIPTION_REQUIRED', 'Say what the enterprise needs', 'description');
  if (chinaDateOf(command.submittedAt) === undefined) throw new DomainError('INVALID_DATE', 'The submission time is not a valid instant', 'submittedAt');
  const { requestId, district, creditCode, category, submittedBy, submittedAt } = command;
  return [{ type: 'RequestSubmitted', schemaVersion: v.RequestSubmitted, data: { requestId, district, creditCode, category, description, submittedBy, submittedAt } }];
};

/** The request as it stands, if the command may act on it now; otherwise the refusal that says why not. */
const requireTransition = (command: Exclude<ServiceRequestCommand, SubmitRequest>, state: ServiceRequestState) => {
  if (state.status === 'none') throw new DomainError('REQUEST_NOT_FOUND', `There is no request ${command.requestId}`, 'requestId', 'not_found');
  if (!ALLOWED_FROM[command.type].includes(state.status)) {
    throw new DomainError(
      'REQUEST_TRANSITION_NOT_ALLOWED',
      `Request ${state.requestId} is ${STATUS_WORDS[state.status]} (status ${state.status}), so it cannot be ${ACTION_WORDS[command.type]} now`,
      'status',
      'conflict',
    );
  }
  return { ref: { requestId: state.requestId, district: state.district, creditCode: state.creditCode }, state };
};

export const decideServiceRequest = (command: ServiceRequestCommand, state: ServiceRequestState): ServiceRequestEvent[] => {
  switch (command.type) {
    case 'SubmitRequest':
      return decideSubmit(command, state);
    case 'AcceptRequest': {
      const owner = requireOwner(command.owner);
      if (!isCalendarDate(command.dueDate)) throw new DomainError('INVALID_DUE_DATE', 'The due date must be a date like 2024-06-30', 'dueDate');
      const { ref, state: current } = requireTransition(command, state);
      if (command.dueDate < current.submittedOn) {
        throw new DomainError('DUE_DATE_BEFORE_SUBMISSION', `The due date ${command.dueDate} is before the request was submitted on ${current.submittedOn}`, 'dueDate');
      }
      return [{ type: 'RequestAccepted', schemaVersion: v.RequestAccepted, data: { ...ref, previousStatus: 'received', owner, dueDate: command.dueDate } }];
    }
    case 'StartWork': {
      const { ref, state: current } = requireTransition(command, state);
      return [{ type: 'RequestWorkStarted', schemaVersion: v.RequestWorkStarted, data: { ...ref, previousStatus: current.status as 'accepted' | 'reopened' } }];
    }
    case 'ResolveRequest': {
      const resolution = requireText(command.resolution, 'RESOLUTION_REQUIRED', 'Say what was done for the enterprise', 'resolution');
      const { ref } = requireTransition(command, state);
      return [{ type: 'RequestResolved', schemaVersion: v.RequestResolved, data: { ...ref, previousStatus: 'in_progress', resolution } }];
    }
    case 'ConfirmResolution': {
      const { ref } = requireTransition(command, state);
      return [{ type: 'RequestConfirmed', schemaVersion: v.RequestConfirmed, data: { ...ref, previousStatus: 'resolved' } }];
    }
    case 'ReopenRequest': {
      const reason = requireText(command.reason, 'REASON_REQUIRED', 'Say why the resolution did not meet the need', 'reason');
      const { ref } = requireTransition(command, state);
      return [{ type: 'RequestReopened', schemaVersion: v.RequestReopened, data: { ...ref, previousStatus: 'resolved', reason } }];
    }
  }
};

/** One service request, from submission until the enterprise confirms its need was met. */
export const serviceRequestDecider: Decider<ServiceRequestCommand, ServiceRequestState, ServiceRequestEvent> = {
  decide: decideServiceRequest,
  evolve: evolveServiceRequest,
  initialState: initialServiceRequestState,
};
