import { divisionName, OPEN_REQUEST_STATUSES } from '@liangxin/contracts';
import {
  applyContribution,
  contributionOf,
  type Coverage,
  emptyCoverage,
  type EnterpriseStatus,
  type OrganisationStatus,
  type OrgEvaluation,
  type ServiceRequestView,
} from '@liangxin/read-models';
import type { Cell, Table, TableColumn } from '../export';
import { chinaDate, chinaYear, modeName, ownershipName, MODE_NAMES } from './labels';
import { type CoverageTargetsPolicy, passesCheck, targetOf } from './coverage-targets';

/** A table before the route adds the moment and the districts it stands for. */
export type TableBody = Omit<Table, 'asOf' | 'districts'>;

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);
const TOTAL = '合计';

// ---------------------------------------------------------------------------------------------------------------
/** Organisations formed and dissolved per year (China time) and mode; one total line per year. 000: 151 formed this year. */
export function orgLifecycleTable(orgs: readonly OrganisationStatus[]): TableBody {
  const counts = new Map<string, { year: number; mode: string; formed: number; dissolved: number; merged: number }>();
  const count = (year: number, mode: string, field: 'formed' | 'dissolved' | 'merged') => {
    const key = `${year}|${mode}`;
    const line = counts.get(key) ?? { year, mode, formed: 0, dissolved: 0, merged: 0 };
    line[field] += 1;
    counts.set(key, line);
  };
  for (const org of orgs) {
    count(chinaYear(org.formedAt), org.mode, 'formed');
    if (org.status === 'dissolved' && org.dissolvedAt) {
      count(chinaYear(org.dissolvedAt), org.mode, 'dissolved');
      if (org.mergedInto) count(chinaYear(org.dissolvedAt), org.mode, 'merged');
    }
  }
  const modeOrder = Object.keys(MODE_NAMES);
  const lines = [...counts.values()].sort((a, b) => b.year - a.year || modeOrder.indexOf(a.mode) - modeOrder.indexOf(b.mode) || a.mode.localeCompare(b.mode));
  const rows: Record<string, Cell>[] = [];
  for (const year of [...new Set(lines.map((l) => l.year))]) {
    const ofYear = lines.filter((l) => l.year === year);
    for (const l of ofYear) rows.push({ year, mode: l.mode, modeName: modeName(l.mode), formed: l.formed, dissolved: l.dissolved, merged: l.merged });
    const sum = (field: 'formed' | 'dissolved' | 'merged') => ofYear.reduce((total, l) => total + l[field], 0);
    rows.push({ year, mode: null, modeName: TOTAL, formed: sum('formed'), dissolved: sum('dissolved'), merged: sum('merged') });
  }
  return {
    title: { zh: '党组织组建与撤销情况（按年度、组建方式）', en: 'Organisations formed and dissolved by year and mode' },
    columns: [
      { key: 'year', zh: '年度', en: 'Year', kind: 'count' },
      { key: 'mode', zh: '组建方式代码', en: 'Mode' },
      { key: 'modeName', zh: '组建方式', en: 'Mode name' },
      { key: 'formed', zh: '新建', en: 'Formed', kind: 'count' },
      { key: 'dissolved', zh: '撤销', en: 'Dissolved', kind: 'count' },
      { key: 'merged', zh: '其中：合并', en: 'Of which merged', kind: 'count' },
    ],
    rows,
    notes: ['年度按北京时间计；撤销含合并（被合并的组织计入撤销）；合计行的组建方式代码为空。'],
  };
}

// ---------------------------------------------------------------------------------------------------------------
export const COVERAGE_DIMENSIONS = ['district', 'park', 'industry-chain', 'building', 'ownership'] as const;
export type CoverageDimension = (typeof COVERAGE_DIMENSIONS)[number];

const DIMENSION_NAMES: Record<CoverageDimension, { zh: string; en: string; field: keyof EnterpriseStatus }> = {
  district: { zh: '行政区划', en: 'district', field: 'district' },
  park: { zh: '园区', en: 'park', field: 'park' },
  'industry-chain': { zh: '产业链', en: 'industry chain', field: 'industryChain' },
  building: { zh: '楼宇', en: 'building', field: 'building' },
  ownership: { zh: '投资性质', en: 'ownership', field: 'ownership' },
};

/** The name shown beside a group's key: the division's name, the ownership's Chinese name; none for free-text keys. */
const keyName = (dimension: CoverageDimension, key: string): string | null => {
  if (dimension === 'district') return divisionName(key) ?? null;
  if (dimension === 'ownership') return ownershipName(key);
  return null;
};

