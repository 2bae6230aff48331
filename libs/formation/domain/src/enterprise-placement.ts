import type { EnterprisePlacementClaimed, Event } from '@liangxin/contracts';
import { type Decider, DomainError } from '@liangxin/event-sourcing';
import { formationEvent } from './events';

/** The latest claim recorded on the enterprise's placement stream, and how many claims it has seen. */
export type PlacementClaimState = { claims: number; latest?: { claimedFor: string; orgVersion: number } };

/**
 * Where the enterprise is as the service read it just before deciding: the organisation of the latest claim (or, for
 * an enterprise placed before claims existed, the organisation the log says holds it) and whether that organisation
 * still holds it or its placement is still under way. `claimsSeen` says how many claims that reading covered: a claim
 * recorded since (another instance won the race) is taken as holding the enterprise.
 */
export type PlacementHolder = { orgId: string; holds: boolean };

export type ClaimEnterprise = {
  type: 'ClaimEnterprise';
  data: {
    creditCode: string;
    district: string;
    orgId: string;
    /** the version of `org-<orgId>` the placement will be appended at (-1: the organisation is being formed) */
    orgVersion: number;
    automatic: boolean;
    policyVersion?: string;
    claimsSeen: number;
    holder?: PlacementHolder;
    /** the organisation giving the enterprise up in the same command (a merge) */
    from?: string;
    /** where the officer named the enterprise (`enterprises[i]`, `creditCode`) */
    field?: string;
  };
};

/**
 * "An enterprise is in at most one organisation", decided once for officers and rules alike: a claim is refused while
 * another organisation holds the enterprise or is placing it. Claiming it again for the same organisation at the same
 * version changes nothing (a retried command).
 */
export const claimEnterprise = ({ data }: ClaimEnterprise, state: PlacementClaimState): EnterprisePlacementClaimed[] => {
  const latest = state.latest;
  if (latest && latest.claimedFor === data.orgId && latest.orgVersion === data.orgVersion) return [];
  const stale = state.claims !== data.claimsSeen;
  const holder = stale && latest ? { orgId: latest.claimedFor, holds: true } : data.holder;
  if (holder?.holds && holder.orgId === data.orgId && !stale) return [];
  if (holder?.holds && holder.orgId !== data.orgId && holder.orgId !== data.from)
    throw new DomainError('ENTERPRISE_IN_ANOTHER_ORG', `Enterprise ${data.creditCode} already belongs to organisation ${holder.orgId}; remove it there first.`, data.field ?? 'creditCode', 'conflict');
  return [
    formationEvent<EnterprisePlacementClaimed>('EnterprisePlacementClaimed', {
      creditCode: data.creditCode,
      district: data.district,
      claimedFor: data.orgId,
      orgVersion: data.orgVersion,
      automatic: data.automatic,
      ...(data.policyVersion && { policyVersion: data.policyVersion }),
    }),
  ];
};

/** Whether a claim still holds, given the claimed organisation's stream as read now. */
export const claimHolds = (claim: { orgVersion: number }, org: { version: number; holdsEnterprise: boolean }): boolean =>
  org.holdsEnterprise || org.version === claim.orgVersion;

/** The placement stream's decider; the stream also carries the coverage events, which do not change placement. */
export const placementClaimDecider: Decider<ClaimEnterprise, PlacementClaimState, Event> = {
  decide: claimEnterprise,
  evolve: (state, event) => {
    if (event.type !== 'EnterprisePlacementClaimed') return state;
    const d = (event as EnterprisePlacementClaimed).data;
    return { claims: state.claims + 1, latest: { claimedFor: d.claimedFor, orgVersion: d.orgVersion } };
  },
  initialState: () => ({ claims: 0 }),
};
