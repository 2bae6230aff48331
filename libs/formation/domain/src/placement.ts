import {
  type FormationEvent,
  type FormationMode,
  formationCaseloadStreamId,
  formationEnterpriseStreamId,
  formationTreeStreamId,
  type NoOrganisationReason,
  type OperatingStatus,
  type OrgLevel,
  orgStreamId,
  type Person,
  type RegistryEvent,
} from '@liangxin/contracts';

export type WorkCoverage = { coveredBy: 'instructor' | 'liaison'; reason: NoOrganisationReason; assignee?: Person };

/** What formation knows of one enterprise: registry facts plus where it is covered. */
export type PlacedEnterprise = {
  creditCode: string;
  /** the ledger name, for naming its organisations as officers would (中共…支部) */
  name?: string;
  district: string;
  fullMembers: number;
  probationaryMembers: number;
  employees: number;
  status: OperatingStatus;
  industryChain?: string;
  park?: string;
  building?: string;
  /** streamVersion of the last registry event folded: a redelivered event is recognised and ignored */
  registryVersion: number;
  orgId?: string;
  awaitingJoint: boolean;
  /** who gives it work coverage, or should (`assignee` absent: nobody named yet, so it is not covered) */
  workCoverage?: WorkCoverage;
  coverageEnded: boolean;
  /** version of `formation-enterprise-<code>`, -1 when it has no events yet */
  coverageStreamVersion: number;
  /** how many standalone branches it has had, so each new one gets a fresh deterministic id */
  standaloneCount: number;
  /** its latest standalone branch: one formed again after it was dissolved keeps what that one had */
  lastStandaloneOrgId?: string;
  /** a claim on its placement stream for an organisation that has not recorded the placement yet: the rules leave it alone */
  claim?: { orgId: string; orgVersion: number };
  /** keys of the waiting pools it is in, and the bucket (its full members) */
  pooled?: { keys: string[]; bucket: number };
};

export type PlacedOrg = {
  orgId: string;
  district: string;
  mode: FormationMode;
  level: OrgLevel;
  committeeSize: number;
  enterprises: Map<string, { fullMembers: number; probationaryMembers: number }>;
  fullMembers: number;
  probationaryMembers: number;
  dissolved: boolean;
  /** version of `org-<orgId>` */
  streamVersion: number;
  /** keys of the open-joint-branch index it is in */
  openKeys: string[];
  /** the organisation it sits under in the organisation tree */
  parentOrgId?: string;
  /** the enterprise whose abnormal operation left its dissolution waiting for an officer's confirmation */
  pendingDissolution?: string;
  /** what a branch formed again in its place keeps (its people and pairings; the parent is `parentOrgId`) */
  secretary?: Person;
  instructor?: Person;
  /** public units' organisations it is paired with, by id, with the name recorded */
  pairings: Map<string, string>;
};

/**
 * The per-district placement state the process manager folds from registry and formation events.
 * Kept in mutable Maps with indexes on purpose: a district holds tens of thousands of enterprises,
 * and copying them for every event would make folding quadratic.
 */
export type PlacementState = {
  enterprises: Map<string, PlacedEnterprise>;
  orgs: Map<string, PlacedOrg>;
  jointBranchesFormed: Map<string, number>;
  /** affinity key → buckets by full members → enterprises waiting for a joint branch */
  waiting: Map<string, Set<string>[]>;
  /** affinity key → joint branches with room for another enterprise */
  openJoint: Map<string, Set<string>>;
  /** the pools are bucketed by full members below this number */
  minFull: number;
  maxJoint: number;
  /** person id → enterprises they give work coverage to now (the caseload the policy limits) */
  caseloads: Map<string, Set<string>>;
  /** organisation id → the organisations directly beneath it (the organisation tree, read upside down) */
  children: Map<string, Set<string>>;
  /** organisation id → version of its stream while it is only proposed (OrgProposed, OrgProposalRejected) */
  proposalVersions: Map<string, number>;
  /** organisation id → enterprises claimed for it whose placement it has not recorded yet */
  pendingClaims: Map<string, Set<string>>;
  /** district → version of `formation-tree-<district>` (-1: none) */
  treeVersions: Map<string, number>;
};

