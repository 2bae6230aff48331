import {
  CREDIT_CODE_ALPHABET,
  type CreditCodeProblem,
  creditCodeCheckCharacter,
  creditCodeProblem,
  districtOfCreditCode,
  type EnterpriseKind,
  isValidCreditCode,
} from '@liangxin/contracts';
import { DomainError } from '@liangxin/event-sourcing';

export { creditCodeCheckCharacter, creditCodeProblem, districtOfCreditCode, isValidCreditCode };

const problemText: Record<CreditCodeProblem, string> = {
  'not-a-string': 'is missing',
  'wrong-length': 'must have exactly 18 characters',
  'bad-character': 'may only use digits and the letters ABCDEFGHJKLMNPQRTUWXY (no I, O, S, V, Z)',
  'bad-division': 'must carry a 6-digit administrative division in characters 3 to 8',
  'bad-check-character': 'has a wrong check character (the 18th): please check it against the business licence',
};

/** Throws INVALID_CREDIT_CODE with an officer-readable message when the code is not a valid GB 32100 code. */
export const assertValidCreditCode = (code: unknown, field = 'creditCode'): string => {
  const problem = creditCodeProblem(code);
  if (problem) throw new DomainError('INVALID_CREDIT_CODE', `The unified social credit code ${JSON.stringify(code)} ${problemText[problem]}.`, field);
  return code as string;
};

/**
 * A valid code for tests and benchmarks: registration authority and kind (91 = enterprise registered with the
 * market regulator, 51 = social organisation registered with civil affairs), the district, then `serial` written
 * in base 31 as the 9-character organisation code, then the check character. Distinct serials give distinct codes.
 */
export const generateCreditCode = (district: string, serial: number, kind: EnterpriseKind = 'enterprise'): string => {
  if (!/^\d{6}$/.test(district)) throw new RangeError(`district must be 6 digits, got ${district}`);
  if (!Number.isSafeInteger(serial) || serial < 0 || serial >= 31 ** 9) throw new RangeError(`serial out of range: ${serial}`);
  let organisationCode = '';
  for (let rest = serial, i = 0; i < 9; i++, rest = Math.floor(rest / 31)) organisationCode = CREDIT_CODE_ALPHABET[rest % 31] + organisationCode;
  const first17 = (kind === 'enterprise' ? '91' : '51') + district + organisationCode;
  return first17 + creditCodeCheckCharacter(first17);
};
