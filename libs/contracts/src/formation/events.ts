import type { Event } from '../event';
import type { Upcaster } from '../upcasting';

/** The twelve formation modes of Changsha plus Zhuzhou's area-unified (docs/domain.md, "Officers' decisions on organisations"). */
export type FormationMode =
  | 'standalone' // 单独组建
  | 'joint' // 联合组建
  | 'industry-chain-joint' // 链上联建
  | 'leading-enterprise-led' // 龙头领建
  | 'branch-led' // 支部带建
  | 'platform-unified' // 平台统建
  | 'building-shared' // 楼宇共建
  | 'area-combined' // 区域合建
  | 'archive-custody' // 托档管建
  | 'dispatched-staff' // 派员帮建
  | 'mass-organisation-promoted' // 群团促建
  | 'backstop' // 兜底承建
  | 'area-unified'; // 区域统建
export const FORMATION_MODES: readonly FormationMode[] = [
  'standalone',
  'joint',
  'industry-chain-joint',
  'leading-enterprise-led',
  'branch-led',
  'platform-unified',
  'building-shared',
  'area-combined',
  'archive-custody',
  'dispatched-staff',
  'mass-organisation-promoted',
  'backstop',
  'area-unified',
];

/** 党支部 / 党总支 / 基层党委 */
export type OrgLevel = 'branch' | 'general-branch' | 'primary-committee';
export const ORG_LEVELS: readonly OrgLevel[] = ['branch', 'general-branch', 'primary-committee'];

/** Why an enterprise has no party organisation of its own (七个清: 未建原因), as the system records it. */
export type NoOrganisationReason =
  | 'no-party-members'
  | 'awaiting-joint-branch' // members, but fewer than 3 full and no group yet holds 3 full members
  | 'operation-abnormal'
  | 'officer-decision';
export const NO_ORGANISATION_REASONS: readonly NoOrganisationReason[] = ['no-party-members', 'awaiting-joint-branch', 'operation-abnormal', 'officer-decision'];

export type LeaveReason =
  | 'reached-standalone-threshold' // moved to its own standalone branch (rule 4)
  | 'no-party-members'
  | 'operation-abnormal'
  | 'deregistered'
  | 'regrouped'
  | 'officer-decision';

export type DissolutionReason =
  | 'below-minimum-full-members' // a standalone or joint branch fell below 3 full members and could not be topped up or merged
  | 'no-member-enterprises'
  | 'operation-abnormal'
  | 'deregistered'
  | 'merged' // absorbed by another organisation: see OrgsMerged on the surviving one
  | 'officer-decision';

/** Who decided: an automatic rule (with the policy version in force) or an officer. */
export type Decision = {
  automatic: boolean;
  /** FormationPolicy.version for automatic decisions */
  policyVersion?: string;
};

/** An enterprise as counted inside an organisation. */
export type OrgEnterprise = { creditCode: string; fullMembers: number; probationaryMembers: number };

export type Person = { personId: string; name: string };

export type OrgRef = { orgId: string; district: string };

export type OrgFormed = Event<
  'OrgFormed',
  OrgRef &
    Decision & {
      name: string;
      mode: FormationMode;
      level: OrgLevel;
      /** 0 when no branch committee is needed (fewer than 7 full members), otherwise odd, 3–5 */
      committeeSize: number;
      enterprises: OrgEnterprise[];
      fullMembers: number;
      probationaryMembers: number;
      parentOrgId?: string;
      /** an organisation of a public unit (for 结对共建 pairing) rather than of a two-new organisation */
      publicUnit?: boolean;
      /**
       * an upper-level organisation an officer formed over other organisations (产业链党委, 两新综合党委, a platform's
       * 党总支): no enterprises of its own, its level is the officer's and not recomputed from members (rule 6)
       */
      umbrella?: boolean;
      /**
       * the enterprise's earlier standalone branch, dissolved, that this one is formed again in place of: it keeps that
       * one's parent, secretary, instructor and pairings (recorded by the events that follow in its stream), and the
       * ratings and subsidies of the lineage are read through this link
       */
      reformedFrom?: string;
    }
>;