export const initialPlacementState = (minFull = 3, maxJoint = 5): PlacementState => ({
  enterprises: new Map(),
  orgs: new Map(),
  jointBranchesFormed: new Map(),
  waiting: new Map(),
  openJoint: new Map(),
  minFull,
  maxJoint,
  caseloads: new Map(),
  children: new Map(),
  proposalVersions: new Map(),
  pendingClaims: new Map(),
  treeVersions: new Map(),
});

/**
 * Sets (or ends, with undefined) an enterprise's work coverage, keeping the caseload index in step:
 * coverage ends when the enterprise joins an organisation or leaves formation's scope, which frees the caseload.
 */
const setWorkCoverage = (s: PlacementState, e: PlacedEnterprise, coverage: WorkCoverage | undefined) => {
  const before = e.workCoverage?.assignee?.personId;
  const after = coverage?.assignee?.personId;
  if (before !== undefined && before !== after) {
    const load = s.caseloads.get(before);
    load?.delete(e.creditCode);
    if (load?.size === 0) s.caseloads.delete(before);
  }
  if (after !== undefined && before !== after) {
    let load = s.caseloads.get(after);
    if (!load) s.caseloads.set(after, (load = new Set()));
    load.add(e.creditCode);
  }
  e.workCoverage = coverage;
};

/** The enterprises a person gives work coverage to now. */
export const caseloadOf = (s: PlacementState, personId: string): string[] => [...(s.caseloads.get(personId) ?? [])];

/** Affinity keys, best first: same industry chain, then park, then building, then anywhere in the district (rule 2). */
export const affinityKeys = (e: Pick<PlacedEnterprise, 'district' | 'industryChain' | 'park' | 'building'>): string[] => {
  const keys: string[] = [];
  if (e.industryChain) keys.push(`chain:${e.district}:${e.industryChain}`);
  if (e.park) keys.push(`park:${e.district}:${e.park}`);
  if (e.building) keys.push(`building:${e.district}:${e.building}`);
  keys.push(`district:${e.district}`);
  return keys;
};

const isWaiting = (e: PlacedEnterprise, minFull: number) =>
  e.awaitingJoint && !e.orgId && !e.claim && e.status === 'normal' && e.fullMembers < minFull && e.fullMembers + e.probationaryMembers > 0;

/** Keeps the waiting pools in step with one enterprise. */
const syncPool = (s: PlacementState, e: PlacedEnterprise) => {
  if (e.pooled) {
    for (const key of e.pooled.keys) s.waiting.get(key)?.[e.pooled.bucket]?.delete(e.creditCode);
    e.pooled = undefined;
  }
  if (!isWaiting(e, s.minFull)) return;
  const keys = affinityKeys(e);
  for (const key of keys) {
    let buckets = s.waiting.get(key);
    if (!buckets) s.waiting.set(key, (buckets = Array.from({ length: s.minFull }, () => new Set<string>())));
    buckets[e.fullMembers].add(e.creditCode);
  }
  e.pooled = { keys, bucket: e.fullMembers };
};

/** Keeps the open-joint-branch index in step with one organisation. */
const syncOpenIndex = (s: PlacementState, org: PlacedOrg) => {
  for (const key of org.openKeys) s.openJoint.get(key)?.delete(org.orgId);
  org.openKeys = [];
  if (org.dissolved || org.mode !== 'joint' || org.enterprises.size >= s.maxJoint) return;
  const keys = new Set<string>();
  for (const code of org.enterprises.keys()) {
    const e = s.enterprises.get(code);
    if (e) for (const key of affinityKeys(e)) keys.add(key);
  }
  for (const key of keys) {
    let set = s.openJoint.get(key);
    if (!set) s.openJoint.set(key, (set = new Set()));
    set.add(org.orgId);
  }
  org.openKeys = [...keys];
};

const blankEnterprise = (creditCode: string, district: string): PlacedEnterprise => ({
  creditCode,
  district,
  fullMembers: 0,
  probationaryMembers: 0,
  employees: 0,
  status: 'normal',
  registryVersion: -1,
  awaitingJoint: false,
  coverageEnded: false,
  coverageStreamVersion: -1,
  standaloneCount: 0,
});

