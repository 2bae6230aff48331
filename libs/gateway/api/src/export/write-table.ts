import ExcelJS from 'exceljs';
import { cellText, districtsLine, type Table } from './table';

/** The labels above the header row in every file, so a sheet printed or forwarded still says what and when. */
export const DISTRICTS_LABEL = '行政区划';
export const AS_OF_LABEL = '截至时间';

const CSV_BOM = '\uFEFF';
const csvField = (text: string): string => (/[",\r\n]/.test(text) || /^[=+\-@\t]/.test(text) ? `"${safeForSpreadsheet(text).replace(/"/g, '""')}"` : text);
/** A cell starting with = + - @ would be run as a formula by Excel (CSV injection); a leading apostrophe keeps it text. Numbers are not touched. */
const safeForSpreadsheet = (text: string): string => (/^[=+\-@\t]/.test(text) && Number.isNaN(Number(text)) ? `'${text}` : text);

/** UTF-8 with a byte-order mark (Excel then reads Chinese right): title, district and as-of lines, a blank line, the Chinese header row, the rows. */
export function tableToCsv(table: Table): Buffer {
  const lines: string[][] = [
    [table.title.zh],
    [DISTRICTS_LABEL, districtsLine(table.districts)],
    [AS_OF_LABEL, table.asOf],
    [],
    table.columns.map((c) => c.zh),
    ...table.rows.map((row) => table.columns.map((c) => (typeof row[c.key] === 'number' ? String(row[c.key]) : cellText(row[c.key] ?? null, c.kind)))),
    ...(table.notes?.length ? [[], ...table.notes.map((note) => [note])] : []),
  ];
  return Buffer.from(CSV_BOM + lines.map((line) => line.map(csvField).join(',')).join('\r\n') + '\r\n', 'utf8');
}

/** Excel forbids these in sheet names and allows at most 31 characters. */
const sheetName = (title: string): string => title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Sheet1';

const NUMBER_FORMATS = { count: '0', percent: '0.0%', decimal: '0.00', text: '@' } as const;

/** One sheet set up for A4: title, district and as-of lines, a bold frozen header row, numbers as numbers. */
export async function tableToXlsx(table: Table): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.created = new Date(table.asOf);
  const sheet = book.addWorksheet(sheetName(table.title.zh), {
    pageSetup: { paperSize: 9, orientation: table.columns.length > 6 ? 'landscape' : 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    views: [{ state: 'frozen', ySplit: 5 }],
  });
  sheet.addRow([table.title.zh]).font = { bold: true, size: 14 };
  sheet.addRow([DISTRICTS_LABEL, districtsLine(table.districts)]);
  sheet.addRow([AS_OF_LABEL, table.asOf]);
  sheet.addRow([]);
  const header = sheet.addRow(table.columns.map((c) => c.zh));
  header.font = { bold: true };
  for (const row of table.rows) sheet.addRow(table.columns.map((c) => row[c.key] ?? null));
  table.columns.forEach((column, i) => {
    const sheetColumn = sheet.getColumn(i + 1);
    const widest = Math.max(column.zh.length * 2, ...table.rows.map((row) => cellText(row[column.key] ?? null, column.kind).length));
    sheetColumn.width = Math.min(Math.max(widest + 2, 8), 60);
    if (column.kind && column.kind !== 'text') {
      for (let r = 6; r < 6 + table.rows.length; r++) sheet.getCell(r, i + 1).numFmt = NUMBER_FORMATS[column.kind];
    }
  });
  if (table.notes?.length) {
    sheet.addRow([]);
    for (const note of table.notes) sheet.addRow([note]);
  }
  sheet.pageSetup.printTitlesRow = '5:5';
  return Buffer.from(await book.xlsx.writeBuffer());
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** The table alone on A4 pages, Chinese: title, districts and as-of time above it, the header row repeated on every page. */
export function tableToPrintHtml(table: Table): string {
  const head = table.columns.map((c) => `<th>${escapeHtml(c.zh)}</th>`).join('');
  const body = table.rows
    .map((row) => `<tr>${table.columns.map((c) => `<td class="${c.kind && c.kind !== 'text' ? 'n' : 't'}">${escapeHtml(cellText(row[c.key] ?? null, c.kind))}</td>`).join('')}</tr>`)
    .join('\n');
  const notes = (table.notes ?? []).map((note) => `<p class="note">${escapeHtml(note)}</p>`).join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${escapeHtml(table.title.zh)}</title>
<style>
@page { size: A4 ${table.columns.length > 6 ? 'landscape' : 'portrait'}; margin: 15mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "SimSun", sans-serif; font-size: 10.5pt; color: #000; margin: 0; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4mm; }
.meta { display: flex; justify-content: space-between; margin-bottom: 3mm; }
table { width: 100%; border-collapse: collapse; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
th, td { border: 0.5pt solid #000; padding: 1.2mm 2mm; }
th { background: #eee; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.note { font-size: 9pt; margin: 2mm 0 0; }
@media screen { body { width: 180mm; margin: 10mm auto; } }
</style>
</head>
<body>
<h1>${escapeHtml(table.title.zh)}</h1>
<div class="meta"><span>${DISTRICTS_LABEL}：${escapeHtml(districtsLine(table.districts))}</span><span>${AS_OF_LABEL}：${escapeHtml(table.asOf)}</span></div>
<table>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
${notes}
</body>
</html>
`;
}
