import {
  type DissolutionReason,
  type FormationEvent,
  type LeaveReason,
  type NoOrganisationReason,
  type OrgLevel,
  PARENT_DISSOLVED,
  type RegistryEvent,
} from '@liangxin/contracts';
import { formationEvent } from './events';
import { canHold } from './org';
import {
  affinityKeys,
  evolveWithFormationEvent,
  evolveWithRegistryEvent,
  formationStreamOf,
  orgStreamVersion,
  type PlacedEnterprise,
  type PlacedOrg,
  type PlacementState,
} from './placement';
import { type FormationPolicy, levelChangeFor, levelFor } from './policy';

/** Events to append to one stream, with the version the stream must be at (optimistic concurrency). */
export type PlannedAppend = {
  streamId: string;
  expectedVersion: number | 'no_stream';
  events: FormationEvent[];
  metadata: { actor: 'system:formation'; policyVersion: string; district: string };
};

/** `occurredAt`: when the registry event being reacted to happened (a pending dissolution's grace period starts then). */
type Step = { s: PlacementState; policy: FormationPolicy; out: PlannedAppend[]; occurredAt?: string };

const auto = (policy: FormationPolicy) => ({ automatic: true, policyVersion: policy.version });

/** Records an automatic decision and folds it at once, so the next decision of the same reaction sees it. */
const emit = (step: Step, event: FormationEvent) => {
  const streamId = formationStreamOf(event);
  const last = step.out[step.out.length - 1];
  if (last && last.streamId === streamId) last.events.push(event);
  else {
    const version = streamVersionOf(step.s, event);
    step.out.push({
      streamId,
      expectedVersion: version < 0 ? 'no_stream' : version,
      events: [event],
      metadata: { actor: 'system:formation', policyVersion: step.policy.version, district: event.data.district },
    });
  }
  evolveWithFormationEvent(step.s, event);
};

const streamVersionOf = (s: PlacementState, event: FormationEvent): number => {
  if (event.type === 'OrgTreeMoveDecided') return s.treeVersions.get(event.data.district) ?? -1;
  if (event.type === 'CaseloadPlaceTaken') throw new Error('the rules take no caseload places');
  if (event.type !== 'EnterprisePlacementClaimed' && 'orgId' in event.data) return s.orgs.get(event.data.orgId)?.streamVersion ?? -1;
  return s.enterprises.get((event.data as { creditCode: string }).creditCode)?.coverageStreamVersion ?? -1;
};

/**
 * Before the rules place enterprises in an organisation they claim each on its placement stream, as officers do, at
 * the version the organisation's stream is at: a claim another instance made meanwhile turns the reaction into a
 * version conflict (rebuilt and decided again), never a second organisation.
 */
const claim = (step: Step, orgId: string, district: string, codes: readonly string[]) => {
  const orgVersion = orgStreamVersion(step.s, orgId);
  for (const creditCode of codes)
    emit(step, formationEvent('EnterprisePlacementClaimed', { creditCode, district, claimedFor: orgId, orgVersion, ...auto(step.policy) }));
};

/** The placement state always knows the enterprises and organisations its own events name. */
const enterpriseIn = (s: PlacementState, code: string): PlacedEnterprise => {
  const e = s.enterprises.get(code);
  if (!e) throw new Error(`placement state lost enterprise ${code}`);
  return e;
};
const orgIn = (s: PlacementState, orgId: string): PlacedOrg => {
  const org = s.orgs.get(orgId);
  if (!org) throw new Error(`placement state lost organisation ${orgId}`);
  return org;
};

const members = (e: PlacedEnterprise) => e.fullMembers + e.probationaryMembers;
const mustBeOrganisationallyCovered = (e: PlacedEnterprise, policy: FormationPolicy) => e.employees >= policy.largeEnterpriseEmployees && members(e) > 0;

const checkLevel = (step: Step, org: PlacedOrg) => {
  const changed = levelChangeFor(org, org.fullMembers, org.probationaryMembers, step.policy, true);
  if (changed) emit(step, changed);
};

