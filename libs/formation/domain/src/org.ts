import type { FormationMode, OrgEnterprise, OrgEvent, OrgFormed, OrgLevel, OrgProposed, Person } from '@liangxin/contracts';
import { type Decider, DomainError } from '@liangxin/event-sourcing';
import { formationEvent } from './events';
import { DEFAULT_FORMATION_POLICY, type FormationPolicy, levelChangeFor, levelFor } from './policy';

/** An enterprise as an officer command names it: the service fills the counts from the placement state. */
export type CandidateEnterprise = OrgEnterprise & { district: string };

type Officer = { policy?: FormationPolicy };

export type FormOrg = {
  type: 'FormOrg';
  data: Officer & {
    orgId: string;
    district: string;
    name: string;
    mode: FormationMode;
    enterprises: CandidateEnterprise[];
    parentOrgId?: string;
    publicUnit?: boolean;
    /** only for an upper-level organisation formed without enterprises (see `formUmbrellaOrg`) */
    level?: OrgLevel;
    /** what the service read of `parentOrgId`, so that the new organisation goes only under a live parent of its level or above */
    parent?: ProposedParent;
  };
};
export type AddEnterprise = { type: 'AddEnterprise'; data: Officer & { orgId: string; enterprise: CandidateEnterprise } };
export type RemoveEnterprise = { type: 'RemoveEnterprise'; data: Officer & { orgId: string; creditCode: string } };
/** Applied to the surviving organisation; the service then dissolves the absorbed one with `mergedInto`. */
export type AbsorbOrg = {
  type: 'AbsorbOrg';
  data: Officer & { orgId: string; merged: { orgId: string; district: string; dissolved: boolean; enterprises: OrgEnterprise[] }; reason: string };
};
export type DissolveOrg = { type: 'DissolveOrg'; data: { orgId: string; reason: string; mergedInto?: string } };
/** An officer confirms the dissolution the rules left pending; `now` is the service's clock (the grace period is policy). */
export type ConfirmOrgDissolution = { type: 'ConfirmOrgDissolution'; data: { orgId: string; now: string; note?: string } };
export type AssignSecretary = { type: 'AssignSecretary'; data: { orgId: string; person: Person } };
export type ReplaceSecretary = { type: 'ReplaceSecretary'; data: { orgId: string; person: Person; reason: string } };
export type AssignInstructor = { type: 'AssignInstructor'; data: { orgId: string; person: Person } };
export type ReplaceInstructor = { type: 'ReplaceInstructor'; data: { orgId: string; person: Person; reason: string } };
/** What the service knows of a proposed parent, read from its stream (`exists: false` when it has none). */
export type ProposedParent = { orgId: string; exists: boolean; dissolved: boolean; level?: OrgLevel; name?: string };
/**
 * The organisation tree: place the organisation under `parent` (or detach it with `parent: null`). The service walks
 * up from the proposed parent, reading each ancestor's stream, and passes their ids (`parentAncestors`, nearest first,
 * the parent itself excluded) so that this decision stays pure.
 */
export type ChangeOrgParent = {
  type: 'ChangeOrgParent';
  data: { orgId: string; parent: ProposedParent | null; parentAncestors: readonly string[]; reason: string };
};
/** An application to form an organisation: what FormOrg would take, checked the same way, recorded as OrgProposed. */
export type ProposeOrg = { type: 'ProposeOrg'; data: FormOrg['data'] & { proposedBy: string; note?: string } };
/**
 * The approval (批复) of a pending proposal by someone other than its proposer. `formed` is the proposal as the
 * service read it again at approval time (enterprises counted now and still free, the parent as it is now), so the
 * organisation is formed on today's facts and every rule of FormOrg applies.
 */
export type ApproveOrgProposal = {
  type: 'ApproveOrgProposal';
  /** `formed` is absent when the service found no pending proposal to read again: the decider then says why */
  data: { orgId: string; approvedBy: string; formed?: FormOrg['data'] };
};
export type RejectOrgProposal = { type: 'RejectOrgProposal'; data: { orgId: string; rejectedBy: string; reason: string } };
/** A public unit's organisation as the service read it from its stream (public units are organisations formed with `publicUnit: true`). */
export type PairedPublicUnit = { orgId: string; name: string; publicUnit: boolean; dissolved: boolean };
export type PairWithPublicUnit = { type: 'PairWithPublicUnit'; data: { orgId: string; publicUnit: PairedPublicUnit; pairedOn?: string } };

