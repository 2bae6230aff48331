/**
 * The unified social credit code (统一社会信用代码, GB 32100-2015).
 * Lives in contracts so the gateway's DTO validation and every domain agree on one definition.
 */
export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
export const CREDIT_CODE_LENGTH = 18;

const valueOf = new Map<string, number>([...CREDIT_CODE_ALPHABET].map((c, i) => [c, i]));

/** The check character for the first 17 characters, or undefined when one of them is outside the alphabet. */
export const creditCodeCheckCharacter = (first17: string): string | undefined => {
  if (first17.length !== CREDIT_CODE_LENGTH - 1) return undefined;
  let sum = 0;
  for (let i = 0; i < first17.length; i++) {
    const value = valueOf.get(first17[i]);
    if (value === undefined) return undefined;
    sum += value * CREDIT_CODE_WEIGHTS[i];
  }
  const check = 31 - (sum % 31);
  return CREDIT_CODE_ALPHABET[check === 31 ? 0 : check];
};

export type CreditCodeProblem = 'not-a-string' | 'wrong-length' | 'bad-character' | 'bad-division' | 'bad-check-character';

/** Why a code is not valid, or undefined when it is. */
export const creditCodeProblem = (code: unknown): CreditCodeProblem | undefined => {
  if (typeof code !== 'string') return 'not-a-string';
  if (code.length !== CREDIT_CODE_LENGTH) return 'wrong-length';
  for (const c of code) if (!valueOf.has(c)) return 'bad-character';
  if (!/^\d{6}$/.test(code.slice(2, 8))) return 'bad-division';
  return creditCodeCheckCharacter(code.slice(0, 17)) === code[17] ? undefined : 'bad-check-character';
};

export const isValidCreditCode = (code: unknown): code is string => creditCodeProblem(code) === undefined;

/** Characters 3–8: the 6-digit administrative division, which is the district the enterprise belongs to. */
export const districtOfCreditCode = (code: string): string => code.slice(2, 8);
