import { RpcException } from '@nestjs/microservices';
import { DomainError } from '@liangxin/event-sourcing';
import { ConcurrencyError } from '@liangxin/event-store';
import { toCallerError, toRemoteErrorReply } from './rpc-errors';

describe('domain errors across the transport', () => {
  it('a DomainError becomes { error: { code, message, field, kind } }', () => {
    expect(toRemoteErrorReply(new DomainError('BUDGET_EXCEEDED', 'Only 20 000 yuan left', 'amount', 'conflict'))).toEqual({
      error: { code: 'BUDGET_EXCEEDED', message: 'Only 20 000 yuan left', field: 'amount', kind: 'conflict' },
    });
  });

  it('a lost optimistic-concurrency race is a conflict the caller can retry', () => {
    expect(toRemoteErrorReply(new ConcurrencyError('org-1', 3, 4))).toMatchObject({ error: { code: 'CONCURRENCY_CONFLICT', kind: 'conflict' } });
  });

  it('anything else is not a reply, and reaches a caller only as a generic internal error', () => {
    expect(toRemoteErrorReply(new Error('socket hang up'))).toBeUndefined();
    expect(toCallerError(new Error('socket hang up')).getError()).toEqual({ code: 'INTERNAL', message: 'Internal server error' });
  });

  it('the caller gets an RpcException carrying the error body itself', () => {
    const error = toCallerError({ error: { code: 'ORG_NOT_FOUND', message: 'No such organisation', kind: 'not_found' } });
    expect(error).toBeInstanceOf(RpcException);
    expect(error.getError()).toEqual({ code: 'ORG_NOT_FOUND', message: 'No such organisation', kind: 'not_found' });
  });
});