/**
 * The lifecycle's first step (proposed → approved/formed, docs/domain.md): an officer applies for an organisation to be
 * formed, by hand in one of the modes, and another officer approves it (批复) — the approval is the OrgFormed that
 * follows in the same stream — or rejects it. Automatic formation at registration is approved at once (docs/domain.md, rule 1) and has
 * no proposal. `enterprises` are counted as at the proposal; the approval counts them again.
 */
export type OrgProposed = Event<
  'OrgProposed',
  OrgRef & {
    name: string;
    mode: FormationMode;
    /** only for an upper-level organisation over other organisations (see OrgFormed.umbrella) */
    level?: OrgLevel;
    enterprises: OrgEnterprise[];
    parentOrgId?: string;
    publicUnit?: boolean;
    /** the actor who proposed it: the approval must come from someone else */
    proposedBy: string;
    note?: string;
  }
>;

/** A proposal turned down, with the reason given to the proposer. */
export type OrgProposalRejected = Event<'OrgProposalRejected', OrgRef & { reason: string; rejectedBy: string }>;

export type EnterpriseJoinedOrg = Event<
  'EnterpriseJoinedOrg',
  OrgRef & Decision & OrgEnterprise & { fullMembersTotal: number; probationaryMembersTotal: number; enterpriseCount: number }
>;

export type EnterpriseLeftOrg = Event<
  'EnterpriseLeftOrg',
  OrgRef & Decision & { creditCode: string; reason: LeaveReason; fullMembersTotal: number; probationaryMembersTotal: number; enterpriseCount: number }
>;

/** A member enterprise's party-member counts changed (from the registry); the organisation's totals follow. */
export type OrgMembersRecounted = Event<
  'OrgMembersRecounted',
  OrgRef & OrgEnterprise & { fullMembersTotal: number; probationaryMembersTotal: number }
>;

/** Appended to the surviving organisation; the absorbed one gets OrgDissolved with reason 'merged'. */
export type OrgsMerged = Event<
  'OrgsMerged',
  OrgRef &
    Decision & {
      mergedOrgId: string;
      /** enterprises that moved from the merged organisation into this one */
      enterprises: OrgEnterprise[];
      fullMembersTotal: number;
      probationaryMembersTotal: number;
      enterpriseCount: number;
      reason: string;
    }
>;

export type OrgDissolved = Event<
  'OrgDissolved',
  OrgRef &
    Decision & {
      reason: DissolutionReason;
      /** credit codes that no longer belong to any organisation through this one */
      enterprisesReleased: string[];
      mergedInto?: string;
      note?: string;
    }
>;

/**
 * Rule 4 with a brake: the only enterprise of an organisation turned abnormal. The organisation is not dissolved by
 * the rule; it keeps its enterprise, people, parent and pairings, and waits for an officer to confirm the dissolution
 * (not before `confirmableFrom`, the policy's grace period after the status change). A return to normal before that
 * cancels it (OrgDissolutionCancelled), so a status flip changes nothing of the organisation.
 */
export type OrgDissolutionPending = Event<
  'OrgDissolutionPending',
  OrgRef &
    Decision & {
      /** the enterprise whose operation became abnormal */
      creditCode: string;
      reason: 'operation-abnormal';
      /** when the status changed (the registry event's occurredAt) */
      since?: string;
      /** the earliest an officer may confirm: `since` plus the policy's grace period */
      confirmableFrom?: string;
    }
>;

/** A pending dissolution withdrawn: the enterprise is back to normal operation (or the organisation was dissolved otherwise). */
export type OrgDissolutionCancelled = Event<'OrgDissolutionCancelled', OrgRef & Decision & { creditCode: string; reason: 'returned-to-normal' }>;

export type OrgLevelChanged = Event<
  'OrgLevelChanged',
  OrgRef &
    Decision & {
      level: OrgLevel;
      previousLevel: OrgLevel;
      committeeSize: number;
      previousCommitteeSize: number;
      fullMembers: number;
      probationaryMembers: number;
    }
>;

/**
 * The organisation tree: an officer placed the organisation under another (`parentOrgId`) or detached it (null), or,
 * automatically (reason 'parent-dissolved'), it moved up when the organisation above it was dissolved or merged away, or
 * (reason 'concurrent-placement-cycle') an officer's move that closed a cycle with another officer's move of the same instant was undone.
 * Schema version 2; version 1 is upcast on read (see FORMATION_UPCASTERS).
 */