/**
 * Coverage counted the way the coverage projection counts it (same contribution per enterprise, deregistered ones
 * left out), grouped by any ledger field: `key` null collects the enterprises with the field not filled in.
 */
export function coverageGroups(enterprises: readonly EnterpriseStatus[], dimension: CoverageDimension, target: number): Map<string | null, Coverage> {
  const field = DIMENSION_NAMES[dimension].field;
  const groups = new Map<string | null, Coverage>();
  for (const enterprise of enterprises) {
    const contribution = contributionOf(enterprise);
    if (!contribution) continue;
    const key = (enterprise[field] as string | null) ?? null;
    const coverage = groups.get(key) ?? emptyCoverage('district', key ?? '', target);
    groups.set(key, applyContribution(coverage, contribution, 1, target));
  }
  return groups;
}

export function coverageTable(enterprises: readonly EnterpriseStatus[], dimension: CoverageDimension, target: number): TableBody {
  const names = DIMENSION_NAMES[dimension];
  const groups = [...coverageGroups(enterprises, dimension, target)].sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
  const line = (key: string | null, name: string | null, c: Coverage): Record<string, Cell> => ({
    key,
    name,
    enterprises: c.enterprises,
    withMembers: c.withMembers,
    organisational: c.organisational,
    work: c.work,
    none: c.none,
    organisationalRate: ratio(c.organisational, c.withMembers),
    overallRate: ratio(c.organisational + c.work, c.enterprises),
    uncoveredLarge: c.uncoveredLarge.length,
  });
  const rows = groups.map(([key, c]) => line(key, key === null ? '（未填写）' : keyName(dimension, key), c));
  if (groups.length > 1) {
    const all = groups.map(([, c]) => c).reduce(
      (sum, c) => ({ ...sum, enterprises: sum.enterprises + c.enterprises, withMembers: sum.withMembers + c.withMembers, organisational: sum.organisational + c.organisational, work: sum.work + c.work, none: sum.none + c.none, uncoveredLarge: [...sum.uncoveredLarge, ...c.uncoveredLarge] }),
      emptyCoverage('district', '', target),
    );
    rows.push(line(null, TOTAL, all));
  }
  return {
    title: { zh: `党组织覆盖情况（按${names.zh}）`, en: `Coverage by ${names.en}` },
    columns: [
      { key: 'key', zh: names.zh, en: names.en },
      { key: 'name', zh: '名称', en: 'Name' },
      { key: 'enterprises', zh: '企业数', en: 'Enterprises', kind: 'count' },
      { key: 'withMembers', zh: '有党员企业', en: 'With members', kind: 'count' },
      { key: 'organisational', zh: '组织覆盖', en: 'Organisational', kind: 'count' },
      { key: 'work', zh: '工作覆盖', en: 'Work', kind: 'count' },
      { key: 'none', zh: '未覆盖', en: 'Not covered', kind: 'count' },
      { key: 'organisationalRate', zh: '组织覆盖率', en: 'Organisational rate', kind: 'percent' },
      { key: 'overallRate', zh: '总覆盖率', en: 'Overall rate', kind: 'percent' },
      { key: 'uncoveredLarge', zh: '50人以上有党员未建', en: '50+ with members, no organisation', kind: 'count' },
    ],
    rows,
    notes: ['组织覆盖率 = 组织覆盖 ÷ 有党员企业；总覆盖率 = （组织覆盖 + 工作覆盖）÷ 企业数；已注销企业不计。工作覆盖指已明确指导员或联络员。'],
  };
}

// ---------------------------------------------------------------------------------------------------------------
/**
 * Instructors and liaison cadres: each named person with the active organisations they instruct and the enterprises
 * they give work coverage to (their caseload). 001: 1 607 instructors.
 */