/** Rule 3 (and the waiting half of rule 2): work coverage with the reason recorded, unless already so. */
const coverByWork = (step: Step, e: PlacedEnterprise, reason: NoOrganisationReason) => {
  if (reason === 'awaiting-joint-branch' && !e.awaitingJoint)
    emit(
      step,
      formationEvent('EnterpriseAwaitingJointBranch', {
        creditCode: e.creditCode,
        district: e.district,
        fullMembers: e.fullMembers,
        probationaryMembers: e.probationaryMembers,
        reason: `fewer than ${step.policy.standaloneMinFull} full members and no joint group in the district reaches ${step.policy.standaloneMinFull} yet`,
        mustBeOrganisationallyCovered: mustBeOrganisationallyCovered(e, step.policy),
        ...auto(step.policy),
      }),
    );
  if (e.workCoverage?.reason === reason) return;
  const facts = { creditCode: e.creditCode, district: e.district, reason, mustBeOrganisationallyCovered: mustBeOrganisationallyCovered(e, step.policy), ...auto(step.policy) };
  // The person an officer assigned keeps covering it while only the reason changes: the caseload does not move.
  const assignee = e.workCoverage?.assignee;
  if (e.workCoverage && assignee) return emit(step, formationEvent('WorkCoverageAssigned', { ...facts, coveredBy: e.workCoverage.coveredBy, assignee }));
  // Nobody named: not covered (DOMAIN.md), an officer is to assign someone.
  emit(step, formationEvent('WorkCoverageNeeded', { ...facts, coveredBy: members(e) > 0 ? 'instructor' : 'liaison' }));
};

const recount = (step: Step, org: PlacedOrg, e: PlacedEnterprise) => {
  const recorded = org.enterprises.get(e.creditCode);
  if (!recorded || (recorded.fullMembers === e.fullMembers && recorded.probationaryMembers === e.probationaryMembers)) return;
  emit(
    step,
    formationEvent('OrgMembersRecounted', {
      orgId: org.orgId,
      district: org.district,
      creditCode: e.creditCode,
      fullMembers: e.fullMembers,
      probationaryMembers: e.probationaryMembers,
      fullMembersTotal: org.fullMembers - recorded.fullMembers + e.fullMembers,
      probationaryMembersTotal: org.probationaryMembers - recorded.probationaryMembers + e.probationaryMembers,
    }),
  );
  checkLevel(step, org);
};

const dissolve = (step: Step, org: PlacedOrg, reason: DissolutionReason, mergedInto?: string) => {
  emit(
    step,
    formationEvent('OrgDissolved', {
      orgId: org.orgId,
      district: org.district,
      reason,
      enterprisesReleased: [...org.enterprises.keys()],
      ...(mergedInto && { mergedInto }),
      ...auto(step.policy),
    }),
  );
  liftChildren(step, org, mergedInto);
};

/** Would `orgId` be its own ancestor under `parentOrgId`? Walked in the placement state, which knows every parent. */
const isAncestorOrSelf = (s: PlacementState, orgId: string, parentOrgId: string): boolean => {
  const seen = new Set<string>();
  for (let id: string | undefined = parentOrgId; id !== undefined && !seen.has(id); id = s.orgs.get(id)?.parentOrgId) {
    if (id === orgId) return true;
    seen.add(id);
  }
  return false;
};

/**
 * Where an organisation goes when the one above it is dissolved: under the organisation that absorbed its parent
 * (a merge), else under its parent's own parent, provided that one is live, of its level or above and not beneath it;
 * otherwise to the top of the tree. Never under a dissolved organisation.
 */
export const newParentAfterDissolution = (s: PlacementState, child: PlacedOrg, dissolved: PlacedOrg, mergedInto?: string): string | null => {
  for (const candidateId of [mergedInto, dissolved.parentOrgId]) {
    const candidate = candidateId === undefined ? undefined : s.orgs.get(candidateId);
    if (!candidate || candidate.dissolved || candidate.orgId === dissolved.orgId) continue;
    if (!canHold(candidate.level, child.level) || isAncestorOrSelf(s, child.orgId, candidate.orgId)) continue;
    return candidate.orgId;
  }
  return null;
};

