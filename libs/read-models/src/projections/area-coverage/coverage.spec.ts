import { recorded } from '../../testing/recorded';
import { UnitOfWork } from '../../runner/unit-of-work';
import type { StoredDocument } from '../../store/port';
import { applyContribution, type Contribution, COVERAGE, type Coverage, coverageProjection, emptyCoverage } from './coverage';

const contribution = (creditCode: string, kind: Contribution['kind'], mustBe = false): Contribution => ({
  areas: [{ scope: 'district', key: '430100' }],
  withMembers: kind !== 'none',
  kind,
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
    expect(c).toMatchObject({ enterprises: 4, withMembers: 3, organisationallyCovered: 2, workCovered: 1, notCovered: 1, coverageRate: 0.75, meetsTarget: true });
    expect(c.organisationalRate).toBeCloseTo(0.6667, 4);
    expect(c.mustBeOrganisationallyCovered).toEqual(['B']);
    c = applyContribution(c, contribution('B', 'work', true), -1, 0.75);
    expect(c).toMatchObject({ enterprises: 3, workCovered: 0, mustBeOrganisationallyCovered: [], coverageRate: 0.6667, meetsTarget: false });
  });

  it('moves an enterprise between counters as formation covers it, in district, park and chain alike', async () => {
    const documents = new Map<string, StoredDocument>();
    const unit = new UnitOfWork(async (collection, id) => documents.get(`${collection}/${id}`));
    const projection = coverageProjection({ target: 0.5 });
    const code = '91430100MA4L000015';
    await projection.apply(recorded(1, 'EnterpriseRegistered', { creditCode: code, district: '430100', name: 'A', kind: 'enterprise', employees: 60, fullMembers: 2, probationaryMembers: 0, park: 'etdz', industryChain: 'rail' }), unit);
    const district = async () => (await unit.load<Coverage>(COVERAGE, 'district:430100'))?.body;
    expect(await district()).toMatchObject({ enterprises: 1, notCovered: 1, mustBeOrganisationallyCovered: [code] });
    await projection.apply(recorded(2, 'WorkCoverageAssigned', { creditCode: code, coveredBy: 'instructor', reason: 'awaiting-joint-branch', mustBeOrganisationallyCovered: true }), unit);
    expect(await district()).toMatchObject({ workCovered: 1, notCovered: 0, meetsTarget: true, mustBeOrganisationallyCovered: [code] });
    await projection.apply(recorded(3, 'OrgFormed', { orgId: 'o1', district: '430100', mode: 'joint', enterprises: [{ creditCode: code, fullMembers: 2, probationaryMembers: 0 }] }), unit);
    expect(await district()).toMatchObject({ organisationallyCovered: 1, workCovered: 0, mustBeOrganisationallyCovered: [] });
    expect((await unit.load<Coverage>(COVERAGE, 'park:etdz'))?.body).toMatchObject({ organisationallyCovered: 1 });
    expect((await unit.load<Coverage>(COVERAGE, 'industry-chain:rail'))?.body).toMatchObject({ organisationallyCovered: 1, enterprises: 1 });
    await projection.apply(recorded(4, 'OperatingStatusChanged', { creditCode: code, status: 'deregistered' }), unit);
    expect(await district()).toMatchObject({ enterprises: 0, organisationallyCovered: 0 });
  });
});