export type OrgParentChanged = Event<
  'OrgParentChanged',
  OrgRef & Decision & { parentOrgId: string | null; previousParentOrgId: string | null; reason: string }
>;

/**
 * OrgParentChanged version 1, as stored before automatic moves existed: no `automatic`, because every move was an
 * officer's. (Later version-1 events may carry `automatic`/`policyVersion`: those were written before the bump.)
 */
export type OrgParentChangedV1Data = OrgRef & Partial<Decision> & { parentOrgId: string | null; previousParentOrgId: string | null; reason: string };

/** Reasons of an OrgParentChanged the formation rules append, not an officer. */
export const PARENT_DISSOLVED = 'parent-dissolved';
export const CONCURRENT_PLACEMENT_CYCLE = 'concurrent-placement-cycle';

export type SecretaryAssigned = Event<'SecretaryAssigned', OrgRef & { secretary: Person }>;
export type SecretaryReplaced = Event<'SecretaryReplaced', OrgRef & { secretary: Person; previous: Person; reason: string }>;
export type InstructorAssigned = Event<'InstructorAssigned', OrgRef & { instructor: Person }>;
export type InstructorReplaced = Event<'InstructorReplaced', OrgRef & { instructor: Person; previous: Person; reason: string }>;

/** 结对共建: an organisation of a public unit paired with one of a private unit. Appended to the private unit's organisation. */
export type OrgsPaired = Event<'OrgsPaired', OrgRef & { publicUnitOrgId: string; publicUnitName: string; pairedOn?: string }>;

/**
 * Work coverage (工作覆盖): an instructor (enterprises with members) or liaison cadre (挂点干部, no members) is assigned.
 * DOMAIN.md: work coverage means a named person is assigned. The automatic rules append this only to keep the person
 * already assigned while the reason changes; an enterprise nobody covers gets WorkCoverageNeeded instead. Events
 * recorded before WorkCoverageNeeded existed may lack `assignee`: those meant the same "needed", not covered.
 */
export type WorkCoverageAssigned = Event<
  'WorkCoverageAssigned',
  Decision & {
    creditCode: string;
    district: string;
    coveredBy: 'instructor' | 'liaison';
    assignee?: Person;
    /** the person who covered it until this assignment, when an officer replaces them */
    previousAssignee?: Person;
    reason: NoOrganisationReason;
    /** rule 5: 50+ employees with members, so work coverage alone is not enough */
    mustBeOrganisationallyCovered: boolean;
  }
>;

/**
 * An enterprise with no organisation that nobody covers yet: the reason it has none (七个清), and who should be named
 * (an instructor when it has members, a liaison cadre when it has none). It is *not* work-covered until an officer
 * assigns a person (WorkCoverageAssigned with `assignee`). Appended by the automatic rules where they used to append
 * a WorkCoverageAssigned without anyone in it.
 */
export type WorkCoverageNeeded = Event<
  'WorkCoverageNeeded',
  Decision & {
    creditCode: string;
    district: string;
    coveredBy: 'instructor' | 'liaison';
    reason: NoOrganisationReason;
    /** rule 5: 50+ employees with members, so work coverage alone would not be enough */
    mustBeOrganisationallyCovered: boolean;
  }
>;

/** Members but fewer than 3 full: waits (with work coverage) until a joint group reaches 3 full members. */
export type EnterpriseAwaitingJointBranch = Event<
  'EnterpriseAwaitingJointBranch',
  Decision & {
    creditCode: string;
    district: string;
    fullMembers: number;
    probationaryMembers: number;
    reason: string;
    mustBeOrganisationallyCovered: boolean;
  }
>;

/** The enterprise no longer needs coverage from formation (deregistered). */
export type EnterpriseCoverageEnded = Event<'EnterpriseCoverageEnded', Decision & { creditCode: string; district: string; reason: 'deregistered' }>;