/** The organisations directly beneath a dissolved one move up (see `newParentAfterDissolution`), one OrgParentChanged each. */
const liftChildren = (step: Step, dissolved: PlacedOrg, mergedInto?: string) => {
  for (const childId of [...(step.s.children.get(dissolved.orgId) ?? [])].sort()) {
    const child = step.s.orgs.get(childId);
    if (!child || child.dissolved || child.parentOrgId !== dissolved.orgId) continue;
    emit(
      step,
      formationEvent('OrgParentChanged', {
        orgId: child.orgId,
        district: child.district,
        parentOrgId: newParentAfterDissolution(step.s, child, dissolved, mergedInto),
        previousParentOrgId: dissolved.orgId,
        reason: PARENT_DISSOLVED,
        ...auto(step.policy),
      }),
    );
  }
};

/**
 * After an officer confirmed a dissolution for abnormal operation (already folded into `s`): the released enterprises
 * are brought to where the rules say (still abnormal: no organisation, reason operation-abnormal, a person needed).
 */
export function planSettleReleased(s: PlacementState, creditCodes: readonly string[], policy: FormationPolicy): PlannedAppend[] {
  const step: Step = { s, policy, out: [] };
  for (const code of creditCodes) {
    const e = s.enterprises.get(code);
    if (e && !e.orgId) settle(step, e);
  }
  return step.out;
}

/**
 * After an officer dissolved `orgId` (or merged it into `mergedInto`), already folded into `s`: the moves of the
 * organisations left beneath it, folded into `s` as they are planned. Empty when none are left (so a retried command
 * whose moves were appended plans nothing).
 */
export function planLiftAfterDissolution(s: PlacementState, orgId: string, policy: FormationPolicy, mergedInto?: string): PlannedAppend[] {
  const dissolved = s.orgs.get(orgId);
  if (!dissolved?.dissolved) return [];
  const step: Step = { s, policy, out: [] };
  liftChildren(step, dissolved, mergedInto);
  return step.out;
}

const join = (step: Step, org: PlacedOrg, e: PlacedEnterprise) => {
  claim(step, org.orgId, org.district, [e.creditCode]);
  emit(
    step,
    formationEvent('EnterpriseJoinedOrg', {
      orgId: org.orgId,
      district: org.district,
      creditCode: e.creditCode,
      fullMembers: e.fullMembers,
      probationaryMembers: e.probationaryMembers,
      fullMembersTotal: org.fullMembers + e.fullMembers,
      probationaryMembersTotal: org.probationaryMembers + e.probationaryMembers,
      enterpriseCount: org.enterprises.size + 1,
      ...auto(step.policy),
    }),
  );
  checkLevel(step, org);
};

/** Waiting enterprises (best affinity first, most full members first) that would bring `needFull` more full members. */
const pickWaiting = (step: Step, keys: readonly string[], slots: number, needFull: number, exclude: string): string[] | undefined => {
  for (const key of keys) {
    const buckets = step.s.waiting.get(key);
    if (!buckets) continue;
    const picked: string[] = [];
    let full = 0;
    for (let bucket = buckets.length - 1; bucket >= 1 && full < needFull && picked.length < slots; bucket--)
      for (const code of buckets[bucket]) {
        if (code === exclude) continue;
        picked.push(code);
        full += bucket;
        if (full >= needFull || picked.length >= slots) break;
      }
    if (full >= needFull) return picked;
  }
  return undefined;
};

/** After a joint branch forms or loses an enterprise, waiting enterprises fill its free places. */
const fillFreePlaces = (step: Step, org: PlacedOrg) => {
  const keys = [...org.openKeys].sort((a, b) => rank(a) - rank(b));
  for (const key of keys) {
    const buckets = step.s.waiting.get(key);
    if (!buckets) continue;
    for (let bucket = buckets.length - 1; bucket >= 0; bucket--)
      for (const code of [...buckets[bucket]]) {
        if (org.dissolved || org.enterprises.size >= step.policy.jointMaxEnterprises) return;
        join(step, org, enterpriseIn(step.s, code));
      }
  }
};
const rank = (key: string) => ['chain', 'park', 'building', 'district'].indexOf(key.slice(0, key.indexOf(':')));