export function assigneesTable(orgs: readonly OrganisationStatus[], enterprises: readonly EnterpriseStatus[]): TableBody {
  const people = new Map<string, { name: string | null; roles: Set<string>; orgs: number; instructed: number; liaised: number; districts: Set<string> }>();
  const person = (id: string) => {
    const found = people.get(id) ?? { name: null, roles: new Set<string>(), orgs: 0, instructed: 0, liaised: 0, districts: new Set<string>() };
    people.set(id, found);
    return found;
  };
  for (const org of orgs) {
    if (org.status !== 'active' || !org.instructor) continue;
    const p = person(org.instructor.personId);
    p.name ??= org.instructor.name;
    p.roles.add('instructor');
    p.orgs += 1;
    p.districts.add(org.district);
  }
  for (const enterprise of enterprises) {
    if (enterprise.coverage !== 'work' || !enterprise.workCoverageAssignee) continue;
    const p = person(enterprise.workCoverageAssignee);
    const role = enterprise.workCoverage?.coveredBy === 'liaison' ? 'liaison' : 'instructor';
    p.roles.add(role);
    if (role === 'liaison') p.liaised += 1;
    else p.instructed += 1;
    p.districts.add(enterprise.district);
  }
  const rows = [...people]
    .map(([personId, p]) => ({
      personId,
      name: p.name,
      role: [...p.roles].sort().map((r) => (r === 'instructor' ? '党建指导员' : '联络员')).join('、'),
      districts: [...p.districts].sort().join('、'),
      orgsInstructed: p.orgs,
      enterprisesInstructed: p.instructed,
      enterprisesLiaised: p.liaised,
      caseload: p.instructed + p.liaised,
    }))
    .sort((a, b) => b.caseload - a.caseload || b.orgsInstructed - a.orgsInstructed || a.personId.localeCompare(b.personId));
  const instructors = rows.filter((r) => r.role.includes('党建指导员')).length;
  const liaisons = rows.filter((r) => r.role.includes('联络员')).length;
  return {
    title: { zh: '党建指导员、联络员及其联系企业情况', en: 'Instructors and liaison cadres with caseloads' },
    columns: [
      { key: 'personId', zh: '人员编号', en: 'Person' },
      { key: 'name', zh: '姓名', en: 'Name' },
      { key: 'role', zh: '身份', en: 'Role' },
      { key: 'districts', zh: '行政区划', en: 'Districts' },
      { key: 'orgsInstructed', zh: '指导党组织数', en: 'Organisations instructed', kind: 'count' },
      { key: 'enterprisesInstructed', zh: '指导企业数（工作覆盖）', en: 'Enterprises instructed (work coverage)', kind: 'count' },
      { key: 'enterprisesLiaised', zh: '联系企业数（工作覆盖）', en: 'Enterprises liaised (work coverage)', kind: 'count' },
      { key: 'caseload', zh: '工作覆盖企业合计', en: 'Caseload', kind: 'count' },
    ],
    rows,
    notes: [`党建指导员 ${instructors} 名，联络员 ${liaisons} 名（一人可兼任）。指导党组织数只计存续的党组织；工作覆盖企业合计即工作覆盖的案头量。`],
  };
}

// ---------------------------------------------------------------------------------------------------------------
/** Pairings (结对共建): each public unit's organisation and the active non-public organisations paired with it. 001: 233 ↔ 309. */
export function pairingsTable(orgs: readonly OrganisationStatus[]): TableBody {
  const units = new Map<string, { name: string; paired: string[] }>();
  for (const org of orgs) {
    if (org.status !== 'active') continue;
    for (const unit of org.pairedWith) {
      const line = units.get(unit.orgId) ?? { name: unit.name, paired: [] };
      line.paired.push(org.name);
      units.set(unit.orgId, line);
    }
  }
  const rows = [...units]
    .map(([orgId, u]) => ({ publicUnitOrgId: orgId, publicUnitName: u.name, pairedOrgs: u.paired.length, pairedNames: u.paired.sort((a, b) => a.localeCompare(b, 'zh-CN')).join('、') }))
    .sort((a, b) => b.pairedOrgs - a.pairedOrgs || a.publicUnitOrgId.localeCompare(b.publicUnitOrgId));
  const pairedOrgs = orgs.filter((o) => o.status === 'active' && o.pairedWith.length > 0).length;
  return {
    title: { zh: '机关事业单位党组织与两新党组织结对共建情况', en: 'Pairings of public-unit and non-public organisations' },
    columns: [
      { key: 'publicUnitOrgId', zh: '机关事业单位党组织编号', en: 'Public-unit organisation' },
      { key: 'publicUnitName', zh: '机关事业单位党组织', en: 'Public-unit organisation name' },
      { key: 'pairedOrgs', zh: '结对两新党组织数', en: 'Organisations paired', kind: 'count' },
      { key: 'pairedNames', zh: '结对两新党组织', en: 'Organisations paired (names)' },
    ],
    rows,
    notes: [`${units.size} 个机关事业单位党组织与 ${pairedOrgs} 个两新党组织结对（只计存续的两新党组织）。`],
  };
}

