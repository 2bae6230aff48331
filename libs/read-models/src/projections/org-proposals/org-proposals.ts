import type { OrgEnterprise, OrgProposalRejected, OrgProposed, RecordedEvent } from '@liangxin/contracts';
import { evolveDocument, type Projection } from '../../projection';

/** A proposal to form an organisation and what became of it (docs/domain.md, "Officers' decisions on organisations": proposed → approved/formed). */
export interface OrgProposalView {
  orgId: string;
  district: string;
  name: string;
  mode: string;
  /** only for an upper-level organisation over other organisations */
  level: string | null;
  /** as counted at the proposal (the approval counts them again) */
  enterprises: OrgEnterprise[];
  parentOrgId: string | null;
  publicUnit: boolean;
  proposedBy: string;
  proposedAt: string;
  note: string | null;
  status: 'pending' | 'approved' | 'rejected';
  decidedBy: string | null;
  decidedAt: string | null;
  rejectionReason: string | null;
  /** whole days from proposal to decision: Changsha brought approval under three days from weeks (docs/domain.md, rule 1) */
  daysToDecision: number | null;
}

export const ORG_PROPOSALS = 'org-proposals';
export const ORG_PROPOSAL_EVENT_TYPES: ReadonlySet<string> = new Set(['OrgProposed', 'OrgProposalRejected', 'OrgFormed']);

const DAY_MS = 86_400_000;
const daysBetween = (from: string, to: string) => Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / DAY_MS));

/** Pure: the proposal after one event; an OrgFormed without a proposal before it (automatic formation, or by hand) is not one. */
export function evolveOrgProposal(proposal: OrgProposalView | undefined, event: RecordedEvent): OrgProposalView | undefined {
  if (event.type === 'OrgProposed') {
    const d = event.data as OrgProposed['data'];
    return {
      orgId: d.orgId,
      district: d.district,
      name: d.name,
      mode: d.mode,
      level: d.level ?? null,
      enterprises: d.enterprises,
      parentOrgId: d.parentOrgId ?? null,
      publicUnit: d.publicUnit ?? false,
      proposedBy: d.proposedBy,
      proposedAt: event.occurredAt,
      note: d.note ?? null,
      status: 'pending',
      decidedBy: null,
      decidedAt: null,
      rejectionReason: null,
      daysToDecision: null,
    };
  }
  if (!proposal || proposal.status !== 'pending') return undefined;
  const decided = { decidedAt: event.occurredAt, daysToDecision: daysBetween(proposal.proposedAt, event.occurredAt) };
  if (event.type === 'OrgProposalRejected') {
    const d = event.data as OrgProposalRejected['data'];
    return { ...proposal, ...decided, status: 'rejected', decidedBy: d.rejectedBy, rejectionReason: d.reason };
  }
  if (event.type === 'OrgFormed') return { ...proposal, ...decided, status: 'approved', decidedBy: event.metadata.actor };
  return undefined;
}

export const orgProposalsProjection: Projection = {
  name: 'org-proposals',
  collections: [ORG_PROPOSALS],
  queriedBy: { [ORG_PROPOSALS]: ['district'] },
  eventTypes: ORG_PROPOSAL_EVENT_TYPES,
  async apply(event, context) {
    const { orgId } = event.data as { orgId?: string };
    if (orgId) await evolveDocument(context, ORG_PROPOSALS, orgId, event, evolveOrgProposal);
  },
};
