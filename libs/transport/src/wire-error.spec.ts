import { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { DomainError } from '@liangxin/event-sourcing';
import { ConcurrencyError } from '@liangxin/event-store';
import { lastValueFrom } from 'rxjs';
import { describeError, INTERNAL_ERROR, RemoteCommandError, toRemoteCommandError, toWireError, WireErrorFilter } from './wire-error';

const filtered = (exception: unknown): Promise<unknown> =>
  lastValueFrom(new WireErrorFilter().catch(exception, {} as never)).catch((error: unknown) => error);

describe('toWireError', () => {
  it('keeps a DomainError code, field and kind', () => {
    expect(toWireError(new DomainError('BUDGET_EXCEEDED', 'Only 20 000 yuan left', 'amount', 'conflict'))).toEqual({
      code: 'BUDGET_EXCEEDED',
      message: 'Only 20 000 yuan left',
      field: 'amount',
      kind: 'conflict',
    });
  });

  it('makes a lost optimistic-concurrency race a conflict the officer can retry, without stream internals', () => {
    const wire = toWireError(new ConcurrencyError('org-1', 3, 4));
    expect(wire).toMatchObject({ code: 'CONCURRENCY_CONFLICT', kind: 'conflict' });
    expect(wire.message).toMatch(/reload/);
    expect(wire.message).not.toContain('org-1');
  });

  it('unwraps an RpcException carrying a WireError, or a code and message meant for the caller', () => {
    expect(toWireError(new RpcException({ code: 'X', message: 'y', kind: 'conflict' }))).toEqual({ code: 'X', message: 'y', kind: 'conflict' });
    expect(toWireError(new RpcException({ code: 'ORG_NOT_FOUND', message: 'No such organisation' }))).toEqual({
      code: 'ORG_NOT_FOUND',
      message: 'No such organisation',
      kind: 'invalid',
    });
  });

  it('shows the caller anything unforeseen only as a generic internal error', () => {
    expect(toWireError(new Error('database password is hunter2'))).toEqual(INTERNAL_ERROR);
    expect(toWireError('boom')).toEqual({ code: 'INTERNAL', message: 'Internal server error', kind: 'internal' });
    expect(toWireError(new RpcException('socket hang up'))).toEqual(INTERNAL_ERROR);
  });

  it('makes a database that cannot be reached a retryable 503, as the real PostgreSQL driver reports it', async () => {
    const { Client } = await import('pg');
    // nothing listens on port 1
    const refused = await new Client({ host: '127.0.0.1', port: 1, user: 'postgres', connectionTimeoutMillis: 2_000 }).connect().catch((error: unknown) => error);
    expect(toWireError(refused)).toMatchObject({ code: 'STORE_UNAVAILABLE', kind: 'unavailable' });
    // a server that ends the session (as on a restart): the administrator terminates our backend
    const victim = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    const admin = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await Promise.all([victim.connect(), admin.connect()]);
    victim.on('error', () => undefined);
    try {
      const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const terminated = await victim.query('SELECT 1').catch((error: unknown) => error);
      expect(toWireError(terminated)).toMatchObject({ code: 'STORE_UNAVAILABLE', kind: 'unavailable' });
      expect(toWireError(terminated).message).toMatch(/Idempotency-Key/);
    } finally {
      await Promise.allSettled([victim.end(), admin.end()]);
    }
  });
});

describe('RemoteCommandError', () => {
  it('is an RpcException whose getError() is the WireError, and round-trips through toWireError', () => {
    const wire = { code: 'C', message: 'm', field: 'f', kind: 'invalid' as const };
    const error = new RemoteCommandError(wire);
    expect(error).toBeInstanceOf(RpcException);
    expect(error.getError()).toEqual(wire);
    expect(error).toMatchObject({ code: 'C', message: 'm', field: 'f', kind: 'invalid' });
    expect(toWireError(error)).toEqual(wire);
  });

  it('is what a client makes of any failure', () => {
    expect(toRemoteCommandError(new Error('socket hang up')).getError()).toEqual(INTERNAL_ERROR);
    expect(toRemoteCommandError({ code: 'ORG_NOT_FOUND', message: 'No such organisation', kind: 'not_found' }).getError()).toEqual({
      code: 'ORG_NOT_FOUND',
      message: 'No such organisation',
      kind: 'not_found',
    });
  });
});

describe('WireErrorFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  it('sends a broken rule on as a WireError', async () => {
    await expect(filtered(new DomainError('CREDIT_CODE_INVALID', 'check character does not match', 'creditCode'))).resolves.toEqual({
      code: 'CREDIT_CODE_INVALID',
      message: 'check character does not match',
      field: 'creditCode',
      kind: 'invalid',
    });
  });

  it('rethrows anything else as it was, so dead letters record the real cause', async () => {
    const crash = new Error('disk full');
    await expect(filtered(crash)).resolves.toBe(crash);
    expect(describeError(await filtered(crash))).toContain('disk full');
  });
});

describe('describeError', () => {
  it('gives the real text of errors, wire errors and other values', () => {
    expect(describeError(new Error('disk full'))).toMatch(/^Error: disk full/);
    expect(describeError({ code: 'POISON', message: 'cannot apply e-2', field: 'data', kind: 'invalid' })).toBe('POISON (data): cannot apply e-2');
    expect(describeError('boom')).toBe('boom');
    expect(describeError({ a: 1 })).toBe('{"a":1}');
  });
});
