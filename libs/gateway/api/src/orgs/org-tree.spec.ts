import fc from 'fast-check';
import { addTotals, buildOrgForest, buildOrgTree, emptyTotals, totalOf, type TreeNode, type TreeOrg, type TreeTotals } from './org-tree';

const org = (id: string, parentOrgId: string | null, over: Partial<TreeOrg> = {}): TreeOrg => ({
  id,
  name: `${id} 党组织`,
  parentOrgId,
  status: 'active',
  level: 'branch',
  mode: 'standalone',
  district: '430104',
  enterprises: 1,
  fullMembers: 3,
  probationaryMembers: 0,
  stars: null,
  subsidiesReceivedFen: 0,
  ...over,
});

const stars = (counts: Partial<TreeTotals['stars']>): TreeTotals['stars'] => ({ ...emptyTotals().stars, ...counts });
const ids = (node: TreeNode): string[] => [node.id, ...node.children.flatMap(ids)];

describe('the organisation tree roll-up', () => {
  // a committee over a general branch (with two branches, one dissolved) and a liaison group
  const orgs = [
    org('committee', null, { level: 'committee', enterprises: 0, fullMembers: 5, probationaryMembers: 1, stars: 5, subsidiesReceivedFen: 50_000 }),
    org('general', 'committee', { level: 'general-branch', enterprises: 2, fullMembers: 10, probationaryMembers: 2, stars: 3, subsidiesReceivedFen: 20_000 }),
    org('store-1', 'general', { enterprises: 1, fullMembers: 4, probationaryMembers: 1, stars: 0, subsidiesReceivedFen: 10_000 }),
    org('store-2', 'general', { status: 'dissolved', enterprises: 1, fullMembers: 3, stars: 2, subsidiesReceivedFen: 7_000 }),
    org('liaison', 'committee', { mode: 'joint', enterprises: 4, fullMembers: 6, probationaryMembers: 0, subsidiesReceivedFen: 0 }),
    org('elsewhere', null, { fullMembers: 100 }),
  ];

  it('totals a node itself and its whole subtree exactly: active organisations, enterprises, members, stars, subsidies', () => {
    const tree = buildOrgTree(orgs, 'committee') as TreeNode;
    expect(tree.own).toEqual({ organisations: 1, enterprises: 0, fullMembers: 5, probationaryMembers: 1, stars: stars({ '5': 1 }), subsidiesReceivedFen: 50_000 });
    expect(tree.subtree).toEqual({
      organisations: 4,
      enterprises: 7,
      fullMembers: 25,
      probationaryMembers: 4,
      stars: stars({ '5': 1, '3': 1, '0': 1, unrated: 1 }),
      subsidiesReceivedFen: 87_000,
    });
    expect(ids(tree)).toEqual(['committee', 'general', 'store-1', 'store-2', 'liaison']);
    const general = tree.children[0];
    expect(general.subtree).toMatchObject({ organisations: 2, enterprises: 3, fullMembers: 14, probationaryMembers: 3, subsidiesReceivedFen: 37_000 });
    // a dissolved organisation is listed, counts only the money it received
    expect(general.children[1]).toMatchObject({ id: 'store-2', status: 'dissolved', own: { organisations: 0, enterprises: 0, fullMembers: 0, subsidiesReceivedFen: 7_000 } });
  });

  it('lists children only down to the depth asked, but totals the whole subtree', () => {
    const shallow = buildOrgTree(orgs, 'committee', 1) as TreeNode;
    expect(ids(shallow)).toEqual(['committee', 'general', 'liaison']);
    expect(shallow.children[0]).toMatchObject({ id: 'general', children: [], truncated: true });
    expect(shallow.subtree).toEqual((buildOrgTree(orgs, 'committee') as TreeNode).subtree);
    const rootOnly = buildOrgTree(orgs, 'committee', 0) as TreeNode;
    expect(rootOnly).toMatchObject({ children: [], truncated: true, subtree: { organisations: 4 } });
  });

  it('answers undefined for an unknown root and a leaf for an organisation with no children', () => {
    expect(buildOrgTree(orgs, 'nobody')).toBeUndefined();
    expect(buildOrgTree(orgs, 'store-1')).toMatchObject({ children: [], truncated: false, subtree: { organisations: 1, fullMembers: 4 } });
  });

  it('makes an organisation whose parent is unknown (or itself) a root', () => {
    const forest = buildOrgForest([org('a', 'gone'), org('b', 'a'), org('c', 'c')]);
    expect(forest.map((n) => n.id)).toEqual(['a', 'c']);
    expect(forest[0].subtree.organisations).toBe(2);
  });

  it('visits each organisation once when the data has a cycle, and still ends', () => {
    const cycle = [org('x', 'z', { fullMembers: 1 }), org('y', 'x', { fullMembers: 2 }), org('z', 'y', { fullMembers: 4 }), org('leaf', 'y', { fullMembers: 8 })];
    const fromY = buildOrgTree(cycle, 'y') as TreeNode;
    expect(ids(fromY).sort()).toEqual(['leaf', 'x', 'y', 'z']);
    expect(fromY.subtree.fullMembers).toBe(15);
    const forest = buildOrgForest(cycle);
    expect(forest.map((n) => n.id)).toEqual(['x']);
    expect(forest[0].subtree.fullMembers).toBe(15);
  });

  const forestArb = fc
    .array(
      fc.record({
        parent: fc.option(fc.nat(40), { nil: null }),
        status: fc.constantFrom('active' as const, 'dissolved' as const),
        enterprises: fc.nat(20),
        fullMembers: fc.nat(50),
        probationaryMembers: fc.nat(10),
        stars: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }),
        subsidiesReceivedFen: fc.nat(1_000_000),
      }),
      { maxLength: 40 },
    )
    // parents are arbitrary indices: some point nowhere, some at the organisation itself, some make cycles
    .map((rows) => rows.map(({ parent, ...rest }, i) => org(`o${i}`, parent === null ? null : `o${parent}`, rest)));

  it('property: the roots of any forest (orphans, self-parents, cycles) total exactly the plain total, each organisation once', () => {
    fc.assert(
      fc.property(forestArb, (data) => {
        const forest = buildOrgForest(data);
        const summed = forest.reduce((into, root) => addTotals(into, root.subtree), emptyTotals());
        expect(summed).toEqual(totalOf(data));
        const listed = forest.flatMap(ids);
        expect(listed.sort()).toEqual(data.map((o) => o.id).sort());
      }),
    );
  });

  it('property: every node totals its own figures plus its children\'s subtrees', () => {
    const check = (node: TreeNode) => {
      expect(node.subtree).toEqual(node.children.reduce((into, child) => addTotals(into, child.subtree), addTotals(emptyTotals(), node.own)));
      node.children.forEach(check);
    };
    fc.assert(fc.property(forestArb, (data) => buildOrgForest(data).forEach(check)));
  });
});
