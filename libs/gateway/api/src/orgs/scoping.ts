import { BadRequestException, Param, type PipeTransform } from '@nestjs/common';
import { districtOfCreditCode, ID_MAX_LENGTH, isSafeId } from '@liangxin/contracts';

/**
 * The district of an organisation formed or proposed: the one given, else its first enterprise's; required without
 * enterprises. Only the gateway's first look: the formation service checks the enterprises' and the organisation's
 * districts as the record has them against the caller's scope.
 */
export function districtOfNewOrg(body: { district?: string; enterprises: string[] }): string {
  const district = body.district ?? (body.enterprises.length > 0 ? districtOfCreditCode(body.enterprises[0]) : undefined);
  if (!district)
    throw new BadRequestException({
      message: 'Name the district of an organisation without enterprises',
      details: [{ field: 'district', reason: 'name the district of an organisation without enterprises' }],
    });
  return district;
}

/** An organisation id from the path, checked for form and length before it is sent anywhere or written into the log. */
export class OrgIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isSafeId(value)) {
      const reason = `must be an organisation id: 1–${ID_MAX_LENGTH} letters, digits, or . _ : -`;
      throw new BadRequestException({ message: `id ${reason}`, details: [{ field: 'id', reason }] });
    }
    return value;
  }
}

export const OrgIdParam = () => Param('id', new OrgIdPipe());
