import type { StreamableFile } from '@nestjs/common';
import type { Coverage, EnterpriseStatus, FundingBudget, OrgProposalView, ServiceRequestView, WorklistItem } from '@liangxin/read-models';
import { type Cell, type ExportFormat, namedDistrict, type Table, type TableColumn, tableResponse } from '../export';
import type { Principal } from '../auth/principal';
import type { orgSummaryView } from './views';

/**
 * The list routes as files (`?format=xlsx|csv|html`, issue #18 item 3): every item of the list as filtered, in the
 * list's order (not one page), with Chinese headers through the shared table export (../export).
 */
export interface ListColumn<T> extends TableColumn {
  of(item: T): Cell;
}

export interface ListExport<T> {
  title: { zh: string; en: string };
  columns: ListColumn<T>[];
}

/** the districts a file names: the one asked for, else the caller's, else (an admin) those the rows are in */
export function exportDistricts(principal: Principal, asked: string | undefined, rowDistricts: readonly string[]): string[] {
  if (asked) return [asked];
  if (principal.role !== 'admin' && principal.districts?.length) return [...principal.districts].sort();
  return [...new Set(rowDistricts)].sort();
}

export function exportList<T>(spec: ListExport<T>, items: readonly T[], districts: readonly string[], format: Exclude<ExportFormat, 'json'>, asOf = new Date().toISOString()): Promise<Table | StreamableFile> {
  const table: Table = {
    title: spec.title,
    asOf,
    districts: districts.map(namedDistrict),
    columns: spec.columns.map(({ key, zh, en, kind }) => ({ key, zh, en, ...(kind && { kind }) })),
    rows: items.map((item) => Object.fromEntries(spec.columns.map((column) => [column.key, column.of(item)]))),
  };
  return tableResponse(table, format);
}

const label = (labels: Record<string, string>) => (value: string | null | undefined): Cell => (value == null ? null : (labels[value] ?? value));
const COVERAGE = label({ organisational: '组织覆盖', work: '工作覆盖', none: '未覆盖' });
const OPERATING = label({ normal: '正常', abnormal: '异常', deregistered: '注销' });
const OWNERSHIP = label({ 'domestic-private': '民营', foreign: '外资', 'hong-kong-macao-taiwan': '港澳台资', 'social-organisation': '社会组织' });
const NOT_COVERED = label({ 'needs-assignee': '需选派指导员或联络员', 'needs-organisation': '需建立党组织', 'awaiting-joint-members': '待联合组建' });
const ORG_STATUS = label({ active: '正常', dissolved: '已撤销' });
const PROPOSAL_STATUS = label({ pending: '待审批', approved: '已批准', rejected: '未批准' });
const REQUEST_STATUS = label({ received: '已受理', accepted: '已接单', in_progress: '办理中', resolved: '已办结', confirmed: '已确认', reopened: '重新办理' });
const LEVEL = label({ branch: '支部', 'general-branch': '总支部', 'primary-committee': '委员会' });
const text = (key: string, zh: string, en: string) => ({ key, zh, en, kind: 'text' as const });
const count = (key: string, zh: string, en: string) => ({ key, zh, en, kind: 'count' as const });

