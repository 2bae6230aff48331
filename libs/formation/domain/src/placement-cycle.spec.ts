import { CONCURRENT_PLACEMENT_CYCLE, type OrgLevel } from '@liangxin/contracts';
import fc from 'fast-check';
import type { ProposedParent } from './org';
import { placementClosingCycle, type TreeLink, undoPlacementClosingCycle } from './placement-cycle';
import { DEFAULT_FORMATION_POLICY } from './policy';

// Two officers moving organisations crosswise at the same instant (A under B, B under A), each on its own formation
// instance, each checked against what was read before the other's move: the later move is undone.
const district = '430104';
const link = (orgId: string, parentOrgId: string, placedAt: number, previousParentOrgId: string | null = null, level: OrgLevel = 'primary-committee'): TreeLink => ({
  orgId,
  district,
  level,
  parentOrgId,
  previousParentOrgId,
  placedAt,
  placedBy: `event-${placedAt}`,
  streamVersion: 3,
});
const live = (orgId: string, level: OrgLevel = 'primary-committee', dissolved = false): ProposedParent => ({ orgId, exists: true, dissolved, level, name: orgId });

describe('a cycle made by two moves of the same instant', () => {
  it('is closed by the move latest in the log, whichever organisation it moved', () => {
    expect(placementClosingCycle([link('a', 'b', 40), link('b', 'a', 41)]).orgId).toBe('b');
    expect(placementClosingCycle([link('a', 'b', 52), link('b', 'c', 17), link('c', 'a', 51)]).orgId).toBe('a');
  });

  it('is undone by moving that organisation back under its previous parent, recorded as automatic with the policy and reason', () => {
    expect(undoPlacementClosingCycle(link('b', 'a', 41, 'p'), live('p'), ['root'], DEFAULT_FORMATION_POLICY)).toEqual({
      type: 'OrgParentChanged',
      schemaVersion: expect.any(Number),
      data: {
        orgId: 'b',
        district,
        parentOrgId: 'p',
        previousParentOrgId: 'a',
        reason: CONCURRENT_PLACEMENT_CYCLE,
        automatic: true,
        policyVersion: DEFAULT_FORMATION_POLICY.version,
      },
    });
  });

  it.each([
    ['it had no parent before', null, []],
    ['its previous parent has been dissolved since', live('p', 'primary-committee', true), []],
    ['its previous parent no longer exists', { orgId: 'p', exists: false, dissolved: false }, []],
    ['its previous parent is now of a lower level', live('p', 'branch'), []],
    ['its previous parent now lies beneath it', live('p'), ['x', 'b']],
  ] as [string, ProposedParent | null, string[]][])('sends the organisation to the top of the tree when %s', (_why, previousParent, previousParentAncestors) => {
    const undo = undoPlacementClosingCycle(link('b', 'a', 41, previousParent ? 'p' : null), previousParent, previousParentAncestors, DEFAULT_FORMATION_POLICY);
    expect(undo.data).toMatchObject({ orgId: 'b', parentOrgId: null, previousParentOrgId: 'a' });
  });

  // A random forest; two organisations each moved under the other (or under something beneath the other), each move
  // allowed on the tree as it was before both; applied in a random order. After undoing the move that closed a cycle,
  // with the previous parent's ancestors read from the tree as it then is, no organisation is its own ancestor.
  it('leaves no cycle after any crosswise pair of moves (property)', () => {
    const ancestorsOf = (parents: Map<string, string>, id: string | undefined, stopAt: string): string[] => {
      const ids: string[] = [];
      for (let at = id; at && !ids.includes(at) && ids.length < 64; at = parents.get(at)) {
        ids.push(at);
        if (at === stopAt) break;
      }
      return ids;
    };
    const cycleThrough = (parents: Map<string, string>, placedAt: Map<string, number>, previous: Map<string, string | null>, orgId: string): TreeLink[] | undefined => {
      const links: TreeLink[] = [];
      for (let id = orgId; links.length < 64; ) {
        const parent = parents.get(id);
        if (!parent) return undefined;
        links.push(link(id, parent, placedAt.get(id) ?? 0, previous.get(id) ?? null));
        if (parent === orgId) return links;
        if (links.some((l) => l.orgId === parent)) return undefined;
        id = parent;
      }
      return undefined;
    };
    const hasCycle = (parents: Map<string, string>) => [...parents.keys()].some((id) => ancestorsOf(parents, parents.get(id), id).includes(id));

    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1, max: 9 }), { minLength: 4, maxLength: 10 }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        (parentIndexes, i, j, k, l, firstMoveFirst) => {
          const ids = parentIndexes.map((_, n) => `o${n}`);
          const parents = new Map<string, string>();
          // parents point to lower indexes only, so the starting tree has no cycle
          parentIndexes.forEach((p, n) => p >= 0 && p < n && parents.set(ids[n], ids[p]));
          const beneath = (root: string) => ids.filter((id) => id === root || ancestorsOf(parents, parents.get(id), root).includes(root));
          const [a, b] = [ids[i % ids.length], ids[j % ids.length]];
          if (a === b || beneath(a).includes(b) || beneath(b).includes(a)) return; // no crosswise pair here
          // a goes under something beneath b, and b under something beneath a: each fine alone
          const moves = [
            { orgId: a, to: beneath(b)[k % beneath(b).length] },
            { orgId: b, to: beneath(a)[l % beneath(a).length] },
          ];
          if (!firstMoveFirst) moves.reverse();
          const placedAt = new Map(ids.map((id) => [id, 0]));
          const previous = new Map<string, string | null>();
          moves.forEach(({ orgId, to }, n) => {
            previous.set(orgId, parents.get(orgId) ?? null);
            parents.set(orgId, to);
            placedAt.set(orgId, 100 + n);
          });
          expect(hasCycle(parents)).toBe(true);

          const cycle = cycleThrough(parents, placedAt, previous, moves[0].orgId) ?? cycleThrough(parents, placedAt, previous, moves[1].orgId);
          expect(cycle).toBeDefined();
          const closing = placementClosingCycle(cycle as TreeLink[]);
          expect(closing.orgId).toBe(moves[1].orgId);
          const back = closing.previousParentOrgId;
          const undo = undoPlacementClosingCycle(closing, back ? live(back) : null, back ? ancestorsOf(parents, parents.get(back), closing.orgId) : [], DEFAULT_FORMATION_POLICY);
          if (undo.data.parentOrgId) parents.set(closing.orgId, undo.data.parentOrgId);
          else parents.delete(closing.orgId);
          expect(hasCycle(parents)).toBe(false);
        },
      ),
    );
  });
});