// ---------------------------------------------------------------------------------------------------------------
/** The year a stars table shows when none is asked for: the latest assessed in these ratings, else the current year. */
export const latestRatedYear = (ratings: readonly OrgEvaluation[], asOf: string): number =>
  ratings.reduce((latest, r) => Math.max(latest, ...r.years.map((y) => y.year)), 0) || chinaYear(asOf);

/** Six-star distribution and pass rate per district for one year (001: 85.6 % passed). */
export function starsTable(ratings: readonly OrgEvaluation[], year: number, districts: readonly string[]): TableBody {
  const lines = new Map<string, number[]>(districts.map((d) => [d, [0, 0, 0, 0, 0, 0, 0, 0]]));
  for (const rating of ratings) {
    const ofYear = rating.years.find((y) => y.year === year);
    if (!ofYear) continue;
    const line = lines.get(rating.district) ?? [0, 0, 0, 0, 0, 0, 0, 0];
    line[ofYear.stars - 1] += 1;
    line[6] += 1;
    if (ofYear.passed) line[7] += 1;
    lines.set(rating.district, line);
  }
  const row = (district: string | null, name: string | null, l: number[]): Record<string, Cell> => ({
    district,
    name,
    assessed: l[6],
    ...Object.fromEntries([1, 2, 3, 4, 5, 6].map((s) => [`stars${s}`, l[s - 1]])),
    passed: l[7],
    passRate: ratio(l[7], l[6]),
  });
  const sorted = [...lines].sort(([a], [b]) => a.localeCompare(b));
  const rows = sorted.map(([d, l]) => row(d, divisionName(d) ?? null, l));
  if (sorted.length > 1) rows.push(row(null, TOTAL, sorted.reduce((sum, [, l]) => sum.map((v, i) => v + l[i]), [0, 0, 0, 0, 0, 0, 0, 0])));
  const starNames = ['一', '二', '三', '四', '五', '六'];
  return {
    title: { zh: `${year}年度党组织星级评定情况`, en: `Star ratings ${year}` },
    columns: [
      { key: 'district', zh: '行政区划代码', en: 'District' },
      { key: 'name', zh: '行政区划', en: 'District name' },
      { key: 'assessed', zh: '参评党组织', en: 'Assessed', kind: 'count' },
      ...[1, 2, 3, 4, 5, 6].map((s): TableColumn => ({ key: `stars${s}`, zh: `${starNames[s - 1]}星`, en: `${s} stars`, kind: 'count' })),
      { key: 'passed', zh: '合格', en: 'Passed', kind: 'count' },
      { key: 'passRate', zh: '合格率', en: 'Pass rate', kind: 'percent' },
    ],
    rows,
    notes: ['星级按评定年度的最终结果（含更正）计；无人参评时合格率为空。'],
  };
}

// ---------------------------------------------------------------------------------------------------------------
/** Still the district's to act on and past its due date, on `today` (a Chinese calendar date). */
export const isOverdueOn = (request: Pick<ServiceRequestView, 'status' | 'dueDate'>, today: string): boolean =>
  OPEN_REQUEST_STATUSES.includes(request.status) && request.dueDate !== null && request.dueDate < today;

