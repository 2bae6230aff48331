import type { ActorScope } from '@liangxin/contracts';
import { DomainError } from '@liangxin/event-sourcing';

/** The scope of the system's own workflows: they act wherever the event that caused them happened. */
export const SYSTEM_SCOPE: ActorScope = Object.freeze({ role: 'system', districts: 'all' });

export const mayActIn = (scope: ActorScope, district: string): boolean =>
  scope.districts === 'all' ? scope.role === 'admin' || scope.role === 'system' : scope.districts.includes(district);

/**
 * Tenancy decided by the record: `district` is the district of the record the command touches, as the
 * service loaded it, never as the caller wrote it. `field` names the input that pointed at the record.
 */
export function assertMayActIn(scope: ActorScope, district: string, field: string): void {
  if (!mayActIn(scope, district)) {
    throw new DomainError('OUTSIDE_YOUR_DISTRICTS', `${field} belongs to district ${district}, outside your districts`, field, 'forbidden');
  }
}
