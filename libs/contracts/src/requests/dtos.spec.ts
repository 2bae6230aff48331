import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { AcceptRequestDto, ReopenRequestDto, ResolveRequestDto, SubmitRequestDto } from './dtos';
import { isServiceRequestEvent, SERVICE_REQUEST_EVENT_TYPES, SERVICE_REQUEST_SCHEMA_VERSIONS, STATUS_AFTER } from './events';
import { parseServiceRequestStreamId, serviceRequestStreamId } from './streams';

const fields = (errors: ValidationError[], parent = ''): string[] =>
  errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    return [...(e.constraints ? [field] : []), ...fields(e.children ?? [], field)];
  });
const errorsOf = <T extends object>(type: new () => T, body: object) => fields(validateSync(plainToInstance(type, body), { whitelist: true, forbidNonWhitelisted: true }));

describe('service request DTOs', () => {
  it('accept a submission with a valid credit code and a known category', () => {
    const body = { creditCode: '91350100M000100Y43', category: 'financing', description: 'a loan for new equipment' };
    expect(errorsOf(SubmitRequestDto, body)).toEqual([]);
    expect(errorsOf(SubmitRequestDto, { ...body, creditCode: '91350100M000100Y44' })).toEqual(['creditCode']);
    expect(errorsOf(SubmitRequestDto, { ...body, category: 'parking' })).toEqual(['category']);
    expect(errorsOf(SubmitRequestDto, { ...body, description: '' })).toEqual(['description']);
  });

  it('want an owner and a calendar due date to accept', () => {
    const body = { owner: { kind: 'instructor', id: 'inst-1', name: '李指导员' }, dueDate: '2024-06-30' };
    expect(errorsOf(AcceptRequestDto, body)).toEqual([]);
    expect(errorsOf(AcceptRequestDto, { ...body, dueDate: 'next week' })).toEqual(['dueDate']);
    expect(errorsOf(AcceptRequestDto, { ...body, dueDate: '2024-02-30' })).toEqual(['dueDate']);
    expect(errorsOf(AcceptRequestDto, { ...body, owner: { ...body.owner, kind: 'committee' } })).toEqual(['owner.kind']);
    expect(errorsOf(AcceptRequestDto, { dueDate: body.dueDate })).toEqual(['owner']);
  });

  it('want a resolution and a reason to reopen', () => {
    expect(errorsOf(ResolveRequestDto, {})).toEqual(['resolution']);
    expect(errorsOf(ReopenRequestDto, { reason: '' })).toEqual(['reason']);
  });
});

describe('service request streams and events', () => {
  it('name one stream per request, and read it back', () => {
    expect(serviceRequestStreamId('req-1')).toBe('service-request-req-1');
    expect(parseServiceRequestStreamId('service-request-req-1')).toBe('req-1');
    expect(parseServiceRequestStreamId('funding-budget-430104-2024')).toBeUndefined();
  });

  it('recognise service request events and nothing else', () => {
    expect(isServiceRequestEvent({ type: 'RequestReopened' })).toBe(true);
    expect(isServiceRequestEvent({ type: 'OrgFormed' })).toBe(false);
    expect(Object.keys(SERVICE_REQUEST_SCHEMA_VERSIONS).sort()).toEqual([...SERVICE_REQUEST_EVENT_TYPES].sort());
    expect(Object.keys(STATUS_AFTER).sort()).toEqual([...SERVICE_REQUEST_EVENT_TYPES].sort());
  });
});
