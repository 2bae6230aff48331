import { AdminError } from './admin-error';
import { parseInstant } from './instant';

describe('parseInstant', () => {
  it('takes a date-time as written, in the store\'s UTC format', () => {
    expect(parseInstant('2024-06-30T18:00:00+08:00')).toBe('2024-06-30T10:00:00.000Z');
    expect(parseInstant('2024-06-30T10:00Z')).toBe('2024-06-30T10:00:00.000Z');
  });

  it('reads a bare date as the end of that day on this machine\'s clock', () => {
    const endOfDay = new Date(parseInstant('2024-06-30'));
    expect([endOfDay.getFullYear(), endOfDay.getMonth(), endOfDay.getDate(), endOfDay.getHours(), endOfDay.getMinutes()]).toEqual([2024, 5, 30, 23, 59]);
  });

  it.each(['yesterday', '30/06/2024', '2024-13-01', '2024-06-30 18:00'])('refuses %s with a message saying what to write', (text) => {
    expect(() => parseInstant(text)).toThrow(AdminError);
    expect(() => parseInstant(text)).toThrow(/ISO date such as 2024-06-30/);
  });
});
