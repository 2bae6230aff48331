import type { RequestOwner, ServiceRequestEvent } from '@liangxin/contracts';
import { fold } from '@liangxin/event-sourcing';
import { DeciderSpecification } from '@liangxin/event-sourcing/testing';
import { chinaDateOf, serviceRequestDecider, type SubmitRequest } from './service-request';

const spec = DeciderSpecification.for(serviceRequestDecider);
const ref = { requestId: 'req-1', district: '430104', creditCode: '91430104MA4L000001' };
const instructor: RequestOwner = { kind: 'instructor', id: 'inst-7', name: '李指导员' };

const submit: SubmitRequest = {
  type: 'SubmitRequest',
  ...ref,
  category: 'financing',
  description: '  a loan for new equipment ',
  submittedBy: 'enterprise:91430104MA4L000001',
  // 08:30 on 1 June in Beijing
  submittedAt: '2024-06-01T00:30:00.000Z',
};

const submitted: ServiceRequestEvent = {
  type: 'RequestSubmitted',
  schemaVersion: 1,
  data: { ...ref, category: 'financing', description: 'a loan for new equipment', submittedBy: submit.submittedBy, submittedAt: submit.submittedAt },
};
const accepted: ServiceRequestEvent = { type: 'RequestAccepted', schemaVersion: 1, data: { ...ref, previousStatus: 'received', owner: instructor, dueDate: '2024-06-15' } };
const started: ServiceRequestEvent = { type: 'RequestWorkStarted', schemaVersion: 1, data: { ...ref, previousStatus: 'accepted' } };
const resolved: ServiceRequestEvent = { type: 'RequestResolved', schemaVersion: 1, data: { ...ref, previousStatus: 'in_progress', resolution: 'bank loan approved' } };
const confirmed: ServiceRequestEvent = { type: 'RequestConfirmed', schemaVersion: 1, data: { ...ref, previousStatus: 'resolved' } };
const reopened: ServiceRequestEvent = { type: 'RequestReopened', schemaVersion: 1, data: { ...ref, previousStatus: 'resolved', reason: 'the loan is too small' } };
const restarted: ServiceRequestEvent = { type: 'RequestWorkStarted', schemaVersion: 1, data: { ...ref, previousStatus: 'reopened' } };

const accept = { type: 'AcceptRequest' as const, requestId: ref.requestId, owner: instructor, dueDate: '2024-06-15' };
const start = { type: 'StartWork' as const, requestId: ref.requestId };
const resolve = { type: 'ResolveRequest' as const, requestId: ref.requestId, resolution: 'bank loan approved' };
const confirm = { type: 'ConfirmResolution' as const, requestId: ref.requestId };
const reopen = { type: 'ReopenRequest' as const, requestId: ref.requestId, reason: 'the loan is too small' };

describe('service request: SubmitRequest', () => {
  it('receives a new request from an enterprise', () => spec.given([]).when(submit).then([submitted]));

  it('refuses to submit the same request twice', () => spec.given([submitted]).when(submit).thenThrows('REQUEST_ALREADY_SUBMITTED', 'requestId'));

  it('refuses an unknown category', () =>
    spec
      .given([])
      .when({ ...submit, category: 'parking' as SubmitRequest['category'] })
      .thenThrows('UNKNOWN_CATEGORY', 'category'));

  it('refuses an empty description', () => spec.given([]).when({ ...submit, description: '  ' }).thenThrows('DESCRIPTION_REQUIRED', 'description'));

  it('refuses a district that is not a 6-digit code', () => spec.given([]).when({ ...submit, district: '4301' }).thenThrows('INVALID_DISTRICT', 'district'));
});

describe('service request: AcceptRequest', () => {
  it('gives the request an owner and a due date', () => spec.given([submitted]).when(accept).then([accepted]));

  it('accepts a due date on the day of submission, in China', () =>
    spec.given([submitted]).when({ ...accept, dueDate: '2024-06-01' }).thenMatches((events) => expect(events[0].data).toMatchObject({ dueDate: '2024-06-01' })));

  it('refuses a due date before the submission date', () => spec.given([submitted]).when({ ...accept, dueDate: '2024-05-31' }).thenThrows('DUE_DATE_BEFORE_SUBMISSION', 'dueDate'));

  it('refuses a due date that is not a calendar date', () => spec.given([submitted]).when({ ...accept, dueDate: '2024-02-30' }).thenThrows('INVALID_DUE_DATE', 'dueDate'));

  it('refuses to accept without an owner', () =>
    spec
      .given([submitted])
      .when({ ...accept, owner: { ...instructor, id: '' } })
      .thenThrows('OWNER_REQUIRED', 'owner.id'));

  it('refuses to accept a request nobody submitted', () => spec.given([]).when(accept).thenThrows('REQUEST_NOT_FOUND', 'requestId'));

  it('refuses to accept twice', () => spec.given([submitted, accepted]).when(accept).thenThrows('REQUEST_TRANSITION_NOT_ALLOWED', 'status'));
});