export type OrgCommand =
  | FormOrg
  | AddEnterprise
  | RemoveEnterprise
  | AbsorbOrg
  | DissolveOrg
  | ConfirmOrgDissolution
  | AssignSecretary
  | ReplaceSecretary
  | AssignInstructor
  | ReplaceInstructor
  | PairWithPublicUnit
  | ChangeOrgParent
  | ProposeOrg
  | ApproveOrgProposal
  | RejectOrgProposal;

/** A proposal waiting for approval, or turned down: no organisation exists yet. */
export type OrgProposal = { data: OrgProposed['data']; rejected: boolean };

export type OrgState =
  | { exists: false; proposal?: OrgProposal }
  | {
      exists: true;
      orgId: string;
      district: string;
      name: string;
      mode: FormationMode;
      level: OrgLevel;
      committeeSize: number;
      enterprises: ReadonlyMap<string, OrgEnterprise>;
      fullMembers: number;
      probationaryMembers: number;
      parentOrgId?: string;
      publicUnit: boolean;
      /** formed by an officer over other organisations, with no enterprises of its own */
      umbrella: boolean;
      dissolved: boolean;
      secretary?: Person;
      instructor?: Person;
      /** public units' organisations it is paired with (结对共建) */
      pairedWith: ReadonlySet<string>;
      /** its only enterprise turned abnormal: dissolved only once an officer confirms (OrgDissolutionPending) */
      pendingDissolution?: { creditCode: string; confirmableFrom?: string };
    };
type ExistingOrg = Extract<OrgState, { exists: true }>;

const notFound = (orgId: string) => new DomainError('ORG_NOT_FOUND', `No party organisation ${orgId} exists.`, 'orgId', 'not_found');

const assertActive = (state: OrgState, orgId: string): ExistingOrg => {
  if (!state.exists) throw notFound(orgId);
  if (state.dissolved) throw new DomainError('ORG_DISSOLVED', `Party organisation ${orgId} (${state.name}) has been dissolved.`, 'orgId', 'conflict');
  return state;
};

const totals = (enterprises: Iterable<OrgEnterprise>) => {
  let full = 0;
  let probationary = 0;
  for (const e of enterprises) {
    full += e.fullMembers;
    probationary += e.probationaryMembers;
  }
  return { full, probationary };
};

const assertMinimumFull = (full: number, policy: FormationPolicy) => {
  if (full < policy.standaloneMinFull)
    throw new DomainError(
      'BELOW_MINIMUM_FULL_MEMBERS',
      `A party branch needs at least ${policy.standaloneMinFull} full members; these enterprises have ${full}.`,
      'enterprises',
    );
};

const assertJointSize = (mode: FormationMode, count: number, policy: FormationPolicy) => {
  if (mode === 'joint' && count > policy.jointMaxEnterprises)
    throw new DomainError('JOINT_TOO_MANY_ENTERPRISES', `A joint branch holds at most ${policy.jointMaxEnterprises} enterprises; this would hold ${count}.`, 'enterprises', 'conflict');
};

/** Rule 6 after any change of totals (officer commands are not automatic). */
const levelChange = (org: ExistingOrg, full: number, probationary: number, policy: FormationPolicy): OrgEvent[] => {
  if (org.umbrella) return [];
  const changed = levelChangeFor(org, full, probationary, policy, false);
  return changed ? [changed] : [];
};

const LEVEL_RANK: Record<OrgLevel, number> = { branch: 0, 'general-branch': 1, 'primary-committee': 2 };
/** The organisation tree's one rule of levels: a parent is of its child's level or above (a branch cannot hold a committee). */
export const canHold = (parentLevel: OrgLevel, childLevel: OrgLevel): boolean => LEVEL_RANK[parentLevel] >= LEVEL_RANK[childLevel];
const LEVEL_NAME: Record<OrgLevel, string> = { branch: 'a party branch', 'general-branch': 'a general branch', 'primary-committee': 'a primary committee' };

/** A proposed parent must exist and be active (the organisation itself is refused by the caller). */
const assertParentActive = (parent: ProposedParent): string => {
  if (!parent.exists) throw new DomainError('PARENT_NOT_FOUND', `No party organisation ${parent.orgId} exists.`, 'parentOrgId', 'not_found');
  const parentName = parent.name ?? parent.orgId;
  if (parent.dissolved) throw new DomainError('PARENT_DISSOLVED', `Party organisation ${parent.orgId} (${parentName}) has been dissolved.`, 'parentOrgId', 'conflict');
  return parentName;
};

