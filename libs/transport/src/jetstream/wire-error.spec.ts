import { RpcException } from '@nestjs/microservices';
import { DomainError } from '@liangxin/event-sourcing';
import { commandSubject, deadLetterSubject, eventSubject } from './subjects';
import { RemoteCommandError, toWireError } from './wire-error';

describe('subjects', () => {
  it('names events by source and type, dead letters by consumer, commands by pattern', () => {
    expect(eventSubject('registry', 'EnterpriseRegistered')).toBe('liangxin.events.registry.EnterpriseRegistered');
    expect(deadLetterSubject('formation')).toBe('liangxin.dead-letters.formation');
    expect(commandSubject('registry.register')).toBe('liangxin.cmd.registry.register');
  });

  it('refuses names that would change the subject tree', () => {
    expect(() => eventSubject('registry', 'a.b')).toThrow(/subject token/);
    expect(() => eventSubject('reg*', 'X')).toThrow(/subject token/);
    expect(() => commandSubject('{"cmd":"x"}')).toThrow(/cannot be a NATS subject/);
  });
});

describe('toWireError', () => {
  it('keeps a DomainError code, field and kind', () => {
    expect(toWireError(new DomainError('NOT_FOUND', 'no such enterprise', 'creditCode', 'not_found'))).toEqual({
      code: 'NOT_FOUND',
      message: 'no such enterprise',
      field: 'creditCode',
      kind: 'not_found',
    });
  });

  it('unwraps an RpcException and reports anything else as internal', () => {
    expect(toWireError(new RpcException({ code: 'X', message: 'y', kind: 'conflict' }))).toEqual({ code: 'X', message: 'y', kind: 'conflict' });
    expect(toWireError(new Error('disk full'))).toEqual({ code: 'INTERNAL', message: 'disk full', kind: 'internal' });
    expect(toWireError('boom')).toEqual({ code: 'INTERNAL', message: 'boom', kind: 'internal' });
  });

  it('round-trips through RemoteCommandError', () => {
    const wire = { code: 'C', message: 'm', field: 'f', kind: 'invalid' as const };
    const error = new RemoteCommandError(wire);
    expect(error).toBeInstanceOf(RpcException);
    expect(toWireError(error)).toEqual(wire);
  });
});
