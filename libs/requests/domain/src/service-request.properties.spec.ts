import { REQUEST_STATUSES, type RequestStatus, type ServiceRequestEvent } from '@liangxin/contracts';
import { isDomainError } from '@liangxin/event-sourcing';
import fc from 'fast-check';
import { serviceRequestDecider, type ServiceRequestCommand, type ServiceRequestState } from './service-request';

const requestId = 'req-1';
const dueDate = fc.constantFrom('2024-05-31', '2024-06-01', '2024-06-30', '2024-02-30', 'soon');

const command: fc.Arbitrary<ServiceRequestCommand> = fc.oneof(
  fc.record({
    type: fc.constant('SubmitRequest' as const),
    requestId: fc.constant(requestId),
    district: fc.constantFrom('430104', '430105'),
    creditCode: fc.constant('91430104MA4L000001'),
    category: fc.constantFrom('financing', 'hiring', 'land', 'bogus' as 'land'),
    description: fc.constantFrom('a loan', ''),
    submittedBy: fc.constant('enterprise:x'),
    submittedAt: fc.constantFrom('2024-06-01T00:30:00Z', '2024-05-31T17:00:00Z'),
  }),
  { weight: 2, arbitrary: fc.record({ type: fc.constant('AcceptRequest' as const), requestId: fc.constant(requestId), owner: fc.constantFrom({ kind: 'instructor' as const, id: 'i-1', name: '李' }, { kind: 'service-group' as const, id: '', name: '' }), dueDate }) },
  { weight: 2, arbitrary: fc.constant({ type: 'StartWork' as const, requestId }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('ResolveRequest' as const), requestId: fc.constant(requestId), resolution: fc.constantFrom('done', '') }) },
  { weight: 2, arbitrary: fc.constant({ type: 'ConfirmResolution' as const, requestId }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('ReopenRequest' as const), requestId: fc.constant(requestId), reason: fc.constantFrom('not enough', '') }) },
);

const submit: ServiceRequestCommand = {
  type: 'SubmitRequest',
  requestId,
  district: '430104',
  creditCode: '91430104MA4L000001',
  category: 'financing',
  description: 'a loan',
  submittedBy: 'enterprise:x',
  submittedAt: '2024-06-01T00:30:00Z',
};
/** Most histories start with a valid submission, so the later commands get a request to act on. */
const histories = fc
  .tuple(fc.option(fc.constant(submit), { freq: 5 }), fc.array(command, { minLength: 1, maxLength: 60, size: 'medium' }))
  .map(([first, rest]) => (first ? [first, ...rest] : rest));

/** Which status may follow which: the lifecycle of docs/domain.md "Service requests", and nothing else. */
const NEXT: Record<RequestStatus | 'none', readonly RequestStatus[]> = {
  none: ['received'],
  received: ['accepted'],
  accepted: ['in_progress'],
  in_progress: ['resolved'],
  resolved: ['confirmed', 'reopened'],
  reopened: ['in_progress'],
  confirmed: [],
};

/** Runs commands as a service would: refused commands append nothing. */
const run = (commands: readonly ServiceRequestCommand[], check: (before: ServiceRequestState, after: ServiceRequestState, events: ServiceRequestEvent[]) => void) => {
  let state = serviceRequestDecider.initialState();
  for (const c of commands) {
    let events: ServiceRequestEvent[];
    try {
      events = serviceRequestDecider.decide(c, state);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      events = [];
    }
    const before = state;
    state = events.reduce(serviceRequestDecider.evolve, state);
    check(before, state, events);
  }
};

describe('service request properties', () => {
  it('only ever moves along the lifecycle, and a confirmed request never changes again', () => {
    fc.assert(
      fc.property(histories, (cs) =>
        run(cs, (before, after, events) => {
          expect(['none', ...REQUEST_STATUSES]).toContain(after.status);
          if (events.length > 0) expect(NEXT[before.status]).toContain(after.status);
          if (before.status === 'confirmed') {
            expect(events).toEqual([]);
            expect(after).toBe(before);
          }
          for (const e of events) {
            expect(e.data.district).toMatch(/^\d{6}$/);
            expect(e.data.creditCode).toBe('91430104MA4L000001');
          }
        }),
      ),
      { numRuns: 300 },
    );
  });

  it('never accepts a due date before the submission date', () => {
    fc.assert(
      fc.property(histories, (cs) =>
        run(cs, (before, _after, events) => {
          for (const e of events) if (e.type === 'RequestAccepted' && before.status !== 'none') expect(e.data.dueDate >= before.submittedOn).toBe(true);
        }),
      ),
      { numRuns: 300 },
    );
  });
});

describe('the command generator', () => {
  it('reaches every status, so the properties above are not vacuous', () => {
    const seen = new Set<string>();
    for (const cs of fc.sample(histories, { numRuns: 300, seed: 7 })) run(cs, (_b, after) => seen.add(after.status));
    expect([...seen].sort()).toEqual(['none', ...REQUEST_STATUSES].sort());
  });
});