/** A branch cannot hold a committee: the parent's level is the child's or above. */
const assertParentLevel = (parent: ProposedParent, level: OrgLevel, name: string) => {
  if (parent.level && !canHold(parent.level, level))
    throw new DomainError('PARENT_LEVEL_TOO_LOW', `${parent.name ?? parent.orgId} is ${LEVEL_NAME[parent.level]} and cannot hold ${LEVEL_NAME[level]} (${name}).`, 'parentOrgId', 'conflict');
};

/** Forming under a parent: the parent the service read must be active and of the new organisation's level or above. */
const assertFormedUnder = (data: FormOrg['data'], level: OrgLevel) => {
  if (!data.parentOrgId || !data.parent) return;
  if (data.parentOrgId === data.orgId) throw new DomainError('PARENT_IS_ITSELF', 'An organisation cannot be placed under itself.', 'parentOrgId');
  assertParentActive(data.parent);
  assertParentLevel(data.parent, level, data.name.trim());
};

/**
 * The organisation tree (docs/domain.md): an upper-level organisation an officer forms over other organisations — a
 * committee per industry chain (产业链党委), a district-wide comprehensive committee (两新综合党委), a platform's
 * general branch (党总支) — holds no enterprises of its own and may have no members; its level is the officer's.
 * A plain branch always needs enterprises (and three full members).
 */
const formUmbrellaOrg = (data: FormOrg['data'], policy: FormationPolicy): OrgEvent[] => {
  if (!data.level || data.level === 'branch')
    throw new DomainError(
      'NO_ENTERPRISES',
      'A party branch needs at least one enterprise of its own. To form a committee or general branch over other organisations, give its level (general-branch or primary-committee).',
      'enterprises',
    );
  if (data.mode === 'standalone' || data.mode === 'joint')
    throw new DomainError(
      'UMBRELLA_MODE',
      `A ${data.mode} branch is formed from enterprises; choose another mode (for example industry-chain-joint or area-unified) for a ${data.level} over other organisations.`,
      'mode',
    );
  assertFormedUnder(data, data.level);
  return [officerFormed(data, policy, { level: data.level, committeeSize: 0, enterprises: [], fullMembers: 0, probationaryMembers: 0, umbrella: true })];
};

/** OrgFormed for an organisation an officer formed: what the command names, plus what the rules decided. */
const officerFormed = (
  data: FormOrg['data'],
  policy: FormationPolicy,
  decided: Pick<OrgFormed['data'], 'level' | 'committeeSize' | 'enterprises' | 'fullMembers' | 'probationaryMembers' | 'umbrella'>,
): OrgFormed =>
  formationEvent<OrgFormed>('OrgFormed', {
    orgId: data.orgId,
    district: data.district,
    name: data.name.trim(),
    mode: data.mode,
    ...decided,
    automatic: false,
    policyVersion: policy.version,
    ...(data.parentOrgId && { parentOrgId: data.parentOrgId }),
    ...(data.publicUnit && { publicUnit: true }),
  });

const formOrg = ({ data }: FormOrg, state: OrgState): OrgEvent[] => {
  const policy = data.policy ?? DEFAULT_FORMATION_POLICY;
  if (state.exists) throw new DomainError('ORG_ALREADY_EXISTS', `Party organisation ${data.orgId} already exists.`, 'orgId', 'conflict');
  if (state.proposal) throw new DomainError('ORG_ALREADY_PROPOSED', `Party organisation ${data.orgId} has been proposed; approve or reject the proposal.`, 'orgId', 'conflict');
  if (!data.name?.trim()) throw new DomainError('INVALID_TEXT', 'The organisation needs a name.', 'name');
  const codes = data.enterprises.map((e) => e.creditCode);
  if (new Set(codes).size !== codes.length) throw new DomainError('DUPLICATE_ENTERPRISE', 'An enterprise is listed twice.', 'enterprises');
  if (!data.publicUnit && codes.length === 0) return formUmbrellaOrg(data, policy);
  if (data.mode === 'standalone' && codes.length !== 1)
    throw new DomainError('STANDALONE_NEEDS_ONE_ENTERPRISE', `A standalone branch covers exactly one enterprise; ${codes.length} were given.`, 'enterprises');
  assertAllInDistrict(data.enterprises, data.district);
  assertJointSize(data.mode, codes.length, policy);
  const { full, probationary } = totals(data.enterprises);
  if (!data.publicUnit) assertMinimumFull(full, policy);
  const { level, committeeSize } = levelFor(full, probationary, policy);
  if (data.level && data.level !== level && codes.length > 0)
    throw new DomainError('LEVEL_FOLLOWS_MEMBERS', `With enterprises of its own, the level follows the members (rule 6): these make ${LEVEL_NAME[level]}.`, 'level');
  assertFormedUnder(data, level);
  const enterprises = data.enterprises.map(({ creditCode, fullMembers, probationaryMembers }) => ({ creditCode, fullMembers, probationaryMembers }));
  return [officerFormed(data, policy, { level, committeeSize, enterprises, fullMembers: full, probationaryMembers: probationary })];
};

