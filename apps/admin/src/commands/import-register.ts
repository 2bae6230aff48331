import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { enterpriseStreamId, type ImportRegisterRowMessage, type ImportRegisterRowResult, type RegistryEvent } from '@liangxin/contracts';
import { fold } from '@liangxin/event-sourcing';
import type { EventStore } from '@liangxin/event-store';
import type { RecordedEvent } from '@liangxin/contracts';
import { type ImportReport, MissingColumnsError, readRegisterFile, RegisterFileError, reportWorkbook, type RowSender, runImport } from '@liangxin/register-import';
import { enterpriseDecider } from '@liangxin/registry-domain';
import { executeEnterpriseCommand, importOutcome } from '@liangxin/registry-service';
import type { AdminContext } from '../admin-context';
import { AdminError } from '../admin-error';
import type { ProgressReporter } from '../progress';

const ADMIN_SCOPE = { role: 'admin', districts: 'all' } as const;

/** Each row through the registry's own command path on the store: load the ledger, check, decide, append. */
export const registrySender =
  (store: EventStore, actor: string): RowSender =>
  async (message, commandId) =>
    importOutcome(await executeEnterpriseCommand(store, { type: 'ImportRegisterRow', data: message }, message.creditCode, ADMIN_SCOPE, { actor, commandId, reason: 'import' }));

/** The same decision against the same ledger, nothing appended: what the import would do. */
export const dryRunSender =
  (store: EventStore): RowSender =>
  async (message: ImportRegisterRowMessage, commandId: string): Promise<ImportRegisterRowResult> => {
    const stream = await store.readStream<RegistryEvent>(enterpriseStreamId(message.creditCode));
    const earlier = stream.filter((event) => event.metadata.commandId === commandId);
    if (earlier.length > 0) return importOutcome({ events: earlier, idempotentReplay: true });
    const decided = enterpriseDecider.decide({ type: 'ImportRegisterRow', data: message }, fold(enterpriseDecider, stream));
    return importOutcome({ events: decided as unknown as RecordedEvent[], idempotentReplay: false });
  };

export async function importRegister(
  context: AdminContext,
  options: { file: string; dryRun: boolean; reportFile?: string; progress?: ProgressReporter },
): Promise<ImportReport> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(options.file);
  } catch {
    throw new AdminError(`Cannot read ${options.file}: give the path of a .csv or .xlsx register file.`);
  }
  try {
    const file = await readRegisterFile(bytes, options.file);
    const store = await context.events();
    const send = options.dryRun ? dryRunSender(store) : registrySender(store, 'admin:cli');
    const report = await runImport(file, send, { fileName: basename(options.file), dryRun: options.dryRun, concurrency: 32, onProgress: (done, total) => options.progress?.update(done, total) });
    options.progress?.finish();
    if (options.reportFile) writeFileSync(options.reportFile, await reportWorkbook(report));
    return report;
  } catch (error) {
    if (error instanceof RegisterFileError || error instanceof MissingColumnsError) throw new AdminError(error.message);
    throw error;
  }
}

export function describeImport(report: ImportReport, reportFile?: string): string {
  const { counts } = report;
  const lines = [
    `${report.dryRun ? '试运行 dry run (nothing written)' : '导入完成 import complete'}: ${report.file.name}, ${report.file.rows} row(s)`,
    `  新登记 registered ${counts.registered} · 已更新 updated ${counts.updated} · 无变化 unchanged ${counts.unchanged} · 拒绝 refused ${counts.refused}`,
  ];
  const refused = report.rows.filter((row) => row.outcome === 'refused');
  for (const row of refused.slice(0, 20)) lines.push(`  行 row ${row.row} [${row.column}] ${row.reason} (${row.code})`);
  if (refused.length > 20) lines.push(`  … ${refused.length - 20} more refused row(s): see the report (--report <file.xlsx>)`);
  if (reportFile) lines.push(`  报告 report: ${reportFile}`);
  return lines.join('\n');
}
