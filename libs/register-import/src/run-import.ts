import type { ImportRegisterRowMessage, ImportRegisterRowResult, ImportRowOutcome } from '@liangxin/contracts';
import { type ColumnMap, columnOf, mapColumns, type RegisterField, validateRow } from './columns';
import type { RegisterFile } from './register-file';

/** Sends one row to the registry's command path; a refusal is thrown as {code, message, field, kind}. */
export type RowSender = (message: ImportRegisterRowMessage, commandId: string) => Promise<ImportRegisterRowResult>;

export type RowOutcome = ImportRowOutcome | 'refused';
export const ROW_OUTCOMES: readonly RowOutcome[] = ['registered', 'updated', 'unchanged', 'refused'];

export interface RowReport {
  /** the row number a spreadsheet shows (the header is row 1) */
  row: number;
  creditCode?: string;
  name?: string;
  outcome: RowOutcome;
  /** event types the row appended */
  events?: string[];
  /** this row of this file had been imported before (the same file again, or a resumed import): nothing new appended */
  alreadyImported?: boolean;
  /** refused: the stable code, the column at fault as the file names it, and why */
  code?: string;
  column?: string;
  reason?: string;
}

export interface ImportReport {
  file: { name: string; format: string; sha256: string; rows: number };
  /** field → the file's header it was read from */
  columns: Partial<Record<RegisterField, string>>;
  dryRun: boolean;
  counts: Record<RowOutcome, number>;
  rows: RowReport[];
  startedAt: string;
  finishedAt: string;
}

export interface RunImportOptions {
  fileName: string;
  /** rows in flight at once: the registry decides each against its own ledger, so rows of different enterprises never wait on each other */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  dryRun?: boolean;
}

/** Kinds of refusal a row earns by what it says; anything else (a broker down, a timeout) stops the import so a re-run resumes it. */
const ROW_REFUSALS = new Set(['invalid', 'not_found', 'conflict', 'unprocessable', 'forbidden']);

/** A row's command id: the same row of the same file is the same command, however often the file is imported or resumed. */
export const rowCommandId = (sha256: string, row: number): string => `import-${sha256.slice(0, 32)}-row-${row}`;

/** A file with a required column missing imports nothing: every row would be refused for the same reason. */
export class MissingColumnsError extends Error {
  readonly field = 'file';
  constructor(readonly missing: string[]) {
    super(`The file has no column for ${missing.join(', ')}: name it in the header row (see docs/import.md)`);
    this.name = 'MissingColumnsError';
  }
}

export function columnsOf(file: RegisterFile): ColumnMap {
  const columns = mapColumns(file.headers);
  if (columns.missing.length > 0) throw new MissingColumnsError(columns.missing.map((field) => `${field} (${headerHint(field)})`));
  return columns;
}

const headerHint = (field: RegisterField): string => ({ creditCode: '统一社会信用代码', name: '企业名称', employees: '从业人员', fullMembers: '正式党员', probationaryMembers: '预备党员' })[field as string] ?? field;

/**
 * Every row validated, then sent to the registry, which decides it against the enterprise's ledger. The report says
 * per row what happened. Rows are sent a few at a time in file order; the same credit code twice in one file is refused
 * at its second row (which would otherwise race the first).
 */
export async function runImport(file: RegisterFile, send: RowSender, options: RunImportOptions): Promise<ImportReport> {
  const startedAt = new Date().toISOString();
  const columns = columnsOf(file);
  const reports: RowReport[] = new Array(file.rows.length);
  const firstRowOf = new Map<string, number>();
  const toSend: { index: number; message: ImportRegisterRowMessage }[] = [];
  file.rows.forEach(({ row, cells }, index) => {
    const validated = validateRow(cells, columns);
    if (!validated.ok) {
      reports[index] = { row, creditCode: text(cells[columns.headerOf.creditCode ?? '']), name: text(cells[columns.headerOf.name ?? '']), outcome: 'refused', ...validated.refusal };
      return;
    }
    const { creditCode, name } = validated.message;
    const first = firstRowOf.get(creditCode);
    if (first !== undefined) {
      reports[index] = { row, creditCode, name, outcome: 'refused', code: 'DUPLICATE_ROW', column: columnOf('creditCode', columns), reason: `the same credit code is already in row ${first}` };
      return;
    }
    firstRowOf.set(creditCode, row);
    toSend.push({ index, message: validated.message });
  });

  let done = file.rows.length - toSend.length;
  options.onProgress?.(done, file.rows.length);
  let next = 0;
  const worker = async () => {
    while (next < toSend.length) {
      const { index, message } = toSend[next++];
      const { row } = file.rows[index];
      try {
        const result = await send(message, rowCommandId(file.sha256, row));
        reports[index] = { row, creditCode: message.creditCode, name: message.name, outcome: result.outcome, events: result.events, ...(result.alreadyImported && { alreadyImported: true }) };
      } catch (error) {
        const refusal = error as { code?: string; message?: string; field?: string; kind?: string };
        if (!ROW_REFUSALS.has(String(refusal?.kind))) throw error;
        reports[index] = { row, creditCode: message.creditCode, name: message.name, outcome: 'refused', code: refusal.code, column: columnOf(refusal.field, columns), reason: refusal.message };
      }
      options.onProgress?.(++done, file.rows.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 16) }, worker));

  const counts = Object.fromEntries(ROW_OUTCOMES.map((outcome) => [outcome, 0])) as Record<RowOutcome, number>;
  for (const report of reports) counts[report.outcome] += 1;
  return {
    file: { name: options.fileName, format: file.format, sha256: file.sha256, rows: file.rows.length },
    columns: columns.headerOf,
    dryRun: options.dryRun ?? false,
    counts,
    rows: reports,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}

const text = (value: unknown): string | undefined => (value === undefined || value === null || value === '' ? undefined : String(value).trim());