/** The lifecycle's first step: checked as FormOrg would check it now, recorded for another officer to approve. */
const proposeOrg = ({ data }: ProposeOrg, state: OrgState): OrgEvent[] => {
  // formOrg refuses an organisation that exists or is proposed already
  const [formed] = formOrg({ type: 'FormOrg', data }, state) as [OrgFormed];
  return [
    formationEvent('OrgProposed', {
      orgId: data.orgId,
      district: data.district,
      name: formed.data.name,
      mode: data.mode,
      ...(data.level && { level: data.level }),
      enterprises: formed.data.enterprises,
      ...(data.parentOrgId && { parentOrgId: data.parentOrgId }),
      ...(data.publicUnit && { publicUnit: true }),
      proposedBy: data.proposedBy,
      ...(data.note?.trim() && { note: data.note.trim() }),
    }),
  ];
};

const pendingProposal = (state: OrgState, orgId: string): OrgProposal => {
  if (state.exists) throw new DomainError('ORG_ALREADY_EXISTS', `Party organisation ${orgId} has been formed already.`, 'orgId', 'conflict');
  if (!state.proposal) throw new DomainError('PROPOSAL_NOT_FOUND', `No proposal to form party organisation ${orgId} exists.`, 'orgId', 'not_found');
  if (state.proposal.rejected) throw new DomainError('PROPOSAL_REJECTED', `The proposal to form ${state.proposal.data.name} was rejected; propose it again.`, 'orgId', 'conflict');
  return state.proposal;
};

/** Approval forms the organisation on the facts of today (FormOrg's rules), and never by the officer who proposed it. */
const approveOrgProposal = ({ data }: ApproveOrgProposal, state: OrgState): OrgEvent[] => {
  const proposal = pendingProposal(state, data.orgId);
  if (data.approvedBy === proposal.data.proposedBy)
    throw new DomainError('APPROVER_IS_PROPOSER', 'A proposal is approved by another officer than the one who proposed it.', 'orgId', 'forbidden');
  if (data.formed?.orgId !== data.orgId) throw new Error(`approving ${data.orgId} needs its proposal read again as FormOrg data`);
  return formOrg({ type: 'FormOrg', data: data.formed }, { exists: false });
};

const rejectOrgProposal = ({ data }: RejectOrgProposal, state: OrgState): OrgEvent[] => {
  const proposal = pendingProposal(state, data.orgId);
  if (!data.reason?.trim()) throw new DomainError('REASON_REQUIRED', 'Say why the proposal is rejected.', 'reason');
  return [formationEvent('OrgProposalRejected', { orgId: data.orgId, district: proposal.data.district, reason: data.reason.trim(), rejectedBy: data.rejectedBy })];
};

/**
 * Tenancy by the record: an organisation holds only enterprises its district's office answers for, in every mode.
 * Across districts, organisations are linked through the organisation tree instead (a committee over branches of
 * several districts), so each district keeps acting on its own enterprises.
 */
const assertInDistrict = (enterprise: CandidateEnterprise, district: string, field: string) => {
  if (enterprise.district !== district)
    throw new DomainError(
      'ENTERPRISE_IN_ANOTHER_DISTRICT',
      `Enterprise ${enterprise.creditCode} is registered in district ${enterprise.district}, not in the organisation's district ${district}.`,
      field,
    );
};
const assertAllInDistrict = (enterprises: readonly CandidateEnterprise[], district: string) =>
  enterprises.forEach((e, i) => assertInDistrict(e, district, `enterprises[${i}]`));

