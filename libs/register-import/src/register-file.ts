import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

export type RegisterFileFormat = 'csv' | 'xlsx';

/** A register file as rows of cells keyed by header, each with its row number as a spreadsheet shows it (header = 1). */
export interface RegisterFile {
  format: RegisterFileFormat;
  /** sha256 of the bytes: with the row number it names each row's command, so the same file never applies twice */
  sha256: string;
  headers: string[];
  rows: { row: number; cells: Record<string, unknown> }[];
}

export class RegisterFileError extends Error {
  constructor(
    message: string,
    readonly field = 'file',
  ) {
    super(message);
    this.name = 'RegisterFileError';
  }
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** By content first (an .xlsx is a zip), then by name. */
export function formatOf(bytes: Buffer, fileName = ''): RegisterFileFormat {
  if (bytes.subarray(0, 4).equals(ZIP_MAGIC)) return 'xlsx';
  if (/\.xlsx?$/i.test(fileName)) throw new RegisterFileError(`${fileName} is not a readable .xlsx workbook (an old .xls must be saved as .xlsx or CSV first)`);
  return 'csv';
}

export async function readRegisterFile(bytes: Buffer, fileName = ''): Promise<RegisterFile> {
  const format = formatOf(bytes, fileName);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { headers, rows } = format === 'xlsx' ? await readWorkbook(bytes) : readCsv(bytes);
  if (headers.length === 0) throw new RegisterFileError('The file has no header row: the first row must name the columns (统一社会信用代码, 企业名称, …)');
  return { format, sha256, headers, rows };
}

function readCsv(bytes: Buffer): Pick<RegisterFile, 'headers' | 'rows'> {
  let records: string[][];
  try {
    records = parse(bytes, { bom: true, relax_column_count: true, skip_empty_lines: false, trim: true }) as string[][];
  } catch (error) {
    throw new RegisterFileError(`The CSV file cannot be read: ${(error as Error).message}`);
  }
  const [header = [], ...data] = records;
  const headers = header.map((h) => h.trim());
  const rows = data
    .map((record, i) => ({ row: i + 2, cells: Object.fromEntries(headers.map((h, c) => [h, record[c]])) }))
    .filter(({ cells }) => Object.values(cells).some((v) => v !== undefined && v !== ''));
  return { headers, rows };
}

/** A cell's value as written: rich text and hyperlinks as their text, formulas as their result. */
function cellValue(value: ExcelJS.CellValue): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('result' in value) return cellValue(value.result as ExcelJS.CellValue);
  if ('error' in value) return undefined;
  return String(value);
}

async function readWorkbook(bytes: Buffer): Promise<Pick<RegisterFile, 'headers' | 'rows'>> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    throw new RegisterFileError(`The workbook cannot be read: ${(error as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new RegisterFileError('The workbook has no worksheet');
  const headerRow = sheet.getRow(1);
  const headerAt = new Map<number, string>();
  headerRow.eachCell((cell, column) => {
    const header = String(cellValue(cell.value) ?? '').trim();
    if (header) headerAt.set(column, header);
  });
  const rows: RegisterFile['rows'] = [];
  sheet.eachRow((row, rowNumber) => {
    if (rowNumber === 1) return;
    const cells: Record<string, unknown> = {};
    let any = false;
    for (const [column, header] of headerAt) {
      const value = cellValue(row.getCell(column).value);
      if (value !== undefined && value !== '') any = true;
      cells[header] = value;
    }
    if (any) rows.push({ row: rowNumber, cells });
  });
  return { headers: [...headerAt.values()], rows };
}
