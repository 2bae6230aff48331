import { Controller, Get, type INestApplication } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { DeclaredQueryInterceptor } from '../read-side/declared-query.interceptor';
import { AS_OF_LABEL, DISTRICTS_LABEL, type ExportFormat, ExportFormatQuery, namedDistrict, type Table, tableResponse, tableToCsv, tableToPrintHtml, tableToXlsx } from './index';

const table = (): Table => ({
  title: { zh: '党组织覆盖情况', en: 'Coverage by district' },
  asOf: '2026-06-30T23:59:59.999Z',
  districts: [namedDistrict('430104')],
  columns: [
    { key: 'name', zh: '名称', en: 'Name' },
    { key: 'enterprises', zh: '企业数', en: 'Enterprises', kind: 'count' },
    { key: 'rate', zh: '覆盖率', en: 'Coverage', kind: 'percent' },
    { key: 'note', zh: '备注', en: 'Note' },
  ],
  rows: [
    { name: '麓谷, "一号" 园', enterprises: 151, rate: 0.756, note: null },
    { name: '=HYPERLINK("x")', enterprises: 0, rate: 0, note: '第二行\n换行' },
  ],
});

async function sheetRows(buffer: Buffer): Promise<unknown[][]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(buffer as unknown as ExcelJS.Buffer);
  const sheet = book.worksheets[0];
  const rows: unknown[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, number) => {
    rows[number - 1] = (row.values as unknown[]).slice(1);
  });
  return rows;
}

describe('table export', () => {
  it('writes an XLSX sheet that reads back with the title, the named district, the as-of time, Chinese headers and numbers as numbers', async () => {
    const rows = await sheetRows(await tableToXlsx(table()));
    expect(rows[0]).toEqual(['党组织覆盖情况']);
    expect(rows[1]).toEqual([DISTRICTS_LABEL, '430104 岳麓区']);
    expect(rows[2]).toEqual([AS_OF_LABEL, '2026-06-30T23:59:59.999Z']);
    expect(rows[4]).toEqual(['名称', '企业数', '覆盖率', '备注']);
    expect(rows[5]).toEqual(['麓谷, "一号" 园', 151, 0.756]);
    // text that looks like a formula stays text in a cell: exceljs writes strings as strings
    expect(rows[6]).toEqual(['=HYPERLINK("x")', 0, 0, '第二行\n换行']);
  });

  it('writes CSV as UTF-8 with a byte-order mark that reads back with the same lines, quoting commas, quotes and line breaks, and defusing formulas', () => {
    const csv = tableToCsv(table());
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = parse(csv, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
    expect(lines[0]).toEqual(['党组织覆盖情况']);
    expect(lines[1]).toEqual([DISTRICTS_LABEL, '430104 岳麓区']);
    expect(lines[2]).toEqual([AS_OF_LABEL, '2026-06-30T23:59:59.999Z']);
    expect(lines[4]).toEqual(['名称', '企业数', '覆盖率', '备注']);
    expect(lines[5]).toEqual(['麓谷, "一号" 园', '151', '0.756', '']);
    expect(lines[6]).toEqual([`'=HYPERLINK("x")`, '0', '0', '第二行\n换行']);
  });

  it('prints the table alone on A4 with title, district name and as-of time, escaping what it shows', () => {
    const html = tableToPrintHtml(table());
    expect(html).toContain('@page { size: A4');
    expect(html).toContain('<h1>党组织覆盖情况</h1>');
    expect(html).toContain('430104 岳麓区');
    expect(html).toContain('2026-06-30T23:59:59.999Z');
    expect(html).toContain('<td class="n">75.6%</td>');
    expect(html).toContain('=HYPERLINK(&quot;x&quot;)');
    expect(html).not.toContain('"x")');
  });

  describe('over HTTP', () => {
    @Controller('t')
    class TableController {
      @Get()
      async get(@ExportFormatQuery() format: ExportFormat) {
        return tableResponse(table(), format);
      }
    }
    let app: INestApplication;
    let url: string;
    beforeAll(async () => {
      const module = await Test.createTestingModule({ controllers: [TableController], providers: [{ provide: APP_INTERCEPTOR, useClass: DeclaredQueryInterceptor }] }).compile();
      app = module.createNestApplication({ logger: false });
      await app.listen(0, '127.0.0.1');
      url = await app.getUrl();
    });
    afterAll(() => app.close());

    it('answers JSON by default and the table itself for format=json', async () => {
      for (const query of ['', '?format=json']) {
        const response = await fetch(`${url}/t${query}`);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await response.json()).toEqual(table());
      }
    });

    it('sends XLSX and CSV as attachments named after the table, district and day, the Chinese title in filename*', async () => {
      const xlsx = await fetch(`${url}/t?format=xlsx`);
      expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const disposition = xlsx.headers.get('content-disposition') ?? '';
      expect(disposition).toContain('attachment; filename="coverage-by-district_430104_2026-06-30.xlsx"');
      expect(decodeURIComponent(disposition.split("filename*=UTF-8''")[1])).toBe('党组织覆盖情况_430104_2026-06-30.xlsx');
      expect((await sheetRows(Buffer.from(await xlsx.arrayBuffer())))[4]).toEqual(['名称', '企业数', '覆盖率', '备注']);

      const csv = await fetch(`${url}/t?format=csv`);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(csv.headers.get('content-disposition')).toContain('filename="coverage-by-district_430104_2026-06-30.csv"');
      const lines = parse(Buffer.from(await csv.arrayBuffer()), { bom: true, relax_column_count: true }) as string[][];
      expect(lines[1]).toEqual([DISTRICTS_LABEL, '430104 岳麓区']);
    });

    it('serves the print page inline', async () => {
      const html = await fetch(`${url}/t?format=html`);
      expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(html.headers.get('content-disposition')).toMatch(/^inline;/);
      expect(await html.text()).toContain('<h1>党组织覆盖情况</h1>');
    });

    it('refuses an unknown format naming the field', async () => {
      const response = await fetch(`${url}/t?format=pdf`);
      expect(response.status).toBe(400);
      expect((await response.json()).message).toContain('format must be one of');
    });
  });
});
