import { type Coverage, COVERAGE, ProjectionRunner, SqliteReadModelStore } from '@liangxin/read-models';
import type { AdminContext } from '../admin-context';
import type { ProgressReporter } from '../progress';
import { percent, renderTable } from '../render/table';
import { LogRecordedBy } from './recorded-by';

export interface ReplayReport {
  /** the instant replayed to (UTC) */
  until: string;
  /** global position of the last event recorded by then (0: none) */
  position: number;
  projections: string[];
  /** coverage of every district as of `until`, by district code */
  districts: Coverage[];
}

const BATCH = 2_000;

/**
 * Replays every projection from the first event up to an instant into a throwaway in-memory store,
 * leaving the live read models untouched, and returns the district coverage as it stood then.
 */
export async function replayUntil(context: AdminContext, options: { until: string; progress?: ProgressReporter }): Promise<ReplayReport> {
  const log = await context.events();
  const asOfThen = new LogRecordedBy(log, options.until);
  const scratch = SqliteReadModelStore.open('', ':memory:');
  try {
    const runner = new ProjectionRunner(asOfThen, scratch, context.projections, { batchSize: BATCH, snapshotEvery: 0 });
    await runner.prepare();
    const head = await log.headPosition();
    while ((await runner.step()) > 0) options.progress?.update(runner.position, head);
    options.progress?.update(runner.position, runner.position);
    options.progress?.finish();
    const districts = (await scratch.find<Coverage>(COVERAGE, { scope: 'district' })).map((d) => d.body).sort((a, b) => a.key.localeCompare(b.key));
    return { until: options.until, position: runner.position, projections: context.projections.map((p) => p.name), districts };
  } finally {
    await scratch.close();
  }
}

export function describeReplay(report: ReplayReport): string {
  const title = `回放 replay of ${report.projections.length} projections up to ${report.until}: ${report.position} events (through event #${report.position})`;
  if (report.districts.length === 0) return `${title}\n  No enterprise had been registered by then.`;
  const rows = report.districts.map((c) => [
    c.key,
    String(c.enterprises),
    String(c.withMembers),
    String(c.organisational),
    String(c.work),
    String(c.none),
    percent(c.overallRate),
    percent(c.organisationalRate),
    c.meetsTarget ? '是 yes' : '否 no',
  ]);
  return [
    title,
    renderTable(
      ['区县 district', '企业 enterprises', '有党员 with members', '组织覆盖 org.', '工作覆盖 work', '未覆盖 none', '覆盖率 coverage', '组织覆盖率 org. rate', '达标 meets target'],
      rows,
    ),
  ].join('\n');
}
