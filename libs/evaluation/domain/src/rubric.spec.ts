import { DeciderSpecification } from '@liangxin/event-sourcing/testing';
import { fold } from '@liangxin/event-sourcing';
import type { RubricPublished } from '@liangxin/contracts';
import { rubricDecider, rubricVersionOf, type PublishRubric } from './rubric';
import { defaultRubric } from './scoring';

const spec = DeciderSpecification.for(rubricDecider);

const publish = (overrides: Partial<PublishRubric> = {}): PublishRubric => ({
  type: 'PublishRubric',
  rubricId: 'five-standards',
  name: '五化',
  criteria: [
    { id: 'organisation-life', label: '组织生活正常化', weight: 2 },
    { id: 'role-played', label: '作用发挥', weight: 1 },
  ],
  starThresholds: [50, 60, 70, 80, 90],
  passScore: 60,
  ...overrides,
});

const published = (version: number, overrides: Partial<PublishRubric> = {}): RubricPublished => {
  const { type: _type, ...definition } = publish(overrides);
  return { type: 'RubricPublished', schemaVersion: 1, data: { ...definition, criteria: [...definition.criteria], starThresholds: [...definition.starThresholds] as RubricPublished['data']['starThresholds'], version } };
};

describe('rubric: PublishRubric', () => {
  it('publishes version 1 of a new rubric', () => spec.given([]).when(publish()).then([published(1)]));

  it('publishes the next version when the definition changes', () => spec.given([published(1)]).when(publish({ passScore: 65 })).then([published(2, { passScore: 65 })]));

  it('does nothing when the same definition is published again', () => spec.given([published(1)]).when(publish()).thenNothingHappens());

  it('keeps every version, so old assessments can be re-scored against the rubric they used', () => {
    const state = fold(rubricDecider, [published(1), published(2, { passScore: 65 })]);
    expect(rubricVersionOf(state)?.version).toBe(2);
    expect(rubricVersionOf(state, 1)?.passScore).toBe(60);
    expect(rubricVersionOf(state, 3)).toBeUndefined();
  });

  it('refuses a rubric id that cannot be a key', () => spec.given([]).when(publish({ rubricId: 'Five Standards' })).thenThrows('INVALID_RUBRIC_ID', 'rubricId'));

  it('refuses another rubric in this stream', () => spec.given([published(1)]).when(publish({ rubricId: 'double-strong' })).thenThrows('WRONG_RUBRIC'));

  it('wants a name', () => spec.given([]).when(publish({ name: ' ' })).thenThrows('NAME_REQUIRED', 'name'));

  it('wants criteria', () => spec.given([]).when(publish({ criteria: [] })).thenThrows('NO_CRITERIA', 'criteria'));

  it('refuses a criterion id that cannot be a key', () =>
    spec.given([]).when(publish({ criteria: [{ id: 'Role', label: 'x', weight: 1 }] })).thenThrows('INVALID_CRITERION_ID', 'criteria.0.id'));

  it('refuses a criterion named twice', () =>
    spec
      .given([])
      .when(publish({ criteria: [{ id: 'a', label: 'x', weight: 1 }, { id: 'a', label: 'y', weight: 1 }] }))
      .thenThrows('DUPLICATE_CRITERION', 'criteria.1.id'));

  it.each([0, -1, Number.NaN])('refuses the weight %p', (weight) =>
    spec.given([]).when(publish({ criteria: [{ id: 'a', label: 'x', weight }] })).thenThrows('INVALID_WEIGHT', 'criteria.0.weight'));

  it.each([
    ['too few', [50, 60, 70, 80]],
    ['not rising', [50, 60, 60, 80, 90]],
    ['out of range', [50, 60, 70, 80, 101]],
  ])('refuses star thresholds %s', (_, starThresholds) => spec.given([]).when(publish({ starThresholds })).thenThrows('INVALID_STAR_THRESHOLDS', 'starThresholds'));

  it('refuses a pass score outside 0–100', () => spec.given([]).when(publish({ passScore: 120 })).thenThrows('INVALID_PASS_SCORE', 'passScore'));
});

describe('the default rubric', () => {
  it('is one the rubric decider would publish', () => {
    const { rubricId, name, criteria, starThresholds, passScore } = defaultRubric;
    expect(rubricDecider.decide({ type: 'PublishRubric', rubricId, name, criteria, starThresholds, passScore }, rubricDecider.initialState())).toEqual([
      { type: 'RubricPublished', schemaVersion: 1, data: defaultRubric },
    ]);
  });
});