describe('service request: StartWork', () => {
  it('starts work on an accepted request', () => spec.given([submitted, accepted]).when(start).then([started]));

  it('restarts work on a reopened request', () => spec.given([submitted, accepted, started, resolved, reopened]).when(start).then([restarted]));

  it.each([
    ['received', [submitted]],
    ['in progress', [submitted, accepted, started]],
    ['resolved', [submitted, accepted, started, resolved]],
    ['confirmed', [submitted, accepted, started, resolved, confirmed]],
  ])('refuses to start work on a %s request', (_, given) => spec.given(given).when(start).thenThrows('REQUEST_TRANSITION_NOT_ALLOWED', 'status'));

  it('refuses to start work on a request nobody submitted', () => spec.given([]).when(start).thenThrows('REQUEST_NOT_FOUND'));
});

describe('service request: ResolveRequest', () => {
  it('resolves a request in progress', () => spec.given([submitted, accepted, started]).when(resolve).then([resolved]));

  it('wants to know what was done', () => spec.given([submitted, accepted, started]).when({ ...resolve, resolution: '' }).thenThrows('RESOLUTION_REQUIRED', 'resolution'));

  it.each([
    ['received', [submitted]],
    ['accepted', [submitted, accepted]],
    ['resolved', [submitted, accepted, started, resolved]],
    ['reopened', [submitted, accepted, started, resolved, reopened]],
  ])('refuses to resolve a %s request', (_, given) => spec.given(given).when(resolve).thenThrows('REQUEST_TRANSITION_NOT_ALLOWED', 'status'));

  it('refuses to resolve a request nobody submitted', () => spec.given([]).when(resolve).thenThrows('REQUEST_NOT_FOUND'));
});

describe('service request: ConfirmResolution', () => {
  it('closes a resolved request when the enterprise confirms', () => spec.given([submitted, accepted, started, resolved]).when(confirm).then([confirmed]));

  it.each([
    ['received', [submitted]],
    ['in progress', [submitted, accepted, started]],
    ['confirmed', [submitted, accepted, started, resolved, confirmed]],
    ['reopened', [submitted, accepted, started, resolved, reopened]],
  ])('refuses to confirm a %s request', (_, given) => spec.given(given).when(confirm).thenThrows('REQUEST_TRANSITION_NOT_ALLOWED', 'status'));

  it('refuses to confirm a request nobody submitted', () => spec.given([]).when(confirm).thenThrows('REQUEST_NOT_FOUND'));
});

describe('service request: ReopenRequest', () => {
  it('reopens a resolved request the enterprise is not satisfied with', () => spec.given([submitted, accepted, started, resolved]).when(reopen).then([reopened]));

  it('wants a reason', () => spec.given([submitted, accepted, started, resolved]).when({ ...reopen, reason: ' ' }).thenThrows('REASON_REQUIRED', 'reason'));

  it.each([
    ['accepted', [submitted, accepted]],
    ['in progress', [submitted, accepted, started]],
    ['confirmed', [submitted, accepted, started, resolved, confirmed]],
    ['reopened', [submitted, accepted, started, resolved, reopened]],
  ])('refuses to reopen a %s request', (_, given) => spec.given(given).when(reopen).thenThrows('REQUEST_TRANSITION_NOT_ALLOWED', 'status'));

  it('refuses to reopen a request nobody submitted', () => spec.given([]).when(reopen).thenThrows('REQUEST_NOT_FOUND'));
});

describe('service request state and messages', () => {
  it('folds to the status of the last event, keeping owner and due date', () => {
    expect(fold(serviceRequestDecider, [submitted, accepted, started, resolved, reopened, restarted])).toMatchObject({
      status: 'in_progress',
      owner: instructor,
      dueDate: '2024-06-15',
      submittedOn: '2024-06-01',
    });
  });

  it('says in plain words why a transition is refused', () => {
    expect(() => serviceRequestDecider.decide(confirm, fold(serviceRequestDecider, [submitted, accepted, started, resolved, confirmed]))).toThrow(
      /is confirmed by the enterprise and closed \(status confirmed\), so it cannot be confirmed now/,
    );
  });

  it('dates a submission in China time', () => {
    expect(chinaDateOf('2024-05-31T17:00:00Z')).toBe('2024-06-01');
    expect(chinaDateOf('not a date')).toBeUndefined();
  });
});
