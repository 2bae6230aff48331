/**
 * The organisation tree and its roll-up (docs/domain.md, "The organisation tree"): coverage, ratings and funding
 * of an organisation add up over the organisations beneath it. Framework-free and pure: the controller reads
 * the read models and hands the organisations in.
 */

/** What the roll-up needs of one organisation, joined from organisation status, evaluation and funding. */
export interface TreeOrg {
  id: string;
  name: string;
  parentOrgId: string | null;
  status: 'active' | 'dissolved';
  level: string;
  mode: string;
  district: string;
  /** member enterprises */
  enterprises: number;
  fullMembers: number;
  probationaryMembers: number;
  /** latest stars (0–6), null when never rated */
  stars: number | null;
  /** paid minus clawed back, in fen */
  subsidiesReceivedFen: number;
}

export const STAR_KEYS = ['0', '1', '2', '3', '4', '5', '6', 'unrated'] as const;
export type StarDistribution = Record<(typeof STAR_KEYS)[number], number>;

export interface TreeTotals {
  /** active organisations */
  organisations: number;
  enterprises: number;
  fullMembers: number;
  probationaryMembers: number;
  /** active organisations per latest stars */
  stars: StarDistribution;
  /** every organisation's, dissolved ones included: money received stays received */
  subsidiesReceivedFen: number;
}

export interface TreeNode {
  id: string;
  name: string;
  level: string;
  mode: string;
  status: 'active' | 'dissolved';
  district: string;
  own: TreeTotals;
  subtree: TreeTotals;
  /** listed down to the requested depth; subtree totals always cover the whole subtree */
  children: TreeNode[];
  /** true when children exist below the requested depth and are not listed */
  truncated: boolean;
}

export const emptyTotals = (): TreeTotals => ({
  organisations: 0,
  enterprises: 0,
  fullMembers: 0,
  probationaryMembers: 0,
  stars: { '0': 0, '1': 0, '2': 0, '3': 0, '4': 0, '5': 0, '6': 0, unrated: 0 },
  subsidiesReceivedFen: 0,
});

const starKey = (stars: number | null): (typeof STAR_KEYS)[number] =>
  stars === null || !Number.isInteger(stars) || stars < 0 || stars > 6 ? 'unrated' : (String(stars) as (typeof STAR_KEYS)[number]);

/** One organisation's own figures. A dissolved organisation counts for nothing but the subsidies it received. */
export function ownTotals(org: TreeOrg): TreeTotals {
  const totals = emptyTotals();
  totals.subsidiesReceivedFen = org.subsidiesReceivedFen;
  if (org.status !== 'active') return totals;
  totals.organisations = 1;
  totals.enterprises = org.enterprises;
  totals.fullMembers = org.fullMembers;
  totals.probationaryMembers = org.probationaryMembers;
  totals.stars[starKey(org.stars)] = 1;
  return totals;
}

export function addTotals(into: TreeTotals, add: TreeTotals): TreeTotals {
  into.organisations += add.organisations;
  into.enterprises += add.enterprises;
  into.fullMembers += add.fullMembers;
  into.probationaryMembers += add.probationaryMembers;
  for (const key of STAR_KEYS) into.stars[key] += add.stars[key];
  into.subsidiesReceivedFen += add.subsidiesReceivedFen;
  return into;
}

/** The plain total over a list of organisations, with no tree: what every forest must add up to. */
export const totalOf = (orgs: Iterable<TreeOrg>): TreeTotals => {
  const totals = emptyTotals();
  for (const org of orgs) addTotals(totals, ownTotals(org));
  return totals;
};

const byId = (a: TreeOrg, b: TreeOrg) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Children per parent id; a parent id pointing nowhere (or at the organisation itself) makes the organisation a root. */
function index(orgs: Iterable<TreeOrg>) {
  const all = new Map<string, TreeOrg>();
  for (const org of orgs) all.set(org.id, org);
  const children = new Map<string, TreeOrg[]>();
  const roots: TreeOrg[] = [];
  for (const org of all.values()) {
    const parent = org.parentOrgId;
    if (parent === null || parent === org.id || !all.has(parent)) {
      roots.push(org);
      continue;
    }
    const siblings = children.get(parent) ?? [];
    siblings.push(org);
    children.set(parent, siblings);
  }
  for (const siblings of children.values()) siblings.sort(byId);
  return { all, children, roots: roots.sort(byId) };
}

/**
 * Builds one node and everything reachable below it, visiting each organisation once: an organisation already
 * visited (the data had a cycle) is not listed again, so the walk ends and nothing is counted twice.
 */
function build(org: TreeOrg, children: Map<string, TreeOrg[]>, visited: Set<string>, depth: number): TreeNode {
  visited.add(org.id);
  const own = ownTotals(org);
  const subtree = addTotals(emptyTotals(), own);
  const listed: TreeNode[] = [];
  let truncated = false;
  for (const child of children.get(org.id) ?? []) {
    if (visited.has(child.id)) continue;
    const node = build(child, children, visited, depth - 1);
    addTotals(subtree, node.subtree);
    if (depth > 0) listed.push(node);
    else truncated = true;
  }
  return { id: org.id, name: org.name, level: org.level, mode: org.mode, status: org.status, district: org.district, own, subtree, children: listed, truncated };
}

/**
 * The subtree under `rootId` with its totals, listing children down to `depth` levels (unlimited by default);
 * undefined when `rootId` is not among the organisations.
 */
export function buildOrgTree(orgs: Iterable<TreeOrg>, rootId: string, depth = Number.POSITIVE_INFINITY): TreeNode | undefined {
  const { all, children } = index(orgs);
  const root = all.get(rootId);
  if (!root) return undefined;
  return build(root, children, new Set(), depth);
}

/**
 * Every organisation under exactly one root: the roots of the data first, then, for organisations that hang from a
 * cycle, the smallest id on each cycle stands as a root.
 */
export function buildOrgForest(orgs: Iterable<TreeOrg>, depth = Number.POSITIVE_INFINITY): TreeNode[] {
  const { all, children, roots } = index(orgs);
  const visited = new Set<string>();
  const forest = roots.map((root) => build(root, children, visited, depth));
  for (const org of [...all.values()].sort(byId)) {
    if (visited.has(org.id)) continue;
    // not under any root, so its ancestors end in a cycle: climb to it and stand its smallest id up as a root
    const path: string[] = [];
    let at = org;
    while (!path.includes(at.id)) {
      path.push(at.id);
      at = all.get(at.parentOrgId as string) as TreeOrg;
    }
    const cycle = path.slice(path.indexOf(at.id)).sort();
    forest.push(build(all.get(cycle[0]) as TreeOrg, children, visited, depth));
  }
  return forest;
}