const enterprise = (s: PlacementState, creditCode: string, district: string): PlacedEnterprise => {
  let e = s.enterprises.get(creditCode);
  if (!e) s.enterprises.set(creditCode, (e = blankEnterprise(creditCode, district)));
  return e;
};

const joinOrg = (s: PlacementState, org: PlacedOrg, code: string, full: number, probationary: number) => {
  org.enterprises.set(code, { fullMembers: full, probationaryMembers: probationary });
  const e = enterprise(s, code, org.district);
  e.orgId = org.orgId;
  e.awaitingJoint = false;
  setWorkCoverage(s, e, undefined);
  syncPool(s, e);
};

const releaseFromOrg = (s: PlacementState, org: PlacedOrg, code: string) => {
  org.enterprises.delete(code);
  const e = s.enterprises.get(code);
  if (e && e.orgId === org.orgId) e.orgId = undefined;
};

/** Moves `org` in the organisation tree (undefined: to the top), keeping the children index in step. */
const placeUnder = (s: PlacementState, org: PlacedOrg, parentOrgId: string | undefined) => {
  if (org.parentOrgId) s.children.get(org.parentOrgId)?.delete(org.orgId);
  org.parentOrgId = parentOrgId;
  if (!parentOrgId) return;
  let children = s.children.get(parentOrgId);
  if (!children) s.children.set(parentOrgId, (children = new Set()));
  children.add(org.orgId);
};

/**
 * Folds one registry event (with its stream version, for idempotency) into the placement state.
 * Returns false when the event had been folded already.
 */
export const evolveWithRegistryEvent = (s: PlacementState, event: RegistryEvent, streamVersion: number): boolean => {
  const d = event.data;
  const e = enterprise(s, d.creditCode, d.district);
  if (streamVersion <= e.registryVersion) return false;
  e.registryVersion = streamVersion;
  switch (event.type) {
    case 'EnterpriseRegistered':
      Object.assign(e, {
        name: event.data.name,
        fullMembers: event.data.fullMembers,
        probationaryMembers: event.data.probationaryMembers,
        employees: event.data.employees,
        industryChain: event.data.industryChain,
        park: event.data.park,
        building: event.data.building,
        status: 'normal',
      });
      break;
    case 'MemberCountChanged':
      e.fullMembers = event.data.fullMembers;
      e.probationaryMembers = event.data.probationaryMembers;
      break;
    case 'EmployeeCountChanged':
      e.employees = event.data.employees;
      break;
    case 'OperatingStatusChanged':
      e.status = event.data.status;
      break;
    case 'LedgerCorrected':
      for (const field of ['name', 'industryChain', 'park', 'building'] as const) if (event.data.corrected[field] !== undefined) e[field] = event.data.corrected[field];
      break;
  }
  syncPool(s, e);
  if (e.orgId) {
    const org = s.orgs.get(e.orgId);
    if (org) syncOpenIndex(s, org);
  }
  return true;
};

/** The stream a formation event belongs to, from its data alone. */
export const formationStreamOf = (event: FormationEvent): string => {
  if (event.type === 'OrgTreeMoveDecided') return formationTreeStreamId(event.data.district);
  if (event.type === 'CaseloadPlaceTaken') return formationCaseloadStreamId(event.data.personId);
  return 'orgId' in event.data ? orgStreamId(event.data.orgId) : formationEnterpriseStreamId(event.data.creditCode);
};

/** The version of an organisation's stream as the state knows it (-1: none). */
export const orgStreamVersion = (s: PlacementState, orgId: string): number => s.orgs.get(orgId)?.streamVersion ?? s.proposalVersions.get(orgId) ?? -1;

/** A claim is spent once its organisation holds the enterprise or its stream has moved past the claimed version. */
const settleClaims = (s: PlacementState, orgId: string) => {
  const codes = s.pendingClaims.get(orgId);
  if (!codes) return;
  const version = orgStreamVersion(s, orgId);
  for (const code of [...codes]) {
    const e = s.enterprises.get(code);
    if (e?.claim && e.claim.orgId === orgId && e.orgId !== orgId && version === e.claim.orgVersion) continue;
    codes.delete(code);
    if (e?.claim?.orgId === orgId) {
      e.claim = undefined;
      syncPool(s, e);
    }
  }
  if (codes.size === 0) s.pendingClaims.delete(orgId);
};

