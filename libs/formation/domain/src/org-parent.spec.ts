import type { OrgEvent, OrgLevel } from '@liangxin/contracts';
import { DeciderSpecification } from '@liangxin/event-sourcing/testing';
import fc from 'fast-check';
import { type ChangeOrgParent, decideOrg, evolveOrg, type OrgState, orgDecider, type ProposedParent } from './org';
import { DEFAULT_FORMATION_POLICY } from './policy';

// The organisation tree (docs/domain.md): upper-level organisations formed over other organisations without enterprises
// of their own, and officers placing organisations under a parent or detaching them, never making a cycle.
const spec = DeciderSpecification.for(orgDecider);
const district = '430104';

const formed = (orgId: string, level: OrgLevel = 'branch', extra: { parentOrgId?: string; umbrella?: boolean } = {}): OrgEvent => ({
  type: 'OrgFormed',
  schemaVersion: 1,
  data: {
    orgId,
    district,
    name: `${orgId} 党组织`,
    mode: extra.umbrella ? 'industry-chain-joint' : 'building-shared',
    level,
    committeeSize: 0,
    enterprises: extra.umbrella ? [] : [{ creditCode: `E-${orgId}`, fullMembers: 3, probationaryMembers: 0 }],
    fullMembers: extra.umbrella ? 0 : 3,
    probationaryMembers: 0,
    automatic: false,
    policyVersion: DEFAULT_FORMATION_POLICY.version,
    ...extra,
  },
});
const committee = formed('c1', 'primary-committee', { umbrella: true });
const parentOf = (orgId: string, level: OrgLevel = 'primary-committee', dissolved = false): ProposedParent => ({ orgId, exists: true, dissolved, level, name: `${orgId} 党组织` });
const place = (orgId: string, parent: ProposedParent | null, parentAncestors: string[] = []): ChangeOrgParent => ({
  type: 'ChangeOrgParent',
  data: { orgId, parent, parentAncestors, reason: '产业链党委统一管理' },
});

describe('upper-level organisations without enterprises (formUmbrellaOrg)', () => {
  const form = (level: OrgLevel | undefined, mode: 'industry-chain-joint' | 'joint' | 'standalone' | 'area-unified' = 'industry-chain-joint') => ({
    type: 'FormOrg' as const,
    data: { orgId: 'c1', district, name: ' 工程机械产业链党委 ', mode, enterprises: [], ...(level && { level }) },
  });

  it.each(['primary-committee', 'general-branch'] as const)('forms a %s with no enterprises and no members, its level the officer’s', (level) =>
    spec
      .given([])
      .when(form(level))
      .then([
        {
          type: 'OrgFormed',
          schemaVersion: 1,
          data: {
            orgId: 'c1',
            district,
            name: '工程机械产业链党委',
            mode: 'industry-chain-joint',
            level,
            committeeSize: 0,
            enterprises: [],
            fullMembers: 0,
            probationaryMembers: 0,
            automatic: false,
            policyVersion: DEFAULT_FORMATION_POLICY.version,
            umbrella: true,
          },
        },
      ]));

  it('refuses a plain branch without enterprises, and a standalone or joint mode for an umbrella', () => {
    spec.given([]).when(form(undefined)).thenThrows('NO_ENTERPRISES');
    spec.given([]).when(form('branch')).thenThrows('NO_ENTERPRISES');
    spec.given([]).when(form('primary-committee', 'joint')).thenThrows('UMBRELLA_MODE');
    spec.given([]).when(form('primary-committee', 'standalone')).thenThrows('UMBRELLA_MODE', 'mode');
  });

  it('refuses a level that does not follow the members when enterprises are given (rule 6)', () =>
    spec
      .given([])
      .when({ type: 'FormOrg', data: { orgId: 'o1', district, name: 'x', mode: 'building-shared', enterprises: [{ creditCode: 'E1', district, fullMembers: 3, probationaryMembers: 0 }], level: 'primary-committee' } })
      .thenThrows('LEVEL_FOLLOWS_MEMBERS'));

  it('forms under a parent only when the parent is active and of its level or above', () => {
    const under = (parent: ProposedParent, level: OrgLevel = 'general-branch') => ({ ...form(level), data: { ...form(level).data, parentOrgId: parent.orgId, parent } });
    spec
      .given([])
      .when(under(parentOf('c0')))
      .thenMatches((events) => expect(events[0].data).toMatchObject({ parentOrgId: 'c0', level: 'general-branch', umbrella: true }));
    spec.given([]).when(under({ orgId: 'nope', exists: false, dissolved: false })).thenThrows('PARENT_NOT_FOUND', 'parentOrgId');
    spec.given([]).when(under(parentOf('c0', 'primary-committee', true))).thenThrows('PARENT_DISSOLVED', 'parentOrgId');
    spec.given([]).when(under(parentOf('g0', 'general-branch'), 'primary-committee')).thenThrows('PARENT_LEVEL_TOO_LOW', 'parentOrgId');
    spec.given([]).when(under(parentOf('c1'))).thenThrows('PARENT_IS_ITSELF', 'parentOrgId');
    const branchUnder = (parent: ProposedParent) => ({
      type: 'FormOrg' as const,
      data: { orgId: 'o1', district, name: 'x', mode: 'building-shared' as const, enterprises: [{ creditCode: 'E1', district, fullMembers: 3, probationaryMembers: 0 }], parentOrgId: parent.orgId, parent },
    });
    spec.given([]).when(branchUnder(parentOf('b0', 'branch'))).thenMatches((events) => expect(events[0].data).toMatchObject({ parentOrgId: 'b0', level: 'branch' }));
    spec.given([]).when(branchUnder(parentOf('c0', 'primary-committee', true))).thenThrows('PARENT_DISSOLVED', 'parentOrgId');
  });

  it('takes no enterprises of its own afterwards: add and absorb are refused', () => {
    spec.given([committee]).when({ type: 'AddEnterprise', data: { orgId: 'c1', enterprise: { creditCode: 'E9', district, fullMembers: 3, probationaryMembers: 0 } } }).thenThrows('UMBRELLA_HOLDS_NO_ENTERPRISES');
    spec
      .given([committee])
      .when({ type: 'AbsorbOrg', data: { orgId: 'c1', merged: { orgId: 'o2', district, dissolved: false, enterprises: [{ creditCode: 'E9', fullMembers: 3, probationaryMembers: 0 }] }, reason: 'x' } })
      .thenThrows('UMBRELLA_HOLDS_NO_ENTERPRISES');
  });
});