const assertNotUmbrella = (org: ExistingOrg, field: string) => {
  if (org.umbrella)
    throw new DomainError('UMBRELLA_HOLDS_NO_ENTERPRISES', `${org.name} is formed over other organisations and holds no enterprises of its own; place a branch under it instead.`, field, 'conflict');
};

const addEnterprise = ({ data }: AddEnterprise, state: OrgState): OrgEvent[] => {
  const policy = data.policy ?? DEFAULT_FORMATION_POLICY;
  const org = assertActive(state, data.orgId);
  assertNotUmbrella(org, 'creditCode');
  const { creditCode, fullMembers, probationaryMembers } = data.enterprise;
  assertInDistrict(data.enterprise, org.district, 'creditCode');
  if (org.enterprises.has(creditCode)) throw new DomainError('ALREADY_MEMBER', `Enterprise ${creditCode} already belongs to ${org.name}.`, 'creditCode', 'conflict');
  if (org.mode === 'standalone') throw new DomainError('STANDALONE_NEEDS_ONE_ENTERPRISE', 'A standalone branch covers exactly one enterprise.', 'creditCode', 'conflict');
  assertJointSize(org.mode, org.enterprises.size + 1, policy);
  const full = org.fullMembers + fullMembers;
  const probationary = org.probationaryMembers + probationaryMembers;
  return [
    formationEvent('EnterpriseJoinedOrg', {
      orgId: org.orgId,
      district: org.district,
      creditCode,
      fullMembers,
      probationaryMembers,
      fullMembersTotal: full,
      probationaryMembersTotal: probationary,
      enterpriseCount: org.enterprises.size + 1,
      automatic: false,
      policyVersion: policy.version,
    }),
    ...levelChange(org, full, probationary, policy),
  ];
};

const removeEnterprise = ({ data }: RemoveEnterprise, state: OrgState): OrgEvent[] => {
  const policy = data.policy ?? DEFAULT_FORMATION_POLICY;
  const org = assertActive(state, data.orgId);
  const leaving = org.enterprises.get(data.creditCode);
  if (!leaving) throw new DomainError('NOT_A_MEMBER', `Enterprise ${data.creditCode} does not belong to ${org.name}.`, 'creditCode', 'not_found');
  if (org.enterprises.size === 1)
    throw new DomainError('LAST_ENTERPRISE', `${data.creditCode} is the last enterprise of ${org.name}: dissolve the organisation instead.`, 'creditCode', 'conflict');
  const full = org.fullMembers - leaving.fullMembers;
  const probationary = org.probationaryMembers - leaving.probationaryMembers;
  if (!org.publicUnit) assertMinimumFull(full, policy);
  return [
    formationEvent('EnterpriseLeftOrg', {
      orgId: org.orgId,
      district: org.district,
      creditCode: data.creditCode,
      reason: 'officer-decision',
      fullMembersTotal: full,
      probationaryMembersTotal: probationary,
      enterpriseCount: org.enterprises.size - 1,
      automatic: false,
      policyVersion: policy.version,
    }),
    ...levelChange(org, full, probationary, policy),
  ];
};

const absorbOrg = ({ data }: AbsorbOrg, state: OrgState): OrgEvent[] => {
  const policy = data.policy ?? DEFAULT_FORMATION_POLICY;
  const org = assertActive(state, data.orgId);
  assertNotUmbrella(org, 'intoOrgId');
  if (data.merged.orgId === org.orgId) throw new DomainError('MERGE_WITH_ITSELF', 'An organisation cannot be merged with itself.', 'mergedOrgId');
  if (data.merged.dissolved) throw new DomainError('ORG_DISSOLVED', `Party organisation ${data.merged.orgId} has been dissolved.`, 'mergedOrgId', 'conflict');
  if (data.merged.district !== org.district)
    throw new DomainError('MERGE_ACROSS_DISTRICTS', `${data.merged.orgId} is in district ${data.merged.district}, ${org.name} in ${org.district}: only organisations of one district merge.`, 'mergedOrgId');
  if (org.mode === 'standalone') throw new DomainError('STANDALONE_NEEDS_ONE_ENTERPRISE', 'A standalone branch cannot absorb another organisation.', 'intoOrgId', 'conflict');
  const moving = data.merged.enterprises.filter((e) => !org.enterprises.has(e.creditCode));
  assertJointSize(org.mode, org.enterprises.size + moving.length, policy);
  const added = totals(moving);
  const full = org.fullMembers + added.full;
  const probationary = org.probationaryMembers + added.probationary;
  return [
    formationEvent('OrgsMerged', {
      orgId: org.orgId,
      district: org.district,
      mergedOrgId: data.merged.orgId,
      enterprises: moving,
      fullMembersTotal: full,
      probationaryMembersTotal: probationary,
      enterpriseCount: org.enterprises.size + moving.length,
      reason: data.reason,
      automatic: false,
      policyVersion: policy.version,
    }),
    ...levelChange(org, full, probationary, policy),
  ];
};

