import { ForbiddenException } from '@nestjs/common';
import type { ActorScope } from '@liangxin/contracts';

export type Role = 'admin' | 'officer' | 'auditor' | 'enterprise';
export const ROLES: readonly Role[] = ['admin', 'officer', 'auditor', 'enterprise'];

/** Who is calling, as the token says. */
export interface Principal {
  subject: string;
  role: Role;
  /** districts an officer acts in and an auditor reads; absent or empty for anyone but an admin means none */
  districts?: string[];
  /** the enterprise an enterprise user is */
  creditCode?: string;
}

/** District tenancy: an officer or auditor sees only its districts; a token naming none (issued before districts were required) sees nothing. */
export function canSeeDistrict(principal: Principal, district: string): boolean {
  if (principal.role === 'admin') return true;
  if (principal.role === 'enterprise') return false;
  return (principal.districts ?? []).includes(district);
}

export function assertDistrict(principal: Principal, district: string): void {
  if (!canSeeDistrict(principal, district)) {
    throw new ForbiddenException({ message: `You have no access to district ${district}`, details: [{ field: 'district', reason: 'outside your districts' }] });
  }
}

/** An enterprise user sees only its own record; others by district. */
export function assertEnterpriseAccess(principal: Principal, creditCode: string, district: string): void {
  if (principal.role === 'enterprise') {
    if (principal.creditCode !== creditCode) {
      throw new ForbiddenException({ message: 'An enterprise account can see only its own record', details: [{ field: 'creditCode', reason: 'not your enterprise' }] });
    }
    return;
  }
  assertDistrict(principal, district);
}

export const actorOf = (principal: Principal): string => `${principal.role}:${principal.subject}`;

/** What the services check a command's targets against: an admin acts everywhere, anyone else only in the token's districts. */
export const scopeOf = (principal: Principal): ActorScope =>
  principal.role === 'admin'
    ? { role: 'admin', districts: 'all' }
    : { role: principal.role, districts: principal.districts ?? [], ...(principal.creditCode ? { creditCode: principal.creditCode } : {}) };
