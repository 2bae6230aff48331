import { type NewEvent, orgStreamId } from '@liangxin/contracts';
import { generateCreditCode } from '@liangxin/registry-domain';
import { startTestSystem, type TestSystem } from './testing';

// The organisation tree over HTTP: a comprehensive committee and two organisations under it (one of another
// district), then GET /api/orgs/{id}/tree adds their figures up the tree. By hand (POST /api/orgs) an officer can
// only form organisations of enterprises that automatic formation has not placed already, and it places every
// enterprise with members; so, as the funding e2e does, the formations are appended as OrgFormed events.
const DISTRICT_A = '430104';
const DISTRICT_B = '430105';
const FUNDING_CONSUMER = 'funding';

const orgFormed = (orgId: string, district: string, mode: string, members: [number, number][], parentOrgId?: string): NewEvent => ({
  type: 'OrgFormed',
  schemaVersion: 1,
  occurredAt: '2024-06-01T02:00:00.000Z',
  data: {
    orgId,
    district,
    automatic: true,
    name: `${orgId} 党组织`,
    mode,
    level: 'branch',
    committeeSize: 0,
    enterprises: members.map(([fullMembers, probationaryMembers], i) => ({ creditCode: generateCreditCode(district, 100 * orgId.length + i), fullMembers, probationaryMembers })),
    fullMembers: members.reduce((sum, [full]) => sum + full, 0),
    probationaryMembers: members.reduce((sum, [, probationary]) => sum + probationary, 0),
    ...(parentOrgId && { parentOrgId }),
  },
  metadata: { actor: 'system:formation', district },
});

/** the answer of GET /api/orgs/{id}/tree, as far as these tests read it */
interface Totals {
  organisations: number;
  enterprises: number;
  fullMembers: number;
  probationaryMembers: number;
  stars: Record<string, number>;
  subsidiesReceivedFen: number;
}
interface Node {
  id: string;
  district: string;
  own: Totals;
  subtree: Totals;
  children: Node[];
  truncated: boolean;
}
type Body = Node & { details?: unknown };