const dissolveOrg = ({ data }: DissolveOrg, state: OrgState): OrgEvent[] => {
  const org = assertActive(state, data.orgId);
  if (!data.reason?.trim()) throw new DomainError('REASON_REQUIRED', 'Say why the organisation is dissolved.', 'reason');
  return [
    formationEvent('OrgDissolved', {
      orgId: org.orgId,
      district: org.district,
      reason: data.mergedInto ? 'merged' : 'officer-decision',
      enterprisesReleased: [...org.enterprises.keys()],
      automatic: false,
      note: data.reason.trim(),
      ...(data.mergedInto && { mergedInto: data.mergedInto }),
    }),
  ];
};

/**
 * Rule 4's dissolution for abnormal operation, confirmed by an officer once the policy's grace period has passed
 * (a status flip inside it changes nothing). The enterprises are released to the rules.
 */
const confirmOrgDissolution = ({ data }: ConfirmOrgDissolution, state: OrgState): OrgEvent[] => {
  const org = assertActive(state, data.orgId);
  const pending = org.pendingDissolution;
  if (!pending)
    throw new DomainError('NO_PENDING_DISSOLUTION', `${org.name} has no dissolution waiting for confirmation; to dissolve it for another reason, dissolve it with that reason.`, 'orgId', 'conflict');
  if (pending.confirmableFrom && data.now < pending.confirmableFrom)
    throw new DomainError(
      'DISSOLUTION_IN_GRACE_PERIOD',
      `Enterprise ${pending.creditCode} turned abnormal recently: the dissolution of ${org.name} can be confirmed from ${pending.confirmableFrom.slice(0, 10)}, if it has not returned to normal by then.`,
      'orgId',
      'conflict',
    );
  return [
    formationEvent('OrgDissolved', {
      orgId: org.orgId,
      district: org.district,
      reason: 'operation-abnormal',
      enterprisesReleased: [...org.enterprises.keys()],
      automatic: false,
      ...(data.note?.trim() && { note: data.note.trim() }),
    }),
  ];
};

const samePerson = (a: Person | undefined, b: Person) => a?.personId === b.personId;

const assignPerson = (role: 'secretary' | 'instructor', state: OrgState, orgId: string, person: Person, replaceReason?: string): OrgEvent[] => {
  const org = assertActive(state, orgId);
  if (!person?.personId || !person.name) throw new DomainError('INVALID_PERSON', 'A person needs an id and a name.', 'person');
  const current = org[role];
  const Role = role === 'secretary' ? 'Secretary' : 'Instructor';
  if (replaceReason === undefined) {
    if (current)
      throw new DomainError(`${role.toUpperCase()}_ALREADY_ASSIGNED`, `${org.name} already has a ${role} (${current.name}); replace them instead.`, 'person', 'conflict');
    return [formationEvent(`${Role}Assigned`, { orgId, district: org.district, [role]: person } as never)];
  }
  if (!current) throw new DomainError(`NO_${role.toUpperCase()}_TO_REPLACE`, `${org.name} has no ${role} yet; assign one first.`, 'person', 'conflict');
  if (samePerson(current, person)) throw new DomainError('SAME_PERSON', `${person.name} is already the ${role} of ${org.name}.`, 'person', 'conflict');
  if (!replaceReason.trim()) throw new DomainError('REASON_REQUIRED', `Say why the ${role} is replaced.`, 'reason');
  return [formationEvent(`${Role}Replaced`, { orgId, district: org.district, [role]: person, previous: current, reason: replaceReason.trim() } as never)];
};