describe('placing an organisation in the tree (changeOrgParent)', () => {
  it('places an organisation under a committee, recording the previous parent', () =>
    spec
      .given([formed('o1')])
      .when(place('o1', parentOf('c1')))
      .then([{ type: 'OrgParentChanged', schemaVersion: 2, data: { orgId: 'o1', district, parentOrgId: 'c1', previousParentOrgId: null, reason: '产业链党委统一管理', automatic: false } }]));

  it('moves it to another parent and detaches it', () => {
    spec
      .given([formed('o1', 'branch', { parentOrgId: 'c1' })])
      .when(place('o1', parentOf('c2')))
      .thenMatches((events) => expect(events[0].data).toMatchObject({ parentOrgId: 'c2', previousParentOrgId: 'c1' }));
    spec
      .given([formed('o1', 'branch', { parentOrgId: 'c1' })])
      .when(place('o1', null))
      .thenMatches((events) => expect(events[0].data).toMatchObject({ parentOrgId: null, previousParentOrgId: 'c1' }));
  });

  it('refuses the organisation itself, a parent beneath it (a cycle), an unknown or dissolved parent, and a parent of a lower level', () => {
    spec.given([formed('o1')]).when(place('o1', parentOf('o1'))).thenThrows('PARENT_IS_ITSELF', 'parentOrgId');
    // c1 is under o2, which is under o1: o1 under c1 would make o1 its own ancestor
    spec.given([committee]).when(place('c1', parentOf('o2', 'primary-committee'), ['c1'])).thenThrows('PARENT_CYCLE', 'parentOrgId');
    spec.given([committee]).when(place('c1', parentOf('b1', 'primary-committee'), ['o2', 'c1', 'o9'])).thenThrows('PARENT_CYCLE', 'parentOrgId');
    spec.given([formed('o1')]).when(place('o1', { orgId: 'nope', exists: false, dissolved: false })).thenThrows('PARENT_NOT_FOUND', 'parentOrgId');
    spec.given([formed('o1')]).when(place('o1', parentOf('c1', 'primary-committee', true))).thenThrows('PARENT_DISSOLVED', 'parentOrgId');
    spec.given([committee]).when(place('c1', parentOf('b1', 'branch'))).thenThrows('PARENT_LEVEL_TOO_LOW', 'parentOrgId');
    spec.given([formed('g1', 'general-branch')]).when(place('g1', parentOf('b1', 'branch'))).thenThrows('PARENT_LEVEL_TOO_LOW', 'parentOrgId');
  });

  it('refuses an unknown or dissolved organisation, no reason, the same parent again, and detaching a root', () => {
    spec.given([]).when(place('o1', parentOf('c1'))).thenThrows('ORG_NOT_FOUND');
    spec
      .given([formed('o1'), { type: 'OrgDissolved', schemaVersion: 1, data: { orgId: 'o1', district, reason: 'officer-decision', enterprisesReleased: ['E-o1'], automatic: false } }])
      .when(place('o1', parentOf('c1')))
      .thenThrows('ORG_DISSOLVED');
    spec.given([formed('o1')]).when({ ...place('o1', parentOf('c1')), data: { ...place('o1', parentOf('c1')).data, reason: '  ' } }).thenThrows('REASON_REQUIRED');
    spec.given([formed('o1', 'branch', { parentOrgId: 'c1' })]).when(place('o1', parentOf('c1'))).thenThrows('ALREADY_UNDER_PARENT', 'parentOrgId');
    spec.given([formed('o1')]).when(place('o1', null)).thenThrows('HAS_NO_PARENT', 'parentOrgId');
  });

  it('evolves the parent: set, then removed', () => {
    const change = (parentOrgId: string | null): OrgEvent => ({ type: 'OrgParentChanged', schemaVersion: 2, data: { orgId: 'o1', district, parentOrgId, previousParentOrgId: null, reason: 'x', automatic: false } });
    const placed = [formed('o1'), change('c1')].reduce<OrgState>(evolveOrg, { exists: false });
    expect(placed).toMatchObject({ parentOrgId: 'c1' });
    const detached = evolveOrg(placed, change(null));
    expect(detached.exists && detached.parentOrgId).toBeUndefined();
  });
});