/** Rule 2: join an open joint branch, or form one with waiting enterprises once 3 full members are reached, or wait. */
const placeInJointBranch = (step: Step, e: PlacedEnterprise) => {
  const keys = affinityKeys(e);
  for (const key of keys) {
    const open = step.s.openJoint.get(key);
    if (!open) continue;
    for (const orgId of open) {
      const org = orgIn(step.s, orgId);
      if (org.fullMembers + e.fullMembers < step.policy.standaloneMinFull) continue;
      join(step, org, e);
      return;
    }
  }
  const others = pickWaiting(step, keys, step.policy.jointMaxEnterprises - 1, step.policy.standaloneMinFull - e.fullMembers, e.creditCode);
  if (!others) return coverByWork(step, e, 'awaiting-joint-branch');
  const group = [e, ...others.map((code) => enterpriseIn(step.s, code))];
  const fullMembers = group.reduce((sum, m) => sum + m.fullMembers, 0);
  const probationaryMembers = group.reduce((sum, m) => sum + m.probationaryMembers, 0);
  const serial = (step.s.jointBranchesFormed.get(e.district) ?? 0) + 1;
  const orgId = `joint-${e.district}-${serial}`;
  const level = levelFor(fullMembers, probationaryMembers, step.policy);
  claim(
    step,
    orgId,
    e.district,
    group.map((m) => m.creditCode),
  );
  emit(
    step,
    formationEvent('OrgFormed', {
      orgId,
      district: e.district,
      name: jointBranchName(e.district, serial, level.level),
      mode: 'joint',
      ...level,
      enterprises: group.map((m) => ({ creditCode: m.creditCode, fullMembers: m.fullMembers, probationaryMembers: m.probationaryMembers })),
      fullMembers,
      probationaryMembers,
      ...auto(step.policy),
    }),
  );
  fillFreePlaces(step, orgIn(step.s, orgId));
};

/** The name follows the level (rule 6): 中共<unit>支部, 中共<unit>总支部, 中共<unit>委员会, as the organisation department writes them. */
export const LEVEL_SUFFIX: Record<OrgLevel, string> = { branch: '支部', 'general-branch': '总支部', 'primary-committee': '委员会' };
const standaloneBranchName = (e: PlacedEnterprise, level: OrgLevel): string => `中共${e.name ?? e.creditCode}${LEVEL_SUFFIX[level]}`;
const jointBranchName = (district: string, serial: number, level: OrgLevel): string => `中共${district}联合${LEVEL_SUFFIX[level]}（第${serial}号）`;

/** The enterprise's earlier standalone branch, dissolved: a branch formed again in its place keeps what it had. */
const previousStandalone = (s: PlacementState, e: PlacedEnterprise): PlacedOrg | undefined => {
  const previous = e.lastStandaloneOrgId ? s.orgs.get(e.lastStandaloneOrgId) : undefined;
  return previous?.dissolved ? previous : undefined;
};

/** The previous branch's parent, if it is still live and of the new branch's level or above. */
const keptParent = (s: PlacementState, previous: PlacedOrg | undefined, level: OrgLevel): string | undefined => {
  const parent = previous?.parentOrgId ? s.orgs.get(previous.parentOrgId) : undefined;
  return parent && !parent.dissolved && canHold(parent.level, level) ? parent.orgId : undefined;
};

/**
 * Rule 1: a standalone branch, approved at once. Formed again after the enterprise's earlier branch was dissolved
 * (abnormal operation confirmed, or fewer than 3 full members for a while), it keeps what that one had: its place in
 * the tree, secretary, instructor and pairings, and names it (`reformedFrom`) so ratings and subsidies follow the lineage.
 */
const formStandalone = (step: Step, e: PlacedEnterprise) => {
  const orgId = `standalone-${e.creditCode}-${e.standaloneCount + 1}`;
  const level = levelFor(e.fullMembers, e.probationaryMembers, step.policy);
  const previous = previousStandalone(step.s, e);
  const parentOrgId = keptParent(step.s, previous, level.level);
  claim(step, orgId, e.district, [e.creditCode]);
  emit(
    step,
    formationEvent('OrgFormed', {
      orgId,
      district: e.district,
      name: standaloneBranchName(e, level.level),
      mode: 'standalone',
      ...level,
      enterprises: [{ creditCode: e.creditCode, fullMembers: e.fullMembers, probationaryMembers: e.probationaryMembers }],
      fullMembers: e.fullMembers,
      probationaryMembers: e.probationaryMembers,
      ...(parentOrgId && { parentOrgId }),
      ...(previous && { reformedFrom: previous.orgId }),
      ...auto(step.policy),
    }),
  );
  if (!previous) return;
  const ref = { orgId, district: e.district };
  if (previous.secretary) emit(step, formationEvent('SecretaryAssigned', { ...ref, secretary: previous.secretary }));
  if (previous.instructor) emit(step, formationEvent('InstructorAssigned', { ...ref, instructor: previous.instructor }));
  for (const [publicUnitOrgId, publicUnitName] of previous.pairings) emit(step, formationEvent('OrgsPaired', { ...ref, publicUnitOrgId, publicUnitName }));
};