/** Service requests per district: received, closed, in progress, waiting for the enterprise, overdue (004: 204 / 128 / 76). */
export function requestsTable(requests: readonly ServiceRequestView[], districts: readonly string[], asOf: string): TableBody {
  const today = chinaDate(asOf);
  const zero = () => ({ received: 0, closed: 0, inProgress: 0, awaitingConfirmation: 0, overdue: 0 });
  const lines = new Map(districts.map((d) => [d, zero()]));
  for (const request of requests) {
    const line = lines.get(request.district) ?? zero();
    line.received += 1;
    if (request.status === 'confirmed') line.closed += 1;
    else if (request.status === 'resolved') line.awaitingConfirmation += 1;
    else line.inProgress += 1;
    if (isOverdueOn(request, today)) line.overdue += 1;
    lines.set(request.district, line);
  }
  const sorted = [...lines].sort(([a], [b]) => a.localeCompare(b));
  const rows: Record<string, Cell>[] = sorted.map(([district, l]) => ({ district, name: divisionName(district) ?? null, ...l, closedRate: ratio(l.closed, l.received) }));
  if (sorted.length > 1) {
    const all = sorted.reduce((sum, [, l]) => ({ received: sum.received + l.received, closed: sum.closed + l.closed, inProgress: sum.inProgress + l.inProgress, awaitingConfirmation: sum.awaitingConfirmation + l.awaitingConfirmation, overdue: sum.overdue + l.overdue }), zero());
    rows.push({ district: null, name: TOTAL, ...all, closedRate: ratio(all.closed, all.received) });
  }
  return {
    title: { zh: '企业服务诉求办理情况', en: 'Service requests' },
    columns: [
      { key: 'district', zh: '行政区划代码', en: 'District' },
      { key: 'name', zh: '行政区划', en: 'District name' },
      { key: 'received', zh: '受理诉求', en: 'Received', kind: 'count' },
      { key: 'closed', zh: '已办结', en: 'Closed', kind: 'count' },
      { key: 'inProgress', zh: '正在办理', en: 'In progress', kind: 'count' },
      { key: 'awaitingConfirmation', zh: '待企业确认', en: 'Awaiting confirmation', kind: 'count' },
      { key: 'overdue', zh: '其中：超期', en: 'Of which overdue', kind: 'count' },
      { key: 'closedRate', zh: '办结率', en: 'Closed rate', kind: 'percent' },
    ],
    rows,
    notes: [`办结指企业已确认；正在办理含已受理、办理中和企业退回重办；超期指正在办理且已过答复期限（截至 ${today}，北京时间）。`],
  };
}

// ---------------------------------------------------------------------------------------------------------------
/**
 * Each district's overall coverage against its target and deadline (policy data), and which "three 100 %" checks
 * pass. 000: ≥ 75 % by the end of June.
 */
export function targetsTable(enterprises: readonly EnterpriseStatus[], districts: readonly string[], policy: CoverageTargetsPolicy, asOf: string): TableBody {
  const today = chinaDate(asOf);
  const byDistrict = new Map<string, EnterpriseStatus[]>(districts.map((d) => [d, []]));
  for (const e of enterprises) {
    const list = byDistrict.get(e.district) ?? [];
    list.push(e);
    byDistrict.set(e.district, list);
  }
  const yes = (pass: boolean) => (pass ? '是' : '否');
  const rows = [...byDistrict]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([district, ofDistrict]) => {
      const coverage = coverageGroups(ofDistrict, 'district', 0).get(district);
      const rate = coverage ? ratio(coverage.organisational + coverage.work, coverage.enterprises) : null;
      const target = targetOf(policy, district);
      const met = rate !== null && rate >= target.rate;
      const checks = policy.threeHundredPercent.map((c) => passesCheck(c.check, ofDistrict));
      return {
        district,
        name: divisionName(district) ?? null,
        enterprises: coverage?.enterprises ?? 0,
        overallRate: rate,
        targetRate: target.rate,
        deadline: target.deadline,
        daysLeft: Math.round((Date.parse(target.deadline) - Date.parse(today)) / 86_400_000),
        standing: met ? '已达标' : today > target.deadline ? '逾期未达标' : '未达标',
        ...Object.fromEntries(policy.threeHundredPercent.map((c, i) => [c.check, yes(checks[i])])),
        threeHundredPercent: yes(checks.length > 0 && checks.every(Boolean)),
      };
    });
  return {
    title: { zh: '党组织覆盖目标完成情况', en: 'Coverage against targets' },
    columns: [
      { key: 'district', zh: '行政区划代码', en: 'District' },
      { key: 'name', zh: '行政区划', en: 'District name' },
      { key: 'enterprises', zh: '企业数', en: 'Enterprises', kind: 'count' },
      { key: 'overallRate', zh: '总覆盖率', en: 'Overall coverage', kind: 'percent' },
      { key: 'targetRate', zh: '目标覆盖率', en: 'Target', kind: 'percent' },
      { key: 'deadline', zh: '完成期限', en: 'Deadline' },
      { key: 'daysLeft', zh: '剩余天数', en: 'Days left', kind: 'count' },
      { key: 'standing', zh: '完成情况', en: 'Standing' },
      ...policy.threeHundredPercent.map((c): TableColumn => ({ key: c.check, zh: c.zh, en: c.en })),
      { key: 'threeHundredPercent', zh: '“三个100%”全部达到', en: 'All three 100 % checks pass' },
    ],
    rows,
    notes: [`目标与期限：${policy.source}（政策数据 ${policy.version}）。总覆盖率 = （组织覆盖 + 工作覆盖）÷ 企业数；剩余天数为负表示已过期限。`],
  };
}
