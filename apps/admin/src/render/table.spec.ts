import { displayWidth, renderTable } from './table';

describe('renderTable', () => {
  it('counts Chinese characters as two columns, so labels line up', () => {
    expect(displayWidth('组织覆盖率 organisational rate')).toBe(5 * 2 + 1 + 19);
    const lines = renderTable(['指标 measure', '数值 value'], [['企业数 enterprises', '36'], ['覆盖率 coverage rate', '86.1 %']]).split('\n');
    expect(new Set(lines.map(displayWidth)).size).toBe(1);
  });

  it('right-aligns columns of figures and left-aligns text', () => {
    const [, , , first, second] = renderTable(['id', 'event', 'n'], [['7', 'OrgFormed', '12'], ['13', 'EnterpriseRegistered', '3.5 %']]).split('\n');
    expect(first).toBe('│  7 │ OrgFormed            │    12 │');
    expect(second).toBe('│ 13 │ EnterpriseRegistered │ 3.5 % │');
  });
});
