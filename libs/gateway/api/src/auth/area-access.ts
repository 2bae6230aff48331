import { ForbiddenException } from '@nestjs/common';
import { ENTERPRISE_STATUS, type EnterpriseStatus, type ReadModelStore } from '@liangxin/read-models';
import { canSeeDistrict, type Principal } from './principal';

/** Ledger fields that group enterprises across districts (a park, an industry chain, a building, an ownership). */
export type CrossDistrictArea = 'park' | 'industryChain' | 'building' | 'ownership';

/**
 * Figures of an area that spans districts are the sum of every district's enterprises in it: a caller bound to
 * districts reads them only when every enterprise of the area is in its districts, or it would learn another
 * district's figures. An admin reads any.
 */
export async function assertSeesWholeArea(readModels: ReadModelStore, principal: Principal, area: CrossDistrictArea, key: string, field = 'key'): Promise<void> {
  if (principal.role === 'admin') return;
  const enterprises = await readModels.find<EnterpriseStatus>(ENTERPRISE_STATUS, { [area]: key });
  const outside = [...new Set(enterprises.map((d) => d.body.district).filter((district) => !canSeeDistrict(principal, district)))].sort();
  if (principal.role === 'enterprise' || outside.length > 0) {
    throw new ForbiddenException({
      message: `${key} has enterprises in districts outside yours (${outside.join(', ') || 'any'}): add ?district= with your district for its share, or ask an admin for the whole area`,
      details: [{ field, reason: 'the area spans districts outside yours' }],
    });
  }
}