/** 结对共建: a private unit's organisation pairs with a live public unit's organisation, once. */
const pair = ({ data }: PairWithPublicUnit, state: OrgState): OrgEvent[] => {
  const org = assertActive(state, data.orgId);
  const unit = data.publicUnit;
  if (org.publicUnit) throw new DomainError('ORG_IS_PUBLIC_UNIT', 'Pairing is recorded on the private unit’s organisation.', 'orgId');
  if (unit.orgId === org.orgId) throw new DomainError('PAIRING_WITH_ITSELF', 'An organisation cannot pair with itself.', 'publicUnitOrgId');
  if (!unit.publicUnit)
    throw new DomainError('NOT_A_PUBLIC_UNIT', `${unit.name} (${unit.orgId}) is not the organisation of a public unit.`, 'publicUnitOrgId', 'conflict');
  if (unit.dissolved) throw new DomainError('PUBLIC_UNIT_DISSOLVED', `${unit.name} (${unit.orgId}) has been dissolved.`, 'publicUnitOrgId', 'conflict');
  if (org.pairedWith.has(unit.orgId)) throw new DomainError('ALREADY_PAIRED', `${org.name} is already paired with ${unit.name}.`, 'publicUnitOrgId', 'conflict');
  return [
    formationEvent('OrgsPaired', {
      orgId: org.orgId,
      district: org.district,
      publicUnitOrgId: unit.orgId,
      publicUnitName: unit.name,
      ...(data.pairedOn && { pairedOn: data.pairedOn }),
    }),
  ];
};

/** The check the service's walk feeds: would `orgId` become its own ancestor under `parentOrgId`? */
export const wouldBeOwnAncestor = (orgId: string, parentOrgId: string, parentAncestors: readonly string[]): boolean =>
  parentOrgId === orgId || parentAncestors.includes(orgId);

/**
 * The organisation tree: place an organisation under a parent or detach it, never making it its own ancestor, and
 * never under an organisation of a lower level (a branch cannot hold a committee).
 */
const changeOrgParent = ({ data }: ChangeOrgParent, state: OrgState): OrgEvent[] => {
  const org = assertActive(state, data.orgId);
  if (!data.reason?.trim()) throw new DomainError('REASON_REQUIRED', 'Say why the organisation moves in the tree.', 'reason');
  const previousParentOrgId = org.parentOrgId ?? null;
  const parent = data.parent;
  if (!parent) {
    if (!previousParentOrgId) throw new DomainError('HAS_NO_PARENT', `${org.name} is not under any organisation.`, 'parentOrgId', 'conflict');
  } else {
    if (parent.orgId === org.orgId) throw new DomainError('PARENT_IS_ITSELF', 'An organisation cannot be placed under itself.', 'parentOrgId');
    const parentName = assertParentActive(parent);
    if (previousParentOrgId === parent.orgId) throw new DomainError('ALREADY_UNDER_PARENT', `${org.name} is already under ${parentName}.`, 'parentOrgId', 'conflict');
    if (wouldBeOwnAncestor(org.orgId, parent.orgId, data.parentAncestors))
      throw new DomainError('PARENT_CYCLE', `${parentName} lies beneath ${org.name}; placing ${org.name} under it would make a cycle.`, 'parentOrgId', 'conflict');
    assertParentLevel(parent, org.level, org.name);
  }
  return [
    formationEvent('OrgParentChanged', {
      orgId: org.orgId,
      district: org.district,
      parentOrgId: parent?.orgId ?? null,
      previousParentOrgId,
      reason: data.reason.trim(),
      automatic: false,
    }),
  ];
};

export const decideOrg = (command: OrgCommand, state: OrgState): OrgEvent[] => {
  switch (command.type) {
    case 'FormOrg':
      return formOrg(command, state);
    case 'AddEnterprise':
      return addEnterprise(command, state);
    case 'RemoveEnterprise':
      return removeEnterprise(command, state);
    case 'AbsorbOrg':
      return absorbOrg(command, state);
    case 'DissolveOrg':
      return dissolveOrg(command, state);
    case 'ConfirmOrgDissolution':
      return confirmOrgDissolution(command, state);
    case 'AssignSecretary':
      return assignPerson('secretary', state, command.data.orgId, command.data.person);
    case 'ReplaceSecretary':
      return assignPerson('secretary', state, command.data.orgId, command.data.person, command.data.reason ?? '');
    case 'AssignInstructor':
      return assignPerson('instructor', state, command.data.orgId, command.data.person);
    case 'ReplaceInstructor':
      return assignPerson('instructor', state, command.data.orgId, command.data.person, command.data.reason ?? '');
    case 'PairWithPublicUnit':
      return pair(command, state);
    case 'ChangeOrgParent':
      return changeOrgParent(command, state);
    case 'ProposeOrg':
      return proposeOrg(command, state);
    case 'ApproveOrgProposal':
      return approveOrgProposal(command, state);
    case 'RejectOrgProposal':
      return rejectOrgProposal(command, state);
  }
};

