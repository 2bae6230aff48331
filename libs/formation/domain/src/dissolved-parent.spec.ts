import { type FormationEvent, type OrgLevel, type OrgParentChanged, PARENT_DISSOLVED, type RegistryEvent } from '@liangxin/contracts';
import fc from 'fast-check';
import { canHold } from './org';
import { evolveWithFormationEvent, initialPlacementState, type PlacementState } from './placement';
import { DEFAULT_FORMATION_POLICY as policy } from './policy';
import { planLiftAfterDissolution, react } from './process-manager';

// The organisation tree (docs/domain.md) when an organisation in it is dissolved: the organisations beneath it move up,
// to the organisation that absorbed it or to its own parent, and never stay under a dissolved one.
const district = '430104';

const formed = (orgId: string, level: OrgLevel, parentOrgId?: string): FormationEvent => ({
  type: 'OrgFormed',
  schemaVersion: 1,
  data: {
    orgId,
    district,
    name: `${orgId} 党组织`,
    mode: 'industry-chain-joint',
    level,
    committeeSize: 0,
    enterprises: [],
    fullMembers: 0,
    probationaryMembers: 0,
    umbrella: true,
    automatic: false,
    ...(parentOrgId && { parentOrgId }),
  },
});
const dissolved = (orgId: string, mergedInto?: string): FormationEvent => ({
  type: 'OrgDissolved',
  schemaVersion: 1,
  data: { orgId, district, reason: mergedInto ? 'merged' : 'officer-decision', enterprisesReleased: [], automatic: false, ...(mergedInto && { mergedInto }) },
});
const placed = (orgId: string, parentOrgId: string | null): FormationEvent => ({
  type: 'OrgParentChanged',
  schemaVersion: 2,
  data: { orgId, district, parentOrgId, previousParentOrgId: null, reason: '统一管理', automatic: false },
});

const given = (events: FormationEvent[]): PlacementState => {
  const state = initialPlacementState();
  for (const event of events) evolveWithFormationEvent(state, event);
  return state;
};
/** the moves planned after `orgId` was dissolved, as [child, new parent] */
const movesAfter = (state: PlacementState, orgId: string, mergedInto?: string) =>
  planLiftAfterDissolution(state, orgId, policy, mergedInto).map((append) => {
    const data = (append.events[0] as OrgParentChanged).data;
    return [data.orgId, data.parentOrgId];
  });

describe('an organisation beneath a dissolved one moves up (planLiftAfterDissolution)', () => {
  const tree = [formed('county', 'primary-committee'), formed('park', 'general-branch', 'county'), formed('b1', 'branch', 'park'), formed('g2', 'general-branch', 'park')];

  it('goes under the dissolved organisation’s parent, recorded as an automatic decision caused by the dissolution', () => {
    const state = given([...tree, dissolved('park')]);
    const planned = planLiftAfterDissolution(state, 'park', policy);
    expect(planned).toEqual([
      {
        streamId: 'org-b1',
        expectedVersion: 0,
        events: [
          {
            type: 'OrgParentChanged',
            schemaVersion: 2,
            data: { orgId: 'b1', district, parentOrgId: 'county', previousParentOrgId: 'park', reason: PARENT_DISSOLVED, automatic: true, policyVersion: policy.version },
          },
        ],
        metadata: { actor: 'system:formation', policyVersion: policy.version, district },
      },
      expect.objectContaining({ streamId: 'org-g2', expectedVersion: 0 }),
    ]);
    expect(state.orgs.get('g2')?.parentOrgId).toBe('county');
    expect([...(state.children.get('county') ?? [])].sort()).toEqual(['b1', 'g2', 'park']);
  });

  it('goes to the top when the parent above is dissolved too, or cannot hold it', () => {
    expect(movesAfter(given([...tree, dissolved('county'), dissolved('park')]), 'park')).toEqual([
      ['b1', null],
      ['g2', null],
    ]);
    const underBranch = [formed('top', 'branch'), formed('mid', 'branch', 'top'), formed('g', 'general-branch'), placed('g', 'mid'), dissolved('mid')];
    expect(movesAfter(given(underBranch), 'mid')).toEqual([['g', null]]);
  });

  it('after a merge goes under the organisation that absorbed its parent, unless that is itself or beneath it', () => {
    expect(movesAfter(given([...tree, formed('other', 'primary-committee'), dissolved('park', 'other')]), 'park', 'other')).toEqual([
      ['b1', 'other'],
      ['g2', 'other'],
    ]);
    // park merged into its own child g2: g2 goes up to county, b1 under g2
    expect(movesAfter(given([...tree, dissolved('park', 'g2')]), 'park', 'g2')).toEqual([
      ['b1', 'g2'],
      ['g2', 'county'],
    ]);
  });

  it('plans nothing once the moves are folded (a retried dissolution), nor for a live organisation', () => {
    const state = given([...tree, dissolved('park')]);
    expect(planLiftAfterDissolution(state, 'park', policy)).toHaveLength(2);
    expect(planLiftAfterDissolution(state, 'park', policy)).toEqual([]);
    expect(planLiftAfterDissolution(given(tree), 'park', policy)).toEqual([]);
  });
});

