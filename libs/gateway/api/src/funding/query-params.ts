import { BadRequestException } from '@nestjs/common';
import { isDivisionCode } from '@liangxin/contracts';

export function parseDistrictParam(value: string | undefined, field = 'district'): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isDivisionCode(value)) throw new BadRequestException({ message: `${field} must be a 6-digit division code below province level`, details: [{ field, reason: 'must be a division code such as 430104' }] });
  return value;
}

export function parseYearParam(value: string | undefined, field = 'year'): number | undefined {
  if (value === undefined || value === '') return undefined;
  const year = Number(value);
  if (!/^\d{4}$/.test(value) || year < 2000 || year > 2100) throw new BadRequestException({ message: `${field} must be a year between 2000 and 2100`, details: [{ field, reason: 'not a year, e.g. 2024' }] });
  return year;
}
