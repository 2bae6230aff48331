import { recorded } from '../../testing/recorded';
import { UnitOfWork } from '../../runner/unit-of-work';
import type { StoredDocument } from '../../store/port';
import { applyContribution, type Contribution, COVERAGE, COVERAGE_WORKLIST, type Coverage, coverageProjection, emptyCoverage, type WorklistItem, worklistId } from './coverage';

const contribution = (creditCode: string, kind: Contribution['kind'], mustBe = false): Contribution => ({
  areas: [{ scope: 'district', key: '430100' }],
  withMembers: kind !== 'none',
  kind,
  notCoveredReason: kind === 'none' ? 'needs-assignee' : null,
  creditCode,
  mustBeOrganisationallyCovered: mustBe,
});

describe('coverage', () => {
  it('counts enterprises by coverage kind and measures the rate against the target', () => {
    let c = emptyCoverage('district', '430100', 0.75);
    c = applyContribution(c, contribution('A', 'organisational'), 1, 0.75);
    c = applyContribution(c, contribution('B', 'work', true), 1, 0.75);
    c = applyContribution(c, contribution('C', 'none'), 1, 0.75);
    c = applyContribution(c, contribution('D', 'organisational'), 1, 0.75);
    expect(c).toMatchObject({ enterprises: 4, withMembers: 3, organisational: 2, work: 1, none: 1, notCoveredReasons: { 'needs-assignee': 1 }, overallRate: 0.75, meetsTarget: true });
    expect(c.organisationalRate).toBeCloseTo(0.6667, 4);
    expect(c.uncoveredLarge).toEqual(['B']);
    c = applyContribution(c, contribution('B', 'work', true), -1, 0.75);
    expect(c).toMatchObject({ enterprises: 3, work: 0, uncoveredLarge: [], overallRate: 0.6667, meetsTarget: false });
  });

  it('moves an enterprise between counters as formation covers it, in district, park and chain alike', async () => {
    const documents = new Map<string, StoredDocument>();
    const unit = new UnitOfWork(async (collection, id) => documents.get(`${collection}/${id}`));
    const projection = coverageProjection({ target: 0.5 });
    const code = '91430100MA4L000015';
    await projection.apply(recorded(1, 'EnterpriseRegistered', { creditCode: code, district: '430100', name: 'A', kind: 'enterprise', employees: 60, fullMembers: 2, probationaryMembers: 0, park: 'etdz', industryChain: 'rail' }), unit);
    const district = async () => (await unit.load<Coverage>(COVERAGE, 'district:430100'))?.body;
    expect(await district()).toMatchObject({ enterprises: 1, none: 1, uncoveredLarge: [code] });
    await projection.apply(
      recorded(2, 'WorkCoverageAssigned', { creditCode: code, coveredBy: 'instructor', assignee: { personId: 'p-wang', name: '王' }, reason: 'awaiting-joint-branch', mustBeOrganisationallyCovered: true }),
      unit,
    );
    expect(await district()).toMatchObject({ work: 1, none: 0, meetsTarget: true, uncoveredLarge: [code] });
    await projection.apply(recorded(3, 'OrgFormed', { orgId: 'o1', district: '430100', mode: 'joint', enterprises: [{ creditCode: code, fullMembers: 2, probationaryMembers: 0 }] }), unit);
    expect(await district()).toMatchObject({ organisational: 1, work: 0, uncoveredLarge: [] });
    expect((await unit.load<Coverage>(COVERAGE, 'park:etdz'))?.body).toMatchObject({ organisational: 1 });
    expect((await unit.load<Coverage>(COVERAGE, 'industry-chain:rail'))?.body).toMatchObject({ organisational: 1, enterprises: 1 });
    await projection.apply(recorded(4, 'OperatingStatusChanged', { creditCode: code, status: 'deregistered' }), unit);
    expect(await district()).toMatchObject({ enterprises: 0, organisational: 0 });
  });

  describe('counts work coverage only when a named person is assigned, whatever an old event says', () => {
    const district = '361100';
    const enterprise = (n: number) => `91${district}MA4L${String(n).padStart(5, '0')}X`;
    const setUp = async () => {
      const documents = new Map<string, StoredDocument>();
      const unit = new UnitOfWork(async (collection, id) => documents.get(`${collection}/${id}`));
      const projection = coverageProjection();
      let position = 0;
      const apply = (type: string, data: object) => projection.apply(recorded(++position, type, data), unit);
      const register = (n: number, fullMembers = 0, employees = 10, ownership?: string) =>
        apply('EnterpriseRegistered', { creditCode: enterprise(n), district, name: `企业${n}`, kind: 'enterprise', employees, fullMembers, probationaryMembers: 0, ownership });
      const assign = (n: number, assignee: unknown) => apply('WorkCoverageAssigned', { creditCode: enterprise(n), district, coveredBy: 'liaison', assignee, reason: 'no-party-members', mustBeOrganisationallyCovered: false });
      const coverage = async (id = `district:${district}`) => (await unit.load<Coverage>(COVERAGE, id))?.body;
      return { register, assign, apply, coverage, unit };
    };

    it('null, [] and blank assignees cover nothing: each stays not covered, needing an assignee', async () => {
      const { register, assign, coverage } = await setUp();
      for (let n = 1; n <= 5; n++) await register(n);
      await assign(1, null);
      await assign(2, []);
      await assign(3, { personId: '   ', name: '' });
      await assign(4, undefined);
      await assign(5, { personId: 'p-li', name: '李' });
      expect(await coverage()).toMatchObject({
        enterprises: 5,
        work: 1,
        none: 4,
        notCoveredReasons: { 'needs-assignee': 4, 'needs-organisation': 0, 'awaiting-joint-members': 0 },
        overallRate: 0.2,
        meetsTarget: false,
      });
    });

    it('keeps a worklist line per enterprise with its reason, moved or removed as the enterprise is covered', async () => {
      const { register, assign, apply, unit } = await setUp();
      await register(1); // no members: needs an assignee
      await register(2, 1, 80); // 50+ employees with members: needs an organisation (rule 5)
      await register(3, 2); // members, fewer than 3 full: awaits joint members
      await apply('WorkCoverageAssigned', { creditCode: enterprise(3), district, coveredBy: 'instructor', reason: 'awaiting-joint-branch', mustBeOrganisationallyCovered: false });
      const lines = async () => {
        const found: string[] = [];
        for (const reason of ['needs-assignee', 'needs-organisation', 'awaiting-joint-members'] as const) {
          for (let n = 1; n <= 3; n++) if ((await unit.load(COVERAGE_WORKLIST, worklistId(district, reason, enterprise(n))))?.body) found.push(`${n}:${reason}`);
        }
        return found.sort();
      };
      expect(await lines()).toEqual(['1:needs-assignee', '2:needs-organisation', '3:awaiting-joint-members']);
      await assign(1, { personId: 'p-li', name: '李' });
      await assign(2, { personId: 'p-li', name: '李' }); // work coverage: still needs an organisation
      expect(await lines()).toEqual(['2:needs-organisation', '3:awaiting-joint-members']);
      expect((await unit.load<WorklistItem>(COVERAGE_WORKLIST, worklistId(district, 'needs-organisation', enterprise(2))))?.body).toMatchObject({ assignee: 'p-li', employees: 80, name: '企业2' });
      await apply('OrgFormed', { orgId: 'j1', district, mode: 'joint', enterprises: [{ creditCode: enterprise(2), fullMembers: 1, probationaryMembers: 0 }, { creditCode: enterprise(3), fullMembers: 2, probationaryMembers: 0 }] });
      expect(await lines()).toEqual([]);
    });

    it('counts coverage by ownership, so the foreign-funded enterprises have their own figures', async () => {
      const { register, coverage } = await setUp();
      await register(1, 3, 10, 'foreign');
      await register(2, 0, 10, 'foreign');
      await register(3, 0, 10, 'domestic-private');
      expect(await coverage('ownership:foreign')).toMatchObject({ scope: 'ownership', key: 'foreign', enterprises: 2, withMembers: 1, none: 2 });
      expect(await coverage('ownership:domestic-private')).toMatchObject({ enterprises: 1 });
    });
  });
});
