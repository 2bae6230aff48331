import {
  EVALUATION_SCHEMA_VERSIONS,
  type AssessmentCompleted,
  type AssessmentCorrected,
  type AssessmentOutcome,
  type CriterionScores,
  type Rubric,
} from '@liangxin/contracts';
import { DomainError, type Decider } from '@liangxin/event-sourcing';
import { type AssessedOrganisation, wasActiveIn } from './organisation';
import { rate } from './scoring';

/** The service loads the rubric version (the newest unless one is named) and hands it in: the decider stays pure. */
export type CompleteAssessment = {
  type: 'CompleteAssessment';
  orgId: string;
  district: string;
  year: number;
  rubric: Rubric;
  scores: CriterionScores;
  assessor?: string;
  /** the organisation as formation's stream records it, loaded by the service */
  organisation: AssessedOrganisation;
  /** the year now, in China (deciders read no clock) */
  currentYear: number;
};

export type CorrectAssessment = {
  type: 'CorrectAssessment';
  orgId: string;
  year: number;
  rubric: Rubric;
  scores: CriterionScores;
  reason: string;
};

export type AssessmentCommand = CompleteAssessment | CorrectAssessment;
export type AssessmentEvent = AssessmentCompleted | AssessmentCorrected;

/** One organisation's reviews, by year, each as it stands after any correction. */
export type AssessmentState = { orgId?: string; district?: string; byYear: ReadonlyMap<number, AssessmentOutcome> };

export const initialAssessmentState = (): AssessmentState => ({ byYear: new Map() });

export const evolveAssessment = (state: AssessmentState, event: AssessmentEvent): AssessmentState => {
  const { orgId, district, year, rubricId, rubricVersion, scores, totalScore, stars, passed } = event.data;
  const outcome: AssessmentOutcome = { orgId, district, year, rubricId, rubricVersion, scores, totalScore, stars, passed };
  return { orgId, district, byYear: new Map(state.byYear).set(year, outcome) };
};

/** The organisation's history, oldest year first. */
export const assessmentHistory = (state: AssessmentState): AssessmentOutcome[] => [...state.byYear.values()].sort((a, b) => a.year - b.year);

const requireYear = (year: number): void => {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new DomainError('INVALID_YEAR', 'The year under review must be between 2000 and 2100', 'year');
};

const requireSameOrg = (state: AssessmentState, orgId: string): void => {
  if (orgId.trim() === '') throw new DomainError('ORG_REQUIRED', 'An assessment is of an organisation', 'orgId');
  if (state.orgId !== undefined && state.orgId !== orgId) throw new DomainError('WRONG_ORG', `This history belongs to ${state.orgId}`, 'orgId');
};

/** The organisation exists, is of the district named, and was active in the year under review, which is over or under way. */
const requireRatableOrganisation = ({ organisation, orgId, district, year, currentYear }: CompleteAssessment): void => {
  if (!organisation.formed) throw new DomainError('ORG_NOT_FOUND', `No party organisation ${orgId} has been formed`, 'orgId', 'not_found');
  if (organisation.district !== district) throw new DomainError('ORG_NOT_IN_DISTRICT', `Organisation ${orgId} belongs to district ${organisation.district}, not ${district}`, 'district');
  if (year > currentYear) throw new DomainError('YEAR_IN_FUTURE', `The ${year} review cannot be made yet: it is ${currentYear}`, 'year');
  if (!wasActiveIn(organisation, year)) {
    throw new DomainError('ORG_NOT_ACTIVE', `Organisation ${orgId} was not active in ${year} (formed ${organisation.formedAt}${organisation.endedAt ? `, ended ${organisation.endedAt}` : ''})`, 'orgId', 'conflict');
  }
};

const sameScores = (a: CriterionScores, b: CriterionScores): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
};

export const decideAssessment = (command: AssessmentCommand, state: AssessmentState): AssessmentEvent[] => {
  requireSameOrg(state, command.orgId);
  requireYear(command.year);
  const { rubricId, version: rubricVersion } = command.rubric;
  switch (command.type) {
    case 'CompleteAssessment': {
      if (!/^\d{6}$/.test(command.district)) throw new DomainError('INVALID_DISTRICT', 'The district must be a 6-digit administrative division code', 'district');
      requireRatableOrganisation(command);
      if (state.byYear.has(command.year)) {
        throw new DomainError(
          'ASSESSMENT_ALREADY_COMPLETED',
          `${command.orgId} was already assessed for ${command.year}; send a correction to change it`,
          'year',
          'conflict',
        );
      }
      const rating = rate(command.rubric, command.scores);
      return [
        {
          type: 'AssessmentCompleted',
          schemaVersion: EVALUATION_SCHEMA_VERSIONS.AssessmentCompleted,
          data: {
            orgId: command.orgId,
            district: command.district,
            year: command.year,
            rubricId,
            rubricVersion,
            scores: { ...command.scores },
            ...rating,
            ...(command.assessor !== undefined && { assessor: command.assessor }),
          },
        },
      ];
    }
    case 'CorrectAssessment': {
      const previous = state.byYear.get(command.year);
      if (!previous) throw new DomainError('ASSESSMENT_NOT_FOUND', `${command.orgId} has no assessment for ${command.year} to correct`, 'year', 'not_found');
      const reason = command.reason.trim();
      if (reason === '') throw new DomainError('REASON_REQUIRED', 'A correction says why', 'reason');
      const rating = rate(command.rubric, command.scores);
      // a retried correction changes nothing
      if (previous.rubricId === rubricId && previous.rubricVersion === rubricVersion && sameScores(previous.scores, command.scores)) return [];
      return [
        {
          type: 'AssessmentCorrected',
          schemaVersion: EVALUATION_SCHEMA_VERSIONS.AssessmentCorrected,
          data: {
            orgId: command.orgId,
            district: previous.district,
            year: command.year,
            rubricId,
            rubricVersion,
            scores: { ...command.scores },
            ...rating,
            previousTotalScore: previous.totalScore,
            previousStars: previous.stars,
            previousPassed: previous.passed,
            reason,
          },
        },
      ];
    }
  }
};

/** One organisation's annual assessments (stream `evaluation-org-<orgId>`): one per year, changed only by corrections. */
export const assessmentDecider: Decider<AssessmentCommand, AssessmentState, AssessmentEvent> = {
  decide: decideAssessment,
  evolve: evolveAssessment,
  initialState: initialAssessmentState,
};