/** Rule 4: a joint branch below the minimum is topped up, merged, or dissolved and its enterprises regrouped. */
const rebalanceJoint = (step: Step, org: PlacedOrg) => {
  if (org.dissolved || org.mode !== 'joint') return;
  if (org.fullMembers >= step.policy.standaloneMinFull) return fillFreePlaces(step, org);
  const slots = step.policy.jointMaxEnterprises - org.enterprises.size;
  const keys = [...org.openKeys].sort((a, b) => rank(a) - rank(b));
  const topUp = slots > 0 ? pickWaiting(step, keys, slots, step.policy.standaloneMinFull - org.fullMembers, '') : undefined;
  if (topUp) {
    for (const code of topUp) join(step, org, enterpriseIn(step.s, code));
    return fillFreePlaces(step, org);
  }
  for (const key of keys) {
    for (const otherId of step.s.openJoint.get(key) ?? []) {
      const other = orgIn(step.s, otherId);
      if (other === org || other.enterprises.size + org.enterprises.size > step.policy.jointMaxEnterprises) continue;
      if (other.fullMembers + org.fullMembers < step.policy.standaloneMinFull) continue;
      const moving = [...org.enterprises].map(([creditCode, m]) => ({ creditCode, ...m }));
      dissolve(step, org, 'merged', other.orgId);
      claim(
        step,
        other.orgId,
        other.district,
        moving.map((m) => m.creditCode),
      );
      emit(
        step,
        formationEvent('OrgsMerged', {
          orgId: other.orgId,
          district: other.district,
          mergedOrgId: org.orgId,
          enterprises: moving,
          fullMembersTotal: other.fullMembers + moving.reduce((sum, m) => sum + m.fullMembers, 0),
          probationaryMembersTotal: other.probationaryMembers + moving.reduce((sum, m) => sum + m.probationaryMembers, 0),
          enterpriseCount: other.enterprises.size + moving.length,
          reason: `joint branch ${org.orgId} fell below ${step.policy.standaloneMinFull} full members`,
          ...auto(step.policy),
        }),
      );
      checkLevel(step, other);
      return;
    }
  }
  const released = [...org.enterprises.keys()];
  dissolve(step, org, 'below-minimum-full-members');
  for (const code of released) settle(step, enterpriseIn(step.s, code));
};

/** Takes an enterprise out of its organisation; the last one out dissolves it, a joint branch left behind is rebalanced. */
const leave = (step: Step, org: PlacedOrg, e: PlacedEnterprise, reason: LeaveReason, dissolution: DissolutionReason) => {
  if (org.enterprises.size <= 1) return dissolve(step, org, dissolution);
  const recorded = org.enterprises.get(e.creditCode) ?? { fullMembers: 0, probationaryMembers: 0 };
  emit(
    step,
    formationEvent('EnterpriseLeftOrg', {
      orgId: org.orgId,
      district: org.district,
      creditCode: e.creditCode,
      reason,
      fullMembersTotal: org.fullMembers - recorded.fullMembers,
      probationaryMembersTotal: org.probationaryMembers - recorded.probationaryMembers,
      enterpriseCount: org.enterprises.size - 1,
      ...auto(step.policy),
    }),
  );
  checkLevel(step, org);
  rebalanceJoint(step, org);
};

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Rule 4 with a brake: the only enterprise of an organisation turned abnormal. Dissolving would cost the organisation
 * its people, parent, stars and pairings, and operating status flips back and forth; so the rule only records the
 * dissolution as pending, for an officer to confirm after the policy's grace period.
 */