/**
 * The enterprise placement stream (`formation-enterprise-<code>`) decides "an enterprise is in at most one organisation":
 * whoever places it (an officer or the rules, on any instance) first claims it here with optimistic concurrency, naming
 * the organisation and the version of its stream the placement will be appended at. The claim holds while that
 * organisation holds the enterprise, or while its stream is still at `orgVersion` (the placement is under way); once the
 * organisation's stream has moved past it without the enterprise, the claim is spent.
 */
export type EnterprisePlacementClaimed = Event<
  'EnterprisePlacementClaimed',
  { creditCode: string; district: string; claimedFor: string; orgVersion: number; automatic: boolean; policyVersion?: string }
>;

/**
 * The organisation tree of one district (`formation-tree-<district>`): an officer's move, decided on the whole tree so
 * that no two moves together make a cycle; the organisation's own stream then records it as OrgParentChanged.
 */
export type OrgTreeMoveDecided = Event<'OrgTreeMoveDecided', { district: string; movedOrgId: string; parentOrgId: string | null; previousParentOrgId: string | null }>;

/**
 * One person's caseload (`formation-caseload-<personId>`): an assignment takes a place for an enterprise, naming the
 * version of the enterprise's stream the assignment will be appended at. The place is held while the person covers the
 * enterprise, or while that stream is still at `coverageVersion`; otherwise it is free again.
 */
export type CaseloadPlaceTaken = Event<'CaseloadPlaceTaken', { personId: string; creditCode: string; district: string; coverageVersion: number }>;

export type OrgEvent =
  | OrgProposed
  | OrgProposalRejected
  | OrgFormed
  | EnterpriseJoinedOrg
  | EnterpriseLeftOrg
  | OrgMembersRecounted
  | OrgsMerged
  | OrgDissolved
  | OrgDissolutionPending
  | OrgDissolutionCancelled
  | OrgLevelChanged
  | OrgParentChanged
  | SecretaryAssigned
  | SecretaryReplaced
  | InstructorAssigned
  | InstructorReplaced
  | OrgsPaired;

export type EnterpriseCoverageEvent = WorkCoverageAssigned | WorkCoverageNeeded | EnterpriseAwaitingJointBranch | EnterpriseCoverageEnded;

/** Events of the streams that decide one invariant each (placement claims, the tree, caseloads); read models ignore them. */
export type FormationDecisionEvent = EnterprisePlacementClaimed | OrgTreeMoveDecided | CaseloadPlaceTaken;

export type FormationEvent = OrgEvent | EnterpriseCoverageEvent | FormationDecisionEvent;
export type FormationEventType = FormationEvent['type'];

export const FORMATION_SCHEMA_VERSIONS: Readonly<Record<FormationEventType, number>> = {
  OrgProposed: 1,
  OrgProposalRejected: 1,
  OrgFormed: 1,
  EnterpriseJoinedOrg: 1,
  EnterpriseLeftOrg: 1,
  OrgMembersRecounted: 1,
  OrgsMerged: 1,
  OrgDissolved: 1,
  OrgDissolutionPending: 1,
  OrgDissolutionCancelled: 1,
  OrgLevelChanged: 1,
  OrgParentChanged: 2,
  SecretaryAssigned: 1,
  SecretaryReplaced: 1,
  InstructorAssigned: 1,
  InstructorReplaced: 1,
  OrgsPaired: 1,
  WorkCoverageAssigned: 1,
  WorkCoverageNeeded: 1,
  EnterpriseAwaitingJointBranch: 1,
  EnterpriseCoverageEnded: 1,
  EnterprisePlacementClaimed: 1,
  OrgTreeMoveDecided: 1,
  CaseloadPlaceTaken: 1,
};
export const FORMATION_EVENT_TYPES = Object.keys(FORMATION_SCHEMA_VERSIONS) as FormationEventType[];

export const isFormationEvent = (event: { type: string }): event is FormationEvent => event.type in FORMATION_SCHEMA_VERSIONS;

/** How older stored formation events become the shapes above (applied on every read by the event store decorator). */
export const FORMATION_UPCASTERS: readonly Upcaster[] = [
  {
    type: 'OrgParentChanged',
    fromVersion: 1,
    upcast: (data) => {
      const v1 = data as OrgParentChangedV1Data;
      return { ...v1, automatic: v1.automatic ?? false } satisfies OrgParentChanged['data'];
    },
  },
];