/** The ledger (七个清): the seven facts of each enterprise. */
export const LEDGER_EXPORT: ListExport<EnterpriseStatus> = {
  title: { zh: '两新组织企业台账', en: 'Enterprise ledger' },
  columns: [
    { ...text('creditCode', '统一社会信用代码', 'Credit code'), of: (e) => e.creditCode },
    { ...text('name', '企业名称', 'Name'), of: (e) => e.name },
    { ...text('district', '行政区划', 'District'), of: (e) => e.district },
    { ...text('ownership', '经济类型', 'Ownership'), of: (e) => OWNERSHIP(e.ownership) },
    { ...text('park', '园区', 'Park'), of: (e) => e.park },
    { ...text('building', '楼宇', 'Building'), of: (e) => e.building },
    { ...text('industryChain', '产业链', 'Industry chain'), of: (e) => e.industryChain },
    { ...count('employees', '从业人员', 'Employees'), of: (e) => e.employees },
    { ...count('fullMembers', '正式党员', 'Full members'), of: (e) => e.fullMembers },
    { ...count('probationaryMembers', '预备党员', 'Probationary members'), of: (e) => e.probationaryMembers },
    { ...text('operatingStatus', '经营状态', 'Operating status'), of: (e) => OPERATING(e.operatingStatus) },
    { ...text('coverage', '覆盖情况', 'Coverage'), of: (e) => COVERAGE(e.coverage) },
    { ...text('orgId', '所属党组织', 'Organisation'), of: (e) => e.orgId },
    { ...text('notCoveredReason', '未覆盖原因', 'Why not covered'), of: (e) => NOT_COVERED(e.notCoveredReason) },
    { ...text('coverageNote', '未建原因', 'Why no organisation'), of: (e) => e.noOrganisationNote ?? e.noOrganisationReason },
    { ...text('developmentNeeds', '发展需求', 'Development needs'), of: (e) => (e.developmentNeeds ?? []).join('；') || null },
    { ...text('registeredOn', '成立日期', 'Registered on'), of: (e) => e.registeredOn },
  ],
};

export const ORGS_EXPORT: ListExport<ReturnType<typeof orgSummaryView>> = {
  title: { zh: '党组织名册', en: 'Party organisations' },
  columns: [
    { ...text('id', '组织编号', 'Id'), of: (o) => o.id },
    { ...text('name', '名称', 'Name'), of: (o) => o.name },
    { ...text('level', '层级', 'Level'), of: (o) => LEVEL(o.level) },
    { ...text('mode', '组建方式', 'Mode'), of: (o) => o.mode },
    { ...text('status', '状态', 'Status'), of: (o) => ORG_STATUS(o.status) },
    { ...text('district', '行政区划', 'District'), of: (o) => o.district },
    { ...count('enterprises', '企业数', 'Enterprises'), of: (o) => o.enterprises.length },
    { ...count('fullMembers', '正式党员', 'Full members'), of: (o) => o.fullMembers },
    { ...count('probationaryMembers', '预备党员', 'Probationary members'), of: (o) => o.probationaryMembers },
  ],
};

export const REQUESTS_EXPORT: ListExport<ServiceRequestView> = {
  title: { zh: '服务需求清单', en: 'Service requests' },
  columns: [
    { ...text('requestId', '需求编号', 'Request'), of: (r) => r.requestId },
    { ...text('creditCode', '统一社会信用代码', 'Credit code'), of: (r) => r.creditCode },
    { ...text('district', '行政区划', 'District'), of: (r) => r.district },
    { ...text('category', '类别', 'Category'), of: (r) => r.category },
    { ...text('description', '需求内容', 'Description'), of: (r) => r.description },
    { ...text('status', '状态', 'Status'), of: (r) => REQUEST_STATUS(r.status) },
    { ...text('submittedAt', '提交时间', 'Submitted at'), of: (r) => r.submittedAt },
    { ...text('dueDate', '办理时限', 'Due date'), of: (r) => r.dueDate },
    { ...text('resolution', '办理结果', 'Resolution'), of: (r) => r.resolution },
  ],
};

export const PROPOSALS_EXPORT: ListExport<OrgProposalView> = {
  title: { zh: '组建党组织申请', en: 'Organisation proposals' },
  columns: [
    { ...text('orgId', '组织编号', 'Id'), of: (p) => p.orgId },
    { ...text('name', '名称', 'Name'), of: (p) => p.name },
    { ...text('mode', '组建方式', 'Mode'), of: (p) => p.mode },
    { ...count('enterprises', '企业数', 'Enterprises'), of: (p) => p.enterprises.length },
    { ...text('status', '状态', 'Status'), of: (p) => PROPOSAL_STATUS(p.status) },
    { ...text('proposedBy', '申请人', 'Proposed by'), of: (p) => p.proposedBy },
    { ...text('proposedAt', '申请时间', 'Proposed at'), of: (p) => p.proposedAt },
    { ...count('daysToDecision', '审批用时（天）', 'Days to decision'), of: (p) => p.daysToDecision },
  ],
};

