import type { OrgLevel, OrgLevelChanged } from '@liangxin/contracts';
import { formationEvent } from './events';

/**
 * The formation rules' thresholds as versioned data: a district may adopt a new policy without a code change,
 * and every automatic decision records the version it applied (auditors ask "under which rules?").
 */
export type FormationPolicy = {
  version: string;
  /** rule 1: full members an enterprise needs for its own standalone branch; also the minimum of any branch */
  standaloneMinFull: number;
  /** rule 2: most enterprises in one joint branch */
  jointMaxEnterprises: number;
  /** rule 5: employees from which an enterprise with members must be organisationally covered */
  largeEnterpriseEmployees: number;
  /** rule 6: more than this many members → general branch (党总支) */
  generalBranchAbove: number;
  /** rule 6: this many members or more → primary committee (基层党委) */
  primaryCommitteeFrom: number;
  /** rule 6: this many full members or more → a branch committee of 3–5 (odd) */
  branchCommitteeFromFull: number;
  /** instructors and liaison cadres: most enterprises one person gives work coverage to ("an instructor with 400 enterprises covers none of them") */
  maxWorkCoverageCaseload: number;
  /**
   * rule 4: days after an organisation's only enterprise turned abnormal before an officer may confirm its dissolution;
   * a return to normal within them (or any time before the confirmation) changes nothing of the organisation
   */
  abnormalDissolutionGraceDays: number;
};

export const DEFAULT_FORMATION_POLICY: FormationPolicy = {
  version: '2026.1',
  standaloneMinFull: 3,
  jointMaxEnterprises: 5,
  largeEnterpriseEmployees: 50,
  generalBranchAbove: 50,
  primaryCommitteeFrom: 100,
  branchCommitteeFromFull: 7,
  maxWorkCoverageCaseload: 30,
  abnormalDissolutionGraceDays: 30,
};

/**
 * Rule 6. The committee is 3 for a branch and 5 once the organisation is a general branch or a committee:
 * both odd, as the regulation asks ("委员数最好是单数").
 */
export const levelFor = (fullMembers: number, probationaryMembers: number, policy: FormationPolicy): { level: OrgLevel; committeeSize: number } => {
  const members = fullMembers + probationaryMembers;
  const level: OrgLevel = members >= policy.primaryCommitteeFrom ? 'primary-committee' : members > policy.generalBranchAbove ? 'general-branch' : 'branch';
  const committeeSize = fullMembers < policy.branchCommitteeFromFull ? 0 : level === 'branch' ? 3 : 5;
  return { level, committeeSize };
};

/**
 * Rule 6 after any change of member totals: the OrgLevelChanged to record when the level or the
 * committee size moves, for officer commands and automatic decisions alike.
 */
export const levelChangeFor = (
  org: { orgId: string; district: string; level: OrgLevel; committeeSize: number },
  fullMembers: number,
  probationaryMembers: number,
  policy: FormationPolicy,
  automatic: boolean,
): OrgLevelChanged | undefined => {
  const { level, committeeSize } = levelFor(fullMembers, probationaryMembers, policy);
  if (level === org.level && committeeSize === org.committeeSize) return undefined;
  return formationEvent('OrgLevelChanged', {
    orgId: org.orgId,
    district: org.district,
    level,
    previousLevel: org.level,
    committeeSize,
    previousCommitteeSize: org.committeeSize,
    fullMembers,
    probationaryMembers,
    automatic,
    policyVersion: policy.version,
  });
};
