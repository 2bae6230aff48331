import { commandSubject, deadLetterSubject, eventSubject } from './subjects';

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