describe('an automatic dissolution moves the organisations beneath it in the same reaction', () => {
  const code = (i: number) => `9143010400000000${String.fromCharCode(65 + i)}X`;
  const registered = (i: number, full: number): RegistryEvent => ({
    type: 'EnterpriseRegistered',
    schemaVersion: 1,
    data: { creditCode: code(i), district, name: `E${i}`, kind: 'enterprise', employees: 10, fullMembers: full, probationaryMembers: 0 },
  });

  it('a standalone branch that falls below three full members is dissolved and the branch beneath it goes to the top', () => {
    const state = initialPlacementState();
    const versions = new Map<string, number>();
    const deliver = (event: RegistryEvent) => {
      const version = (versions.get(event.data.creditCode) ?? -1) + 1;
      versions.set(event.data.creditCode, version);
      // without the placement claims that precede every placement (enterprise-placement.spec.ts)
      return react(state, event, version, policy).filter((a) => !a.events.every((e) => e.type === 'EnterprisePlacementClaimed'));
    };
    const [upper] = deliver(registered(0, 3));
    const [lower] = deliver(registered(1, 3));
    const upperId = upper.streamId.slice('org-'.length);
    const lowerId = lower.streamId.slice('org-'.length);
    evolveWithFormationEvent(state, placed(lowerId, upperId));
    const drop: RegistryEvent = {
      type: 'MemberCountChanged',
      schemaVersion: 1,
      data: { creditCode: code(0), district, fullMembers: 1, probationaryMembers: 0, previousFullMembers: 3, previousProbationaryMembers: 0, reason: 'transfer-out' },
    };
    const planned = deliver(drop);
    const events = planned.flatMap((append) => append.events);
    expect(events.map((e) => e.type)).toContain('OrgDissolved');
    const move = planned.find((append) => append.streamId === `org-${lowerId}`);
    expect(move).toMatchObject({ expectedVersion: 1, events: [{ type: 'OrgParentChanged', data: { parentOrgId: null, previousParentOrgId: upperId, reason: PARENT_DISSOLVED, automatic: true } }] });
    expect(state.orgs.get(lowerId)?.parentOrgId).toBeUndefined();
  });
});

describe('property: no live organisation is ever left under a dissolved one, and the tree never cycles', () => {
  const LEVELS: OrgLevel[] = ['branch', 'general-branch', 'primary-committee'];
  const arbitraryTree = fc.array(fc.tuple(fc.constantFrom(...LEVELS), fc.nat()), { minLength: 1, maxLength: 12 });

  it('holds after any sequence of dissolutions and merges', () => {
    fc.assert(
      fc.property(arbitraryTree, fc.array(fc.tuple(fc.nat(), fc.option(fc.nat(), { nil: undefined })), { maxLength: 12 }), (shape, dissolutions) => {
        // each organisation may sit under an earlier one that can hold it (so the forest starts valid)
        const events: FormationEvent[] = [];
        shape.forEach(([level, pick], i) => {
          const candidates = shape.slice(0, i).flatMap(([l], j) => (canHold(l, level) ? [`o${j}`] : []));
          events.push(formed(`o${i}`, level, candidates.length > 0 && pick % 3 !== 0 ? candidates[pick % candidates.length] : undefined));
        });
        const state = given(events);
        for (const [which, into] of dissolutions) {
          const live = [...state.orgs.values()].filter((o) => !o.dissolved);
          if (live.length === 0) break;
          const org = live[which % live.length];
          const survivor = into === undefined ? undefined : live[into % live.length];
          const mergedInto = survivor && survivor.orgId !== org.orgId ? survivor.orgId : undefined;
          evolveWithFormationEvent(state, dissolved(org.orgId, mergedInto));
          planLiftAfterDissolution(state, org.orgId, policy, mergedInto);
        }
        for (const org of state.orgs.values()) {
          if (org.dissolved || !org.parentOrgId) continue;
          const parent = state.orgs.get(org.parentOrgId);
          expect(parent?.dissolved).toBe(false);
          const seen = new Set([org.orgId]);
          for (let id: string | undefined = org.parentOrgId; id; id = state.orgs.get(id)?.parentOrgId) {
            expect(seen.has(id)).toBe(false);
            seen.add(id);
          }
        }
      }),
    );
  });
});