describe('GET /api/orgs/{id}/tree (embedded system)', () => {
  let system: TestSystem;
  let officerA: string;
  let officerB: string;
  let auditor: string;
  let enterprise: string;
  const ids = { parent: 'tree-committee', childA: 'tree-branch-a', childB: 'tree-liaison-b' };
  let position = 0;

  async function call(method: string, path: string, token: string, body?: object, headers: Record<string, string> = {}) {
    const response = await system.call(path, { method, token, json: body, headers });
    return { status: response.status, body: response.body as Body };
  }
  const read = (path: string, token: string) => call('GET', path, token, undefined, { 'x-min-position': String(position) });

  beforeAll(async () => {
    system = await startTestSystem();
    const issue = async (principal: object) => (await system.call('/api/admin/tokens', { method: 'POST', json: principal })).body.token as string;
    officerA = await issue({ subject: 'tree-officer-a', role: 'officer', districts: [DISTRICT_A] });
    officerB = await issue({ subject: 'tree-officer-b', role: 'officer', districts: [DISTRICT_B] });
    auditor = await issue({ subject: 'tree-auditor', role: 'auditor', districts: [DISTRICT_A, DISTRICT_B] });
    enterprise = await issue({ subject: 'tree-enterprise', role: 'enterprise', creditCode: generateCreditCode(DISTRICT_A, 1) });
    // district A's budget pays the formation subsidy of its two organisations; district B has none
    const budget = await call('POST', '/api/funding/budgets', officerA, { district: DISTRICT_A, year: 2024, amountFen: 100_000_00 });
    if (budget.status !== 201) throw new Error(`allocating a budget failed: ${budget.status} ${JSON.stringify(budget.body)}`);

    const events = system.eventStore;
    await events.append(orgStreamId(ids.parent), [orgFormed(ids.parent, DISTRICT_A, 'area-combined', [[3, 1], [2, 0]])], { expected: 'no_stream' });
    await events.append(orgStreamId(ids.childA), [orgFormed(ids.childA, DISTRICT_A, 'joint', [[2, 1], [2, 0]], ids.parent)], { expected: 'no_stream' });
    const last = await events.append(orgStreamId(ids.childB), [orgFormed(ids.childB, DISTRICT_B, 'joint', [[2, 2], [1, 0]], ids.parent)], { expected: 'no_stream' });
    await system.bus.waitUntilApplied(FUNDING_CONSUMER, last.lastPosition, 5_000);
    position = await events.headPosition();
  });

  afterAll(async () => {
    await system.shutdown();
  });

  it('rolls members, enterprises and organisations up from the two children to the parent', async () => {
    const tree = await read(`/api/orgs/${ids.parent}/tree`, officerA);
    expect(tree.status).toBe(200);
    expect(tree.body).toMatchObject({
      id: ids.parent,
      name: `${ids.parent} 党组织`,
      mode: 'area-combined',
      status: 'active',
      district: DISTRICT_A,
      own: { organisations: 1, enterprises: 2, fullMembers: 5, probationaryMembers: 1, subsidiesReceivedFen: 10_000_00 },
      subtree: { organisations: 3, enterprises: 6, fullMembers: 12, probationaryMembers: 4, subsidiesReceivedFen: 20_000_00 },
    });
    const children = tree.body.children;
    expect(children.map((c) => c.id).sort()).toEqual([ids.childA, ids.childB].sort());
    const childA = children.find((c) => c.id === ids.childA) as Node;
    expect(childA).toMatchObject({ district: DISTRICT_A, own: { fullMembers: 4, probationaryMembers: 1, enterprises: 2 }, children: [] });
    expect(childA.own).toEqual(childA.subtree);
    expect(childA.own.subsidiesReceivedFen).toBe(10_000_00);
    // district B allocated no budget, so its organisation received nothing
    expect(children.find((c) => c.id === ids.childB)).toMatchObject({ district: DISTRICT_B, own: { fullMembers: 3, probationaryMembers: 2, subsidiesReceivedFen: 0 } });
    // nobody was rated: every active organisation counts as unrated
    expect(tree.body.subtree.stars).toEqual({ '0': 0, '1': 0, '2': 0, '3': 0, '4': 0, '5': 0, '6': 0, unrated: 3 });
  });

  it('lists children only down to ?depth, with the same totals, and refuses a depth out of range', async () => {
    const full = await read(`/api/orgs/${ids.parent}/tree`, auditor);
    const shallow = await read(`/api/orgs/${ids.parent}/tree?depth=0`, auditor);
    expect(shallow.status).toBe(200);
    expect(shallow.body).toMatchObject({ children: [], truncated: true });
    expect(shallow.body.subtree).toEqual(full.body.subtree);
    for (const depth of ['-1', '11', 'two']) expect((await read(`/api/orgs/${ids.parent}/tree?depth=${depth}`, auditor)).status).toBe(400);
  });

  it('lets the officer of a committee read the organisations beneath it in another district, not the other way up', async () => {
    // district A's officer: the committee is in A, so its child in district B is theirs to read (tree, page and audit)
    for (const path of [`/api/orgs/${ids.childB}/tree`, `/api/orgs/${ids.childB}`, `/api/audit/orgs/${ids.childB}`]) expect((await read(path, officerA)).status).toBe(200);
    // district B's officer reads the organisation of B, but neither the committee above it nor its sibling in A
    expect((await read(`/api/orgs/${ids.childB}`, officerB)).status).toBe(200);
    for (const path of [`/api/orgs/${ids.parent}`, `/api/orgs/${ids.parent}/tree`, `/api/orgs/${ids.childA}`, `/api/audit/orgs/${ids.childA}`]) expect((await read(path, officerB)).status).toBe(403);
  });

  it('answers 403 to an officer of another district and to an enterprise, 404 with details for an unknown id', async () => {
    expect((await read(`/api/orgs/${ids.parent}/tree`, officerB)).status).toBe(403);
    expect((await read(`/api/orgs/${ids.childB}/tree`, officerB)).status).toBe(200);
    expect((await read(`/api/orgs/${ids.childB}/tree`, enterprise)).status).toBe(403);
    expect((await read(`/api/orgs/${ids.parent}/tree`, enterprise)).status).toBe(403);
    const unknown = await read('/api/orgs/org-unknown/tree', auditor);
    expect(unknown.status).toBe(404);
    expect(unknown.body.details).toEqual([{ field: 'id', reason: 'not found' }]);
  });

  it('is documented in OpenAPI', async () => {
    const docs = await system.call('/api/docs-json', { token: null });
    expect(docs.body.paths['/api/orgs/{id}/tree']).toHaveProperty('get');
  });
});
