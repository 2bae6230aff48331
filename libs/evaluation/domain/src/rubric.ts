import { EVALUATION_SCHEMA_VERSIONS, type Rubric, type RubricCriterion, type RubricPublished } from '@liangxin/contracts';
import { DomainError, type Decider } from '@liangxin/event-sourcing';

export type PublishRubric = {
  type: 'PublishRubric';
  rubricId: string;
  name: string;
  criteria: readonly RubricCriterion[];
  starThresholds: readonly number[];
  passScore: number;
};

export type RubricCommand = PublishRubric;

/** Every published version, oldest first; `current` is the newest. */
export type RubricState = { current?: Rubric; versions: readonly Rubric[] };

/** The version an assessment is scored against: the one named, or the newest. */
export const rubricVersionOf = (state: RubricState, version?: number): Rubric | undefined =>
  version === undefined ? state.current : state.versions.find((rubric) => rubric.version === version);

const KEY = /^[a-z0-9][a-z0-9-]{0,63}$/;

const requireValidDefinition = (command: PublishRubric): void => {
  if (!KEY.test(command.rubricId)) throw new DomainError('INVALID_RUBRIC_ID', 'A rubric id is lower-case letters, digits and dashes', 'rubricId');
  if (command.name.trim() === '') throw new DomainError('NAME_REQUIRED', 'A rubric needs a name', 'name');
  if (command.criteria.length === 0) throw new DomainError('NO_CRITERIA', 'A rubric needs at least one criterion', 'criteria');
  const seen = new Set<string>();
  for (const [index, criterion] of command.criteria.entries()) {
    if (!KEY.test(criterion.id)) throw new DomainError('INVALID_CRITERION_ID', 'A criterion id is lower-case letters, digits and dashes', `criteria.${index}.id`);
    if (seen.has(criterion.id)) throw new DomainError('DUPLICATE_CRITERION', `Criterion ${criterion.id} appears twice`, `criteria.${index}.id`);
    seen.add(criterion.id);
    if (!Number.isFinite(criterion.weight) || criterion.weight <= 0) {
      throw new DomainError('INVALID_WEIGHT', `The weight of ${criterion.id} must be positive`, `criteria.${index}.weight`);
    }
  }
  const thresholds = command.starThresholds;
  if (thresholds.length !== 5) throw new DomainError('INVALID_STAR_THRESHOLDS', 'Six stars need exactly five thresholds', 'starThresholds');
  const inRange = thresholds.every((t) => Number.isFinite(t) && t >= 0 && t <= 100);
  const ascending = thresholds.every((t, i) => i === 0 || t > thresholds[i - 1]);
  if (!inRange || !ascending) throw new DomainError('INVALID_STAR_THRESHOLDS', 'Star thresholds must rise strictly between 0 and 100', 'starThresholds');
  if (!Number.isFinite(command.passScore) || command.passScore < 0 || command.passScore > 100) {
    throw new DomainError('INVALID_PASS_SCORE', 'The pass score must be between 0 and 100', 'passScore');
  }
};

const sameDefinition = (rubric: Rubric, command: PublishRubric): boolean =>
  rubric.name === command.name &&
  rubric.passScore === command.passScore &&
  rubric.starThresholds.every((t, i) => t === command.starThresholds[i]) &&
  rubric.criteria.length === command.criteria.length &&
  rubric.criteria.every((c, i) => c.id === command.criteria[i].id && c.label === command.criteria[i].label && c.weight === command.criteria[i].weight);

export const decideRubric = (command: RubricCommand, state: RubricState): RubricPublished[] => {
  requireValidDefinition(command);
  if (state.current && state.current.rubricId !== command.rubricId) {
    throw new DomainError('WRONG_RUBRIC', `This stream holds rubric ${state.current.rubricId}`, 'rubricId');
  }
  // publishing the same definition again is a retry, not a new version
  if (state.current && sameDefinition(state.current, command)) return [];
  return [
    {
      type: 'RubricPublished',
      schemaVersion: EVALUATION_SCHEMA_VERSIONS.RubricPublished,
      data: {
        rubricId: command.rubricId,
        version: (state.current?.version ?? 0) + 1,
        name: command.name,
        criteria: command.criteria.map((c) => ({ id: c.id, label: c.label, weight: c.weight })),
        starThresholds: [...command.starThresholds] as Rubric['starThresholds'],
        passScore: command.passScore,
      },
    },
  ];
};

export const evolveRubric = (state: RubricState, event: RubricPublished): RubricState => ({
  current: event.data,
  versions: [...state.versions, event.data],
});

export const rubricDecider: Decider<RubricCommand, RubricState, RubricPublished> = {
  decide: decideRubric,
  evolve: evolveRubric,
  initialState: () => ({ versions: [] }),
};