const pendDissolution = (step: Step, org: PlacedOrg, e: PlacedEnterprise) => {
  if (org.pendingDissolution) return;
  const since = step.occurredAt;
  const confirmableFrom = since && new Date(Date.parse(since) + step.policy.abnormalDissolutionGraceDays * DAY_MS).toISOString();
  emit(
    step,
    formationEvent('OrgDissolutionPending', {
      orgId: org.orgId,
      district: org.district,
      creditCode: e.creditCode,
      reason: 'operation-abnormal',
      ...(since && { since, confirmableFrom }),
      ...auto(step.policy),
    }),
  );
};

/** Back to normal before an officer confirmed: the pending dissolution is withdrawn and the organisation stays as it was. */
const cancelPendingDissolution = (step: Step, org: PlacedOrg, e: PlacedEnterprise) => {
  if (org.pendingDissolution !== e.creditCode) return;
  emit(step, formationEvent('OrgDissolutionCancelled', { orgId: org.orgId, district: org.district, creditCode: e.creditCode, reason: 'returned-to-normal', ...auto(step.policy) }));
};

/** Brings one enterprise to where the rules say it belongs, given its current facts. */
const settle = (step: Step, e: PlacedEnterprise) => {
  const { policy } = step;
  // claimed by an officer (or another instance) for an organisation that has not recorded it yet: theirs to place
  if (e.claim && !e.orgId) return;
  const org = e.orgId ? step.s.orgs.get(e.orgId) : undefined;
  if (org && e.status === 'abnormal' && org.enterprises.size <= 1) return pendDissolution(step, org, e);
  if (org && e.status === 'normal') cancelPendingDissolution(step, org, e);
  if (e.status !== 'normal') {
    const deregistered = e.status === 'deregistered';
    if (org) leave(step, org, e, deregistered ? 'deregistered' : 'operation-abnormal', deregistered ? 'deregistered' : 'operation-abnormal');
    if (!deregistered) return coverByWork(step, e, 'operation-abnormal');
    if (!e.coverageEnded)
      emit(step, formationEvent('EnterpriseCoverageEnded', { creditCode: e.creditCode, district: e.district, reason: 'deregistered', ...auto(policy) }));
    return;
  }
  if (members(e) === 0) {
    if (org) leave(step, org, e, 'no-party-members', 'no-member-enterprises');
    return coverByWork(step, e, 'no-party-members');
  }
  if (e.fullMembers >= policy.standaloneMinFull) {
    if (!org) return formStandalone(step, e);
    if (org.mode !== 'joint') return recount(step, org, e);
    leave(step, org, e, 'reached-standalone-threshold', 'below-minimum-full-members');
    return formStandalone(step, e);
  }
  if (!org) return placeInJointBranch(step, e);
  if (org.mode === 'standalone') {
    dissolve(step, org, 'below-minimum-full-members');
    return placeInJointBranch(step, e);
  }
  recount(step, org, e);
  rebalanceJoint(step, org);
};

/**
 * The formation process manager: folds a registry event into the district's placement state and applies
 * formation rules 1–4 and 6 of docs/domain.md by itself. Returns the appends to make, each with its expected stream version,
 * and leaves the state advanced past them. Deterministic (same events, same organisations and ids); an event
 * delivered twice (same stream version) returns nothing. When an append fails on a version conflict, rebuild
 * the state from the store and react again.
 */
export const react = (state: PlacementState, event: RegistryEvent & { occurredAt?: string }, streamVersion: number, policy: FormationPolicy): PlannedAppend[] => {
  if (!evolveWithRegistryEvent(state, event, streamVersion)) return [];
  const step: Step = { s: state, policy, out: [], ...(event.occurredAt && { occurredAt: event.occurredAt }) };
  const e = enterpriseIn(state, event.data.creditCode);
  if (event.type === 'EmployeeCountChanged' || event.type === 'LedgerCorrected') {
    // placement does not change, but an enterprise still waiting may now find a group with its new attributes
    if (e.awaitingJoint && event.type === 'LedgerCorrected') settleWaiting(step, e);
    return step.out;
  }
  settle(step, e);
  return step.out;
};

const settleWaiting = (step: Step, e: PlacedEnterprise) => {
  if (!e.orgId && e.status === 'normal' && members(e) > 0 && e.fullMembers < step.policy.standaloneMinFull) placeInJointBranch(step, e);
};

