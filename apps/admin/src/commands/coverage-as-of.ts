import { type Coverage, COVERAGE, coverageId, TimeTravel } from '@liangxin/read-models';
import type { AdminContext } from '../admin-context';
import { AdminError } from '../admin-error';
import { percent, renderTable } from '../render/table';

export interface CoverageAsOfReport {
  district: string;
  /** the instant asked about (UTC) */
  asOf: string;
  /** global position of the last event recorded by then */
  position: number;
  /** undefined when no enterprise of the district had been registered by then */
  coverage: Coverage | undefined;
}

const DISTRICT = /^\d{6}$/;

/** The coverage of one district as the dashboard showed it at an instant (time travel from the nearest snapshot). */
export async function coverageAsOf(context: AdminContext, options: { asOf: string; district: string }): Promise<CoverageAsOfReport> {
  if (!DISTRICT.test(options.district)) {
    throw new AdminError(`"${options.district}" is not a district code: give the 6-digit administrative division, e.g. 430100`);
  }
  const projection = context.projections.find((p) => p.name === 'coverage');
  if (!projection) throw new AdminError('The coverage projection is not configured');
  const travel = new TimeTravel(await context.events(), await context.readModels());
  const position = await travel.positionAt(projection, options.asOf);
  const coverage = await travel.documentAsOf<Coverage>(projection, COVERAGE, coverageId('district', options.district), { position });
  return { district: options.district, asOf: options.asOf, position, coverage };
}

export function describeCoverageAsOf(report: CoverageAsOfReport): string {
  const title = `区县 district ${report.district} — 截至 as of ${report.asOf} (event #${report.position})`;
  const c = report.coverage;
  if (!c) return `${title}\n  No enterprise of this district had been registered by then.`;
  const rows: string[][] = [
    ['企业数 enterprises', String(c.enterprises)],
    ['有党员企业 with party members', String(c.withMembers)],
    ['组织覆盖 organisationally covered', String(c.organisational)],
    ['工作覆盖 work-covered (named person)', String(c.work)],
    ['未覆盖 not covered', String(c.none)],
    ['  待派指导员 needs an assignee', String(c.notCoveredReasons?.['needs-assignee'] ?? 0)],
    ['  应建组织 needs an organisation', String(c.notCoveredReasons?.['needs-organisation'] ?? 0)],
    ['  待联建成员 awaiting joint members', String(c.notCoveredReasons?.['awaiting-joint-members'] ?? 0)],
    ['覆盖率 coverage rate', percent(c.overallRate)],
    ['组织覆盖率 organisational rate', percent(c.organisationalRate)],
    ['目标 target', percent(c.target)],
    ['达标 meets target', c.meetsTarget ? '是 yes' : '否 no'],
    ['50人以上应建未建 50+ employees, no organisation', String(c.uncoveredLarge.length)],
  ];
  const lines = [title, renderTable(['指标 measure', '数值 value'], rows)];
  if (c.uncoveredLarge.length > 0) {
    lines.push('应建未建企业 enterprises that must be organisationally covered (rule 5):');
    for (const code of c.uncoveredLarge) lines.push(`  ${code}`);
  }
  return lines.join('\n');
}
