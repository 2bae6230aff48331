import { mapColumns, validateRow } from './columns';
import { creditCodeFor, generateRegister, registerCsv, registerWorkbook } from './generate-register';
import { readRegisterFile } from './register-file';
import { runImport } from './run-import';
import { reportWorkbook } from './report-workbook';
import ExcelJS from 'exceljs';

const code = creditCodeFor('430104', 7);
const headers = ['统一社会信用代码', '企业名称', '从业人员（人）', '正式党员', '预备党员', '经营状态', '行政区划代码'];
const columns = mapColumns(headers);
const cells = (overrides: Record<string, unknown> = {}) => ({ 统一社会信用代码: code, 企业名称: '岳麓科技有限公司', '从业人员（人）': '60', 正式党员: '3', 预备党员: 0, 经营状态: '存续', 行政区划代码: '430104', ...overrides });

describe('register columns', () => {
  it('maps the usual Chinese headers, a unit in brackets ignored', () => {
    expect(columns.missing).toEqual([]);
    expect(columns.headerOf).toMatchObject({ creditCode: '统一社会信用代码', employees: '从业人员（人）', district: '行政区划代码', status: '经营状态' });
    expect(mapColumns(['企业名称']).missing).toEqual(['creditCode', 'employees', 'fullMembers', 'probationaryMembers']);
  });

  it('reads a row into what the registry is asked', () => {
    expect(validateRow(cells(), columns)).toEqual({
      ok: true,
      message: { creditCode: code, name: '岳麓科技有限公司', kind: 'enterprise', employees: 60, fullMembers: 3, probationaryMembers: 0, status: 'normal' },
    });
  });

  it.each([
    [{ 统一社会信用代码: code.slice(0, 17) + (code[17] === '0' ? '1' : '0') }, 'INVALID_CREDIT_CODE', '统一社会信用代码'],
    [{ 正式党员: '-1' }, 'INVALID_COUNT', '正式党员'],
    [{ 预备党员: '1.5' }, 'INVALID_COUNT', '预备党员'],
    [{ '从业人员（人）': '' }, 'MISSING_VALUE', '从业人员（人）'],
    [{ 经营状态: '休眠' }, 'INVALID_STATUS', '经营状态'],
    [{ 行政区划代码: '999999' }, 'UNKNOWN_DIVISION', '行政区划代码'],
    [{ 行政区划代码: '430105' }, 'DISTRICT_MISMATCH', '行政区划代码'],
    [{ 企业名称: ' ' }, 'MISSING_VALUE', '企业名称'],
  ])('refuses %p with %s naming the column %s', (overrides, reasonCode, column) => {
    expect(validateRow(cells(overrides), columns)).toMatchObject({ ok: false, refusal: { code: reasonCode, column } });
  });
});

describe('register files', () => {
  const rows = generateRegister({ district: '361102', enterprises: 20, withMembers: 8, standalone: 3 });

  it('reads the same rows from CSV and XLSX, with the row numbers a spreadsheet shows', async () => {
    const csv = await readRegisterFile(registerCsv(rows), 'a.csv');
    const xlsx = await readRegisterFile(await registerWorkbook(rows), 'a.xlsx');
    expect(csv.format).toBe('csv');
    expect(xlsx.format).toBe('xlsx');
    expect(csv.rows.map((r) => r.row)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const messages = (file: typeof csv) => file.rows.map((r) => validateRow(r.cells, mapColumns(file.headers)));
    expect(messages(xlsx)).toEqual(messages(csv));
    expect(messages(csv).every((m) => m.ok)).toBe(true);
  });

  it('reports each row, refuses a duplicate code at its second row, and writes the report as a workbook', async () => {
    const file = await readRegisterFile(registerCsv([...rows.slice(0, 3), rows[0]]), 'dup.csv');
    const seen: string[] = [];
    const report = await runImport(file, async (message, commandId) => (seen.push(commandId), { outcome: 'registered', events: ['EnterpriseRegistered'], alreadyImported: false }), { fileName: 'dup.csv' });
    expect(report.counts).toEqual({ registered: 3, updated: 0, unchanged: 0, refused: 1 });
    expect(report.rows[3]).toMatchObject({ row: 5, outcome: 'refused', code: 'DUPLICATE_ROW', column: '统一社会信用代码' });
    expect(new Set(seen).size).toBe(3);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await reportWorkbook(report)) as unknown as ArrayBuffer);
    expect(workbook.worksheets[0].getRow(5).getCell(4).value).toBe('拒绝 refused');
  });
});
