import { BadRequestException, Param, type PipeTransform } from '@nestjs/common';
import { type CreditCodeProblem, creditCodeProblem } from '@liangxin/contracts';

const explanation: Record<CreditCodeProblem, string> = {
  'not-a-string': 'must be the 18-character unified social credit code',
  'wrong-length': 'must be exactly 18 characters long',
  'bad-character': 'may contain only 0-9 and the capital letters A-H, J-N, P-R, T, U, W-Y',
  'bad-division': 'characters 3 to 8 must be the 6-digit administrative division',
  'bad-check-character': 'the check character (the 18th) does not match: the code has a typo',
};

/** A path's credit code, checked (length, alphabet, check character) before anything is looked up or sent. */
export class CreditCodePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const code = String(value ?? '').toUpperCase();
    const problem = creditCodeProblem(code);
    if (problem) throw new BadRequestException({ message: `code ${explanation[problem]}`, details: [{ field: 'code', reason: explanation[problem] }] });
    return code;
  }
}

export const CreditCodeParam = () => Param('code', new CreditCodePipe());