const recordClaim = (s: PlacementState, e: PlacedEnterprise, orgId: string, orgVersion: number) => {
  if (e.claim) s.pendingClaims.get(e.claim.orgId)?.delete(e.creditCode);
  e.claim = e.orgId === orgId || orgStreamVersion(s, orgId) !== orgVersion ? undefined : { orgId, orgVersion };
  if (e.claim) {
    let codes = s.pendingClaims.get(orgId);
    if (!codes) s.pendingClaims.set(orgId, (codes = new Set()));
    codes.add(e.creditCode);
  }
  syncPool(s, e);
};

/** Folds one formation event into the placement state. */
export const evolveWithFormationEvent = (s: PlacementState, event: FormationEvent): PlacementState => {
  const settled = evolveOnce(s, event);
  if (event.type !== 'EnterprisePlacementClaimed' && 'orgId' in event.data) settleClaims(s, event.data.orgId);
  return settled;
};

const evolveOnce = (s: PlacementState, event: FormationEvent): PlacementState => {
  if (event.type === 'OrgTreeMoveDecided') {
    s.treeVersions.set(event.data.district, (s.treeVersions.get(event.data.district) ?? -1) + 1);
    return s;
  }
  if (event.type === 'CaseloadPlaceTaken') return s;
  if (event.type === 'EnterprisePlacementClaimed') {
    const e = enterprise(s, event.data.creditCode, event.data.district);
    e.coverageStreamVersion++;
    recordClaim(s, e, event.data.claimedFor, event.data.orgVersion);
    return s;
  }
  if (!('orgId' in event.data)) {
    const d = event.data;
    const e = enterprise(s, d.creditCode, d.district);
    e.coverageStreamVersion++;
    if (event.type === 'EnterpriseAwaitingJointBranch') e.awaitingJoint = true;
    if (event.type === 'WorkCoverageAssigned' || event.type === 'WorkCoverageNeeded') {
      const { coveredBy, reason } = event.data;
      const assignee = event.type === 'WorkCoverageAssigned' ? event.data.assignee : undefined;
      setWorkCoverage(s, e, { coveredBy, reason, ...(assignee && { assignee }) });
      if (event.data.reason !== 'awaiting-joint-branch') e.awaitingJoint = false;
    }
    if (event.type === 'EnterpriseCoverageEnded') {
      e.coverageEnded = true;
      e.awaitingJoint = false;
      setWorkCoverage(s, e, undefined);
    }
    syncPool(s, e);
    return s;
  }
  // a proposal is no organisation yet, but its events count in the stream the approval's OrgFormed follows
  if (event.type === 'OrgProposed' || event.type === 'OrgProposalRejected') {
    s.proposalVersions.set(event.data.orgId, (s.proposalVersions.get(event.data.orgId) ?? -1) + 1);
    return s;
  }
  if (event.type === 'OrgFormed') {
    const d = event.data;
    const versionBefore = s.proposalVersions.get(d.orgId) ?? -1;
    s.proposalVersions.delete(d.orgId);
    const org: PlacedOrg = {
      orgId: d.orgId,
      district: d.district,
      mode: d.mode,
      level: d.level,
      committeeSize: d.committeeSize,
      enterprises: new Map(),
      fullMembers: d.fullMembers,
      probationaryMembers: d.probationaryMembers,
      dissolved: false,
      streamVersion: versionBefore + 1,
      openKeys: [],
      pairings: new Map(),
    };
    s.orgs.set(d.orgId, org);
    if (d.parentOrgId) placeUnder(s, org, d.parentOrgId);
    if (d.mode === 'joint') s.jointBranchesFormed.set(d.district, (s.jointBranchesFormed.get(d.district) ?? 0) + 1);
    for (const m of d.enterprises) {
      joinOrg(s, org, m.creditCode, m.fullMembers, m.probationaryMembers);
      if (d.mode === 'standalone') {
        const e = enterprise(s, m.creditCode, d.district);
        e.standaloneCount++;
        e.lastStandaloneOrgId = d.orgId;
      }
    }
    syncOpenIndex(s, org);
    return s;
  }
  const org = s.orgs.get(event.data.orgId);
  if (!org) return s;
  org.streamVersion++;
  switch (event.type) {
    case 'EnterpriseJoinedOrg':
      joinOrg(s, org, event.data.creditCode, event.data.fullMembers, event.data.probationaryMembers);
      org.fullMembers = event.data.fullMembersTotal;
      org.probationaryMembers = event.data.probationaryMembersTotal;
      break;
    case 'EnterpriseLeftOrg':
      releaseFromOrg(s, org, event.data.creditCode);
      org.fullMembers = event.data.fullMembersTotal;
      org.probationaryMembers = event.data.probationaryMembersTotal;
      break;
    case 'OrgMembersRecounted':
      org.enterprises.set(event.data.creditCode, { fullMembers: event.data.fullMembers, probationaryMembers: event.data.probationaryMembers });
      org.fullMembers = event.data.fullMembersTotal;
      org.probationaryMembers = event.data.probationaryMembersTotal;
      break;
    case 'OrgsMerged':
      for (const m of event.data.enterprises) joinOrg(s, org, m.creditCode, m.fullMembers, m.probationaryMembers);
      org.fullMembers = event.data.fullMembersTotal;
      org.probationaryMembers = event.data.probationaryMembersTotal;
      break;
    case 'OrgDissolved':
      for (const code of [...org.enterprises.keys()]) releaseFromOrg(s, org, code);
      org.dissolved = true;
      org.pendingDissolution = undefined;
      break;
    case 'OrgDissolutionPending':
      org.pendingDissolution = event.data.creditCode;
      return s;
    case 'OrgDissolutionCancelled':
      org.pendingDissolution = undefined;
      return s;
    case 'SecretaryAssigned':
    case 'SecretaryReplaced':
      org.secretary = event.data.secretary;
      return s;
    case 'InstructorAssigned':
    case 'InstructorReplaced':
      org.instructor = event.data.instructor;
      return s;
    case 'OrgsPaired':
      org.pairings.set(event.data.publicUnitOrgId, event.data.publicUnitName);
      return s;
    case 'OrgLevelChanged':
      org.level = event.data.level;
      org.committeeSize = event.data.committeeSize;
      break;
    case 'OrgParentChanged':
      placeUnder(s, org, event.data.parentOrgId ?? undefined);
      return s;
    default:
      return s;
  }
  syncOpenIndex(s, org);
  return s;
};