const withEnterprises = (org: ExistingOrg, enterprises: Map<string, OrgEnterprise>, full: number, probationary: number): OrgState => ({
  ...org,
  enterprises,
  fullMembers: full,
  probationaryMembers: probationary,
});

export const evolveOrg = (state: OrgState, event: OrgEvent): OrgState => {
  if (event.type === 'OrgFormed') {
    const d = event.data;
    return {
      exists: true,
      orgId: d.orgId,
      district: d.district,
      name: d.name,
      mode: d.mode,
      level: d.level,
      committeeSize: d.committeeSize,
      enterprises: new Map(d.enterprises.map((e) => [e.creditCode, e])),
      fullMembers: d.fullMembers,
      probationaryMembers: d.probationaryMembers,
      publicUnit: d.publicUnit ?? false,
      umbrella: d.umbrella ?? false,
      dissolved: false,
      pairedWith: new Set(),
      ...(d.parentOrgId && { parentOrgId: d.parentOrgId }),
    };
  }
  if (event.type === 'OrgProposed') return { exists: false, proposal: { data: event.data, rejected: false } };
  if (!state.exists) return event.type === 'OrgProposalRejected' && state.proposal ? { exists: false, proposal: { ...state.proposal, rejected: true } } : state;
  switch (event.type) {
    case 'OrgProposalRejected':
      return state;
    case 'EnterpriseJoinedOrg': {
      const { creditCode, fullMembers, probationaryMembers } = event.data;
      const enterprises = new Map(state.enterprises).set(creditCode, { creditCode, fullMembers, probationaryMembers });
      return withEnterprises(state, enterprises, event.data.fullMembersTotal, event.data.probationaryMembersTotal);
    }
    case 'EnterpriseLeftOrg': {
      const enterprises = new Map(state.enterprises);
      enterprises.delete(event.data.creditCode);
      return withEnterprises(state, enterprises, event.data.fullMembersTotal, event.data.probationaryMembersTotal);
    }
    case 'OrgMembersRecounted': {
      const { creditCode, fullMembers, probationaryMembers } = event.data;
      const enterprises = new Map(state.enterprises).set(creditCode, { creditCode, fullMembers, probationaryMembers });
      return withEnterprises(state, enterprises, event.data.fullMembersTotal, event.data.probationaryMembersTotal);
    }
    case 'OrgsMerged': {
      const enterprises = new Map(state.enterprises);
      for (const e of event.data.enterprises) enterprises.set(e.creditCode, e);
      return withEnterprises(state, enterprises, event.data.fullMembersTotal, event.data.probationaryMembersTotal);
    }
    case 'OrgDissolved': {
      const { pendingDissolution: _settled, ...rest } = state;
      return { ...rest, dissolved: true, enterprises: new Map() };
    }
    case 'OrgDissolutionPending':
      return { ...state, pendingDissolution: { creditCode: event.data.creditCode, ...(event.data.confirmableFrom && { confirmableFrom: event.data.confirmableFrom }) } };
    case 'OrgDissolutionCancelled': {
      const { pendingDissolution: _cancelled, ...rest } = state;
      return rest;
    }
    case 'OrgLevelChanged':
      return { ...state, level: event.data.level, committeeSize: event.data.committeeSize };
    case 'SecretaryAssigned':
    case 'SecretaryReplaced':
      return { ...state, secretary: event.data.secretary };
    case 'InstructorAssigned':
    case 'InstructorReplaced':
      return { ...state, instructor: event.data.instructor };
    case 'OrgsPaired':
      return { ...state, pairedWith: new Set(state.pairedWith).add(event.data.publicUnitOrgId) };
    case 'OrgParentChanged': {
      const { parentOrgId: _previous, ...rest } = state;
      return event.data.parentOrgId ? { ...rest, parentOrgId: event.data.parentOrgId } : rest;
    }
  }
};

/** One party organisation (stream `org-<orgId>`): its member enterprises are the consistency boundary for joins. */
export const orgDecider: Decider<OrgCommand, OrgState, OrgEvent> = {
  decide: decideOrg,
  evolve: evolveOrg,
  initialState: () => ({ exists: false }),
};
