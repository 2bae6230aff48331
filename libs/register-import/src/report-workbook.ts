import ExcelJS from 'exceljs';
import type { ImportReport, RowOutcome } from './run-import';

const OUTCOME_LABEL: Record<RowOutcome, string> = { registered: '新登记 registered', updated: '已更新 updated', unchanged: '无变化 unchanged', refused: '拒绝 refused' };

/** The per-row report as an .xlsx an officer opens: one sheet of rows, one of totals. */
export async function reportWorkbook(report: ImportReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Liangxin 两新';
  const rows = workbook.addWorksheet('导入结果 rows');
  rows.columns = [
    { header: '行号 row', key: 'row', width: 10 },
    { header: '统一社会信用代码 credit code', key: 'creditCode', width: 24 },
    { header: '企业名称 name', key: 'name', width: 30 },
    { header: '结果 outcome', key: 'outcome', width: 18 },
    { header: '事件 events', key: 'events', width: 40 },
    { header: '列 column', key: 'column', width: 18 },
    { header: '原因 reason', key: 'reason', width: 60 },
    { header: '代码 code', key: 'code', width: 24 },
  ];
  for (const row of report.rows) {
    rows.addRow({
      row: row.row,
      creditCode: row.creditCode ?? '',
      name: row.name ?? '',
      outcome: OUTCOME_LABEL[row.outcome],
      events: (row.events ?? []).join(', ') + (row.alreadyImported ? ' (已导入过 already imported)' : ''),
      column: row.column ?? '',
      reason: row.reason ?? '',
      code: row.code ?? '',
    });
  }
  rows.getRow(1).font = { bold: true };
  rows.views = [{ state: 'frozen', ySplit: 1 }];

  const summary = workbook.addWorksheet('汇总 summary');
  summary.columns = [
    { header: '项目 item', key: 'item', width: 28 },
    { header: '数值 value', key: 'value', width: 70 },
  ];
  summary.addRows([
    { item: '文件 file', value: report.file.name },
    { item: '文件摘要 sha256', value: report.file.sha256 },
    { item: '数据行 rows', value: report.file.rows },
    { item: '试运行 dry run', value: report.dryRun ? '是 yes' : '否 no' },
    ...(Object.keys(OUTCOME_LABEL) as RowOutcome[]).map((outcome) => ({ item: OUTCOME_LABEL[outcome], value: report.counts[outcome] })),
    { item: '开始 started', value: report.startedAt },
    { item: '结束 finished', value: report.finishedAt },
  ]);
  summary.getRow(1).font = { bold: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
