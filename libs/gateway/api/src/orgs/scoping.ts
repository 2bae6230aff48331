import { BadRequestException } from '@nestjs/common';
import { districtOfCreditCode } from '@liangxin/contracts';
import type { Principal } from '../auth/principal';

/**
 * The districts the caller may act in travel with a formation command: the formation service checks the
 * organisation's district against them (it knows the district; the read side may lag). Admins act everywhere.
 */
export const scopedToCaller = <T extends object>(payload: T, principal: Principal): T | (T & { actingInDistricts: string[] }) =>
  principal.role === 'admin' || !principal.districts ? payload : { ...payload, actingInDistricts: principal.districts };

/** The district of an organisation formed or proposed: the one given, else its first enterprise's; required without enterprises. */
export function districtOfNewOrg(body: { district?: string; enterprises: string[] }): string {
  const district = body.district ?? (body.enterprises.length > 0 ? districtOfCreditCode(body.enterprises[0]) : undefined);
  if (!district)
    throw new BadRequestException({
      message: 'Name the district of an organisation without enterprises',
      details: [{ field: 'district', reason: 'name the district of an organisation without enterprises' }],
    });
  return district;
}