export const BUDGETS_EXPORT: ListExport<FundingBudget> = {
  title: { zh: '党建经费预算执行情况', en: 'Budgets' },
  columns: [
    { ...text('district', '行政区划', 'District'), of: (b) => b.district },
    { ...count('year', '年度', 'Year'), of: (b) => b.year },
    { ...count('allocatedFen', '下达（分）', 'Allocated (fen)'), of: (b) => b.allocatedFen },
    { ...count('usedFen', '已用（分）', 'Used (fen)'), of: (b) => b.usedFen },
    { ...count('leftFen', '结余（分）', 'Left (fen)'), of: (b) => b.leftFen },
    { ...count('activeGrants', '补助笔数', 'Grants'), of: (b) => b.activeGrants },
    { ...count('refusals', '未付补助', 'Refused'), of: (b) => b.refusals },
  ],
};

export const WORKLIST_EXPORT: ListExport<WorklistItem> = {
  title: { zh: '待覆盖企业清单', en: 'Coverage worklist' },
  columns: [
    { ...text('creditCode', '统一社会信用代码', 'Credit code'), of: (w) => w.creditCode },
    { ...text('name', '企业名称', 'Name'), of: (w) => w.name },
    { ...text('reason', '待办事项', 'To do'), of: (w) => NOT_COVERED(w.reason) },
    { ...count('employees', '从业人员', 'Employees'), of: (w) => w.employees },
    { ...count('fullMembers', '正式党员', 'Full members'), of: (w) => w.fullMembers },
    { ...count('probationaryMembers', '预备党员', 'Probationary members'), of: (w) => w.probationaryMembers },
    { ...text('park', '园区', 'Park'), of: (w) => w.park },
    { ...text('industryChain', '产业链', 'Industry chain'), of: (w) => w.industryChain },
    { ...text('assignee', '指导员/联络员', 'Assignee'), of: (w) => w.assignee },
  ],
};

export const CASELOAD_EXPORT: ListExport<EnterpriseStatus> = {
  title: { zh: '指导员联系企业', en: 'Caseload' },
  columns: [
    { ...text('creditCode', '统一社会信用代码', 'Credit code'), of: (e) => e.creditCode },
    { ...text('name', '企业名称', 'Name'), of: (e) => e.name },
    { ...text('district', '行政区划', 'District'), of: (e) => e.district },
    { ...text('coveredBy', '覆盖方式', 'Covered by'), of: (e) => (e.workCoverage?.coveredBy === 'instructor' ? '党建指导员' : e.workCoverage ? '联络员' : null) },
    { ...text('mustBeOrganisationallyCovered', '须建立党组织', 'Must form an organisation'), of: (e) => (e.mustBeOrganisationallyCovered ? '是' : '否') },
  ],
};

export const DISTRICT_COVERAGE_EXPORT: ListExport<Coverage> = {
  title: { zh: '各区党组织覆盖情况', en: 'Coverage by district' },
  columns: [
    { ...text('district', '行政区划', 'District'), of: (c) => c.key },
    { ...count('enterprises', '企业数', 'Enterprises'), of: (c) => c.enterprises },
    { ...count('withMembers', '有党员企业', 'With members'), of: (c) => c.withMembers },
    { ...count('organisational', '组织覆盖', 'Organisational'), of: (c) => c.organisational },
    { ...count('work', '工作覆盖', 'Work'), of: (c) => c.work },
    { ...count('none', '未覆盖', 'Not covered'), of: (c) => c.none },
    { key: 'organisationalRate', zh: '组织覆盖率', en: 'Organisational rate', kind: 'percent', of: (c) => c.organisationalRate },
    { key: 'overallRate', zh: '总覆盖率', en: 'Overall rate', kind: 'percent', of: (c) => c.overallRate },
    { ...text('meetsTarget', '是否达标', 'Meets target'), of: (c) => (c.meetsTarget ? '是' : '否') },
  ],
};
