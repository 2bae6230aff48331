import type { NoOrganisationReason, Person, WorkCoverageAssigned } from '@liangxin/contracts';
import { DomainError } from '@liangxin/event-sourcing';
import { formationEvent } from './events';
import { caseloadOf, type PlacedEnterprise, type PlacementState } from './placement';
import type { FormationPolicy } from './policy';

/** An officer names the instructor or liaison cadre who gives work coverage to an enterprise with no organisation. */
export type AssignWorkCoverage = {
  creditCode: string;
  coveredBy: 'instructor' | 'liaison';
  assignee: Person;
};

/** Why it has no organisation, when no automatic decision has recorded it yet (the registration is being placed). */
const reasonFromFacts = (e: PlacedEnterprise): NoOrganisationReason =>
  e.status === 'abnormal' ? 'operation-abnormal' : e.fullMembers + e.probationaryMembers > 0 ? 'awaiting-joint-branch' : 'no-party-members';

const isNamedPerson = (person: unknown): person is Person => {
  const p = person as Partial<Person> | null | undefined;
  return typeof p === 'object' && p !== null && !Array.isArray(p) && typeof p.personId === 'string' && p.personId.trim() !== '' && typeof p.name === 'string' && p.name.trim() !== '';
};

const sameAssignment = (e: PlacedEnterprise, command: AssignWorkCoverage) =>
  e.workCoverage?.coveredBy === command.coveredBy &&
  e.workCoverage.assignee?.personId === command.assignee.personId &&
  e.workCoverage.assignee.name === command.assignee.name;

/**
 * docs/domain.md "Instructors and liaison cadres": work coverage means a named person is assigned, and a caseload
 * limit (policy data) keeps it honest. Decides on the placement state, which knows every enterprise's
 * organisation and every person's caseload; the events go to the enterprise's coverage stream.
 * Assigning the person already assigned changes nothing; assigning another replaces them.
 */
export const decideWorkCoverage = (state: PlacementState, command: AssignWorkCoverage, policy: FormationPolicy): WorkCoverageAssigned[] => {
  const { creditCode, assignee } = command;
  if (!isNamedPerson(assignee))
    throw new DomainError('ASSIGNEE_REQUIRED', 'Work coverage means a named person is assigned: give the assignee’s personId and name.', 'assignee');
  const e = state.enterprises.get(creditCode);
  if (!e || e.registryVersion < 0)
    throw new DomainError('ENTERPRISE_NOT_REGISTERED', `No enterprise with credit code ${creditCode} is registered.`, 'creditCode', 'not_found');
  if (e.status === 'deregistered' || e.coverageEnded)
    throw new DomainError('ENTERPRISE_DEREGISTERED', `Enterprise ${creditCode} is deregistered and needs no coverage.`, 'creditCode', 'conflict');
  if (e.orgId)
    throw new DomainError(
      'ENTERPRISE_ORGANISATIONALLY_COVERED',
      `Enterprise ${creditCode} belongs to party organisation ${e.orgId}: its instructor is assigned on the organisation.`,
      'creditCode',
      'conflict',
    );
  if (sameAssignment(e, command)) return [];
  const othersCovered = caseloadOf(state, assignee.personId).filter((code) => code !== creditCode).length;
  if (othersCovered >= policy.maxWorkCoverageCaseload)
    throw new DomainError(
      'CASELOAD_EXCEEDED',
      `${assignee.name} (${assignee.personId}) already gives work coverage to ${othersCovered} enterprises, ` +
        `the most policy ${policy.version} allows (${policy.maxWorkCoverageCaseload}); assign someone else or free part of the caseload first.`,
      'assignee',
      'conflict',
    );
  const previous = e.workCoverage?.assignee;
  return [
    formationEvent<WorkCoverageAssigned>('WorkCoverageAssigned', {
      creditCode,
      district: e.district,
      coveredBy: command.coveredBy,
      assignee: { personId: assignee.personId, name: assignee.name },
      ...(previous && previous.personId !== assignee.personId && { previousAssignee: previous }),
      reason: e.workCoverage?.reason ?? reasonFromFacts(e),
      mustBeOrganisationallyCovered: e.employees >= policy.largeEnterpriseEmployees && e.fullMembers + e.probationaryMembers > 0,
      automatic: false,
      policyVersion: policy.version,
    }),
  ];
};
