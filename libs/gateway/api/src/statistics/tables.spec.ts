import type { EnterpriseStatus, OrganisationStatus, ServiceRequestView } from '@liangxin/read-models';
import { COVERAGE_TARGETS, type CoverageTargetsPolicy, parseCoverageTargets, passesCheck } from './coverage-targets';
import { orgLifecycleTable, requestsTable, targetsTable } from './tables';

const enterprise = (fields: Partial<EnterpriseStatus>): EnterpriseStatus =>
  ({
    creditCode: fields.creditCode ?? 'x',
    district: '430104',
    operatingStatus: 'normal',
    fullMembers: 0,
    probationaryMembers: 0,
    employees: 10,
    coverage: 'none',
    notCoveredReason: 'needs-assignee',
    mustBeOrganisationallyCovered: false,
    park: null,
    industryChain: null,
    building: null,
    ownership: null,
    ...fields,
  }) as EnterpriseStatus;

const org = (fields: Partial<OrganisationStatus>): OrganisationStatus =>
  ({ orgId: 'o', district: '430104', mode: 'standalone', status: 'active', formedAt: '2026-03-01T00:00:00Z', dissolvedAt: null, mergedInto: null, pairedWith: [], instructor: null, ...fields }) as OrganisationStatus;

describe('statistics tables', () => {
  it('counts formation by the Beijing year: formed at 20:00 UTC on 31 December is next year in China', () => {
    const table = orgLifecycleTable([
      org({ orgId: 'a', formedAt: '2025-12-31T20:00:00Z' }),
      org({ orgId: 'b', formedAt: '2025-06-01T00:00:00Z', status: 'dissolved', dissolvedAt: '2026-02-01T00:00:00Z', mergedInto: 'a' }),
    ]);
    expect(table.rows).toEqual([
      { year: 2026, mode: 'standalone', modeName: '单独组建', formed: 1, dissolved: 1, merged: 1 },
      { year: 2026, mode: null, modeName: '合计', formed: 1, dissolved: 1, merged: 1 },
      { year: 2025, mode: 'standalone', modeName: '单独组建', formed: 1, dissolved: 0, merged: 0 },
      { year: 2025, mode: null, modeName: '合计', formed: 1, dissolved: 0, merged: 0 },
    ]);
  });

  it('counts a request overdue only while open and past its due date on the as-of day (Beijing)', () => {
    const request = (status: ServiceRequestView['status'], dueDate: string | null) => ({ district: '430104', status, dueDate }) as ServiceRequestView;
    const requests = [request('accepted', '2026-06-30'), request('resolved', '2026-06-30'), request('received', null), request('confirmed', '2026-01-01')];
    const on = (asOf: string) => requestsTable(requests, ['430104'], asOf).rows[0];
    expect(on('2026-06-30T15:00:00Z')).toMatchObject({ received: 4, closed: 1, inProgress: 2, awaitingConfirmation: 1, overdue: 0 });
    // 16:00 UTC on 30 June is 1 July in Beijing
    expect(on('2026-06-30T16:00:00Z')).toMatchObject({ overdue: 1 });
  });

  it('marks a district below target after its deadline as overdue, and one at target as met', () => {
    const policy: CoverageTargetsPolicy = { ...COVERAGE_TARGETS, default: { rate: 0.5, deadline: '2026-06-30', source: 'test' } };
    const half = [enterprise({ creditCode: 'a', coverage: 'work' }), enterprise({ creditCode: 'b' }), enterprise({ creditCode: 'c' })];
    expect(targetsTable(half, ['430104'], policy, '2026-06-01T00:00:00Z').rows[0]).toMatchObject({ overallRate: 0.3333, standing: '未达标', daysLeft: 29 });
    expect(targetsTable(half, ['430104'], policy, '2026-07-02T00:00:00Z').rows[0]).toMatchObject({ standing: '逾期未达标' });
    expect(targetsTable(half.slice(0, 2), ['430104'], policy, '2026-07-02T00:00:00Z').rows[0]).toMatchObject({ overallRate: 0.5, standing: '已达标' });
  });

  it('passes a “100 %” check only when every live enterprise meets it, and none for a district without enterprises', () => {
    const large = enterprise({ fullMembers: 2, employees: 80, mustBeOrganisationallyCovered: true, coverage: 'work' });
    expect(passesCheck('work-coverage', [large])).toBe(true);
    expect(passesCheck('large-organised', [large])).toBe(false);
    expect(passesCheck('members-organised', [large])).toBe(false);
    expect(passesCheck('large-organised', [{ ...large, coverage: 'organisational' }])).toBe(true);
    expect(passesCheck('work-coverage', [enterprise({ operatingStatus: 'deregistered' })])).toBe(false);
  });

  it('refuses a policy file naming the wrong field', () => {
    const valid = JSON.parse(JSON.stringify(COVERAGE_TARGETS));
    expect(parseCoverageTargets(valid)).toEqual(COVERAGE_TARGETS);
    expect(() => parseCoverageTargets({ ...valid, default: { ...valid.default, rate: 75 } })).toThrow('default.rate');
    expect(() => parseCoverageTargets({ ...valid, districts: { '4301': valid.default } })).toThrow('districts.4301');
    expect(() => parseCoverageTargets({ ...valid, districts: { '430104': { ...valid.default, deadline: '6月底' } } })).toThrow('districts.430104.deadline');
    expect(() => parseCoverageTargets({ ...valid, threeHundredPercent: [{ check: 'everything', zh: '', en: '' }] })).toThrow('threeHundredPercent[0].check');
  });
});