describe('invariant: no organisation is ever its own ancestor', () => {
  // A small forest of organisations of random levels; random placements and detachments go through the decider with
  // the ancestors walked the way the service walks them (from the proposed parent's parent upwards, stopping at the
  // organisation moved or at an id seen twice). Whatever is accepted, every walk up from every organisation ends.
  const ORGS = 7;
  const LEVELS: OrgLevel[] = ['branch', 'general-branch', 'primary-committee'];
  const ancestorsOf = (parents: Map<string, string | undefined>, first: string | undefined, stopAt: string): string[] => {
    const ids: string[] = [];
    for (let id = first; id && !ids.includes(id); id = parents.get(id)) {
      ids.push(id);
      if (id === stopAt) break;
    }
    return ids;
  };

  it('holds after any sequence of placements and detachments', () =>
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...LEVELS), { minLength: ORGS, maxLength: ORGS }),
        fc.array(fc.record({ child: fc.nat(ORGS - 1), parent: fc.option(fc.nat(ORGS - 1), { nil: null }) }), { maxLength: 60 }),
        (levels, moves) => {
          const ids = levels.map((_l, i) => `o${i}`);
          const states = new Map<string, OrgState>(ids.map((id, i) => [id, evolveOrg({ exists: false }, formed(id, levels[i]))]));
          const parents = new Map<string, string | undefined>(ids.map((id) => [id, undefined]));
          for (const move of moves) {
            const child = ids[move.child];
            const parentId = move.parent === null ? null : ids[move.parent];
            const parentState = parentId ? states.get(parentId) : undefined;
            const parent: ProposedParent | null =
              parentId && parentState?.exists ? { orgId: parentId, exists: true, dissolved: false, level: parentState.level, name: parentState.name } : null;
            const parentAncestors = parentId ? ancestorsOf(parents, parents.get(parentId), child) : [];
            let events: OrgEvent[];
            try {
              events = decideOrg(place(child, parent, parentAncestors), states.get(child) as OrgState);
            } catch {
              continue;
            }
            const next = events.reduce(evolveOrg, states.get(child) as OrgState);
            states.set(child, next);
            parents.set(child, next.exists ? next.parentOrgId : undefined);
          }
          for (const id of ids) {
            const seen = new Set<string>();
            for (let at = parents.get(id); at; at = parents.get(at)) {
              expect(at).not.toBe(id);
              expect(seen.has(at)).toBe(false);
              seen.add(at);
            }
          }
        },
      ),
      { numRuns: 300 },
    ));
});