export type CoverageKind = 'organisational' | 'awaiting-joint' | 'work' | 'none' | 'out-of-scope';

/** How an enterprise is covered now, and why when it has no organisation. */
export const coverageOf = (s: PlacementState, creditCode: string): { kind: CoverageKind; orgId?: string; reason?: NoOrganisationReason } => {
  const e = s.enterprises.get(creditCode);
  if (!e || e.status === 'deregistered' || e.coverageEnded) return { kind: 'out-of-scope' };
  if (e.orgId) return { kind: 'organisational', orgId: e.orgId };
  if (e.awaitingJoint) return { kind: 'awaiting-joint', reason: e.workCoverage?.reason ?? 'awaiting-joint-branch' };
  // work coverage means a named person is assigned (DOMAIN.md); an open slot is no coverage, with its reason
  if (e.workCoverage?.assignee) return { kind: 'work', reason: e.workCoverage.reason };
  if (e.workCoverage) return { kind: 'none', reason: e.workCoverage.reason };
  return { kind: 'none' };
};

/** Rule 5: enterprises with 50+ employees and any members that are not organisationally covered. */
export const uncoveredLargeEnterprises = (s: PlacementState, largeEnterpriseEmployees: number, district?: string): PlacedEnterprise[] => {
  const flagged: PlacedEnterprise[] = [];
  for (const e of s.enterprises.values())
    if (
      (!district || e.district === district) &&
      e.status !== 'deregistered' &&
      e.employees >= largeEnterpriseEmployees &&
      e.fullMembers + e.probationaryMembers > 0 &&
      !e.orgId
    )
      flagged.push(e);
  return flagged;
};
