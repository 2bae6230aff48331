import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ChangeMemberCountDto, RegisterEnterpriseDto } from './commands';
import { creditCodeProblem, districtOfCreditCode, isValidCreditCode } from './credit-code';
import { enterpriseStreamId } from './streams';

describe('unified social credit code (GB 32100)', () => {
  it('accepts the reference code and rejects a wrong check character', () => {
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true);
    expect(creditCodeProblem('91350100M000100Y44')).toBe('bad-check-character');
  });

  it('names what is wrong with a malformed code', () => {
    expect(creditCodeProblem('91350100M000100Y4')).toBe('wrong-length');
    expect(creditCodeProblem('91350100M000100I43')).toBe('bad-character');
    expect(creditCodeProblem('9135A100M000100Y43')).toBe('bad-division');
    expect(creditCodeProblem(42)).toBe('not-a-string');
  });

  it('reads the district from characters 3–8 and names the stream after the code', () => {
    expect(districtOfCreditCode('91350100M000100Y43')).toBe('350100');
    expect(enterpriseStreamId('91350100M000100Y43')).toBe('enterprise-91350100M000100Y43');
  });
});

describe('registry DTOs', () => {
  const valid = { creditCode: '91350100M000100Y43', name: 'Acme', kind: 'enterprise', employees: 60, fullMembers: 3, probationaryMembers: 1 };

  it('accepts a complete registration', () => {
    expect(validateSync(plainToInstance(RegisterEnterpriseDto, valid))).toEqual([]);
  });

  it('rejects an invalid credit code, negative and fractional counts', () => {
    const errors = validateSync(plainToInstance(RegisterEnterpriseDto, { ...valid, creditCode: '91350100M000100Y44', fullMembers: -1, employees: 2.5 }));
    expect(errors.map((e) => e.property).sort()).toEqual(['creditCode', 'employees', 'fullMembers']);
  });

  it('rejects a member change without a known reason', () => {
    const errors = validateSync(plainToInstance(ChangeMemberCountDto, { fullMembers: 1, probationaryMembers: 0, reason: 'promotion' }));
    expect(errors.map((e) => e.property)).toEqual(['reason']);
  });
});
