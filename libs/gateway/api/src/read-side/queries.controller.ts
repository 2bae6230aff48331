import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { districtOfCreditCode, isDivisionCode, orgStreamId, serviceRequestStreamId } from '@liangxin/contracts';
import {
  type AuditTrail,
  COVERAGE,
  COVERAGE_WORKLIST,
  type Coverage,
  coverageId,
  type CoverageScope,
  ENTERPRISE_STATUS,
  enterpriseStatusProjection,
  EVALUATION_ORGS,
  evaluationProjection,
  FUNDING_ORGS,
  fundingProjection,
  type OrgEvaluation,
  type OrgFunding,
  type EnterpriseStatus,
  NOT_COVERED_REASONS,
  type NotCoveredReason,
  ORG_PROPOSALS,
  ORGANISATION_STATUS,
  type OrganisationStatus,
  organisationStatusProjection,
  type OrgProposalView,
  type ReadModelStore,
  SERVICE_REQUESTS,
  type ServiceRequestView,
  type TimeTravel,
  type WorklistItem,
  worklistPrefix,
} from '@liangxin/read-models';
import { coverageProjectionOf } from './projections';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import { assertSeesWholeArea, type CrossDistrictArea } from '../auth/area-access';
import { assertDistrict, assertEnterpriseAccess, canSeeDistrict, type Principal } from '../auth/principal';
import { CreditCodeParam } from '../enterprises/credit-code.pipe';
import { MinPositionInterceptor } from './min-position.interceptor';
import { SETTLED_READ_HEADER } from './settled/settled-read-headers';
import { AUDIT_TRAIL, READ_MODEL_STORE, TIME_TRAVEL } from './tokens';
import { byName, coverageView, enterpriseView, orgDetailView, orgSummaryView } from './views';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../gateway-settings';
import { buildOrgTree, type TreeOrg } from '../orgs/org-tree';

const parseDistrict = (value: string | undefined, required: boolean): string | undefined => {
  if (value === undefined || value === '') {
    if (required) throw new BadRequestException({ message: 'district is required', details: [{ field: 'district', reason: 'required (6-digit division code)' }] });
    return undefined;
  }
  if (!isDivisionCode(value)) throw new BadRequestException({ message: 'district must be a 6-digit division code below province level', details: [{ field: 'district', reason: 'must be a division code such as 430104' }] });
  return value;
};

/** Where the tree route reads organisations from: the read models now, or a replay to a past moment. */
interface OrgSource {
  org(id: string): Promise<OrganisationStatus | undefined>;
  childrenOf(parentOrgId: string): Promise<OrganisationStatus[]>;
  treeOrg(org: OrganisationStatus): Promise<TreeOrg>;
}

/** One organisation as the roll-up needs it: its status joined with its latest stars and subsidies received, as on GET /api/orgs/{id}. */
function treeOrgOf(org: OrganisationStatus, rating: OrgEvaluation | undefined, funding: OrgFunding | undefined): TreeOrg {
  const summary = orgSummaryView(org);
  return {
    id: summary.id,
    name: summary.name,
    parentOrgId: org.parentOrgId,
    status: summary.status,
    level: summary.level,
    mode: summary.mode,
    district: summary.district,
    enterprises: summary.enterprises.length,
    fullMembers: summary.fullMembers,
    probationaryMembers: summary.probationaryMembers,
    stars: rating?.latest?.stars ?? null,
    subsidiesReceivedFen: funding?.receivedFen ?? 0,
  };
}

const parseAsOf = (value: string | undefined): string | undefined => {
  if (value === undefined || value === '') return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new BadRequestException({ message: 'asOf must be an ISO-8601 date or time', details: [{ field: 'asOf', reason: 'not an ISO-8601 date, e.g. 2026-06-30 or 2026-06-30T12:00:00Z' }] });
  // A date alone means the end of that day: "coverage on 30 June" includes what was recorded that day.
  const instant = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(time + 86_400_000 - 1) : new Date(time);
  return instant.toISOString();
};

const MAX_TREE_DEPTH = 10;
/** organisations walked up at most when looking for one the caller may read (a cycle in the data must not loop) */
const MAX_PARENT_WALK = 64;
const parseDepth = (value: string | undefined): number | undefined => {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) > MAX_TREE_DEPTH) {
    throw new BadRequestException({ message: `depth must be a whole number from 0 to ${MAX_TREE_DEPTH}`, details: [{ field: 'depth', reason: `0-${MAX_TREE_DEPTH}; leave it out for every level` }] });
  }
  return Number(value);
};

const WORKLIST_PAGE = 50;
const MAX_WORKLIST_PAGE = 500;
const parseLimit = (value: string | undefined): number => {
  if (value === undefined || value === '') return WORKLIST_PAGE;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_WORKLIST_PAGE) {
    throw new BadRequestException({ message: `limit must be a whole number from 1 to ${MAX_WORKLIST_PAGE}`, details: [{ field: 'limit', reason: `1-${MAX_WORKLIST_PAGE}; ${WORKLIST_PAGE} when absent` }] });
  }
  return Number(value);
};
const parseReason = (value: string | undefined): NotCoveredReason | undefined => {
  if (value === undefined || value === '') return undefined;
  if (!(NOT_COVERED_REASONS as readonly string[]).includes(value)) {
    throw new BadRequestException({ message: `reason must be one of: ${NOT_COVERED_REASONS.join(', ')}`, details: [{ field: 'reason', reason: 'not a worklist reason' }] });
  }
  return value as NotCoveredReason;
};
/** a cursor is the last id of the page before, opaque to clients */
const cursorOf = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
const parseCursor = (value: string | undefined, prefix: string): string | undefined => {
  if (value === undefined || value === '') return undefined;
  const id = /^[A-Za-z0-9_-]{1,400}$/.test(value) ? Buffer.from(value, 'base64url').toString('utf8') : '';
  if (!id.startsWith(prefix)) throw new BadRequestException({ message: 'cursor is not one this list gave', details: [{ field: 'cursor', reason: 'use nextCursor of the previous page, with the same district and reason' }] });
  return id;
};
const SCOPES = ['park', 'industry-chain', 'ownership'] as const satisfies readonly CoverageScope[];
/** The ledger field each coverage scope groups enterprises by: the whole-area check must look at the same one. */
const AREA_OF_SCOPE: Record<(typeof SCOPES)[number], CrossDistrictArea> = { park: 'park', 'industry-chain': 'industryChain', ownership: 'ownership' };

@ApiTags('read models')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Min-Position', required: false, description: 'wait (up to 5 s) until the read models include this position' })
@ApiHeader(SETTLED_READ_HEADER)
@UseInterceptors(MinPositionInterceptor)
@Controller('api')
export class QueriesController {
  constructor(
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    @Inject(TIME_TRAVEL) private readonly timeTravel: TimeTravel,
    @Inject(AUDIT_TRAIL) private readonly audit: AuditTrail,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  @Get('enterprises/:code')
  @Roles('admin', 'officer', 'auditor', 'enterprise')
  @ApiOperation({ summary: 'An enterprise now, or as of a past time (time travel): ledger facts and how it is covered' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 date or time: the enterprise as it stood then' })
  async enterprise(@CreditCodeParam() code: string, @CurrentPrincipal() principal: Principal, @Query('asOf') asOfParam?: string) {
    assertEnterpriseAccess(principal, code, districtOfCreditCode(code));
    const asOf = parseAsOf(asOfParam);
    if (asOf) {
      const past = await this.timeTravel.documentAsOf<EnterpriseStatus>(enterpriseStatusProjection, ENTERPRISE_STATUS, code, { timestamp: asOf });
      if (!past) throw new NotFoundException({ message: `No enterprise with credit code ${code} was registered on ${asOf}`, details: [{ field: 'asOf', reason: 'not registered by then' }] });
      return { ...enterpriseView(past), asOf };
    }
    const found = await this.readModels.get<EnterpriseStatus>(ENTERPRISE_STATUS, code);
    if (!found) throw new NotFoundException({ message: `No enterprise with credit code ${code} is registered`, details: [{ field: 'code', reason: 'not registered' }] });
    return enterpriseView(found.body);
  }

  @Get('orgs')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'Party organisations of a district, in the natural order of their names (第2号 before 第10号); now, or as of a past time' })
  @ApiQuery({ name: 'district', required: false })
  @ApiQuery({ name: 'status', required: false, enum: ['active', 'dissolved'] })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 date or time: the organisations as they stood then (one formed later is not listed)' })
  async orgs(@CurrentPrincipal() principal: Principal, @Query('district') districtParam?: string, @Query('status') status?: string, @Query('asOf') asOfParam?: string) {
    const district = parseDistrict(districtParam, false);
    if (status !== undefined && status !== 'active' && status !== 'dissolved') {
      throw new BadRequestException({ message: 'status must be active or dissolved', details: [{ field: 'status', reason: 'must be "active" or "dissolved"' }] });
    }
    const asOf = parseAsOf(asOfParam);
    if (district) assertDistrict(principal, district);
    const where: Record<string, string> = {};
    if (district) where.district = district;
    if (status && !asOf) where.status = status;
    const found = (await this.readModels.find<OrganisationStatus>(ORGANISATION_STATUS, where)).map((d) => d.body);
    // an organisation's district never changes, so today's district filter picks the same ones as then
    const orgs = asOf ? await this.orgsThen(found, asOf) : found;
    const items = orgs.filter((org) => canSeeDistrict(principal, org.district) && (!status || org.status === status));
    const answer = { items: items.map(orgSummaryView).sort(byName) };
    return asOf ? { ...answer, asOf } : answer;
  }

  /** the organisations as they stood at `asOf`, leaving out those not formed by then */
  private async orgsThen(orgs: OrganisationStatus[], asOf: string): Promise<OrganisationStatus[]> {
    const then = await this.timeTravel.documentsAsOf<OrganisationStatus>(
      organisationStatusProjection,
      ORGANISATION_STATUS,
      orgs.map((org) => org.orgId),
      { timestamp: asOf },
    );
    return [...then.values()].filter((org): org is OrganisationStatus => org !== undefined);
  }

  @Get('orgs/:id')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'One party organisation: level, mode, members, secretary, instructor' })
  async org(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const found = await this.readModels.get<OrganisationStatus>(ORGANISATION_STATUS, id);
    if (!found) throw new NotFoundException({ message: `No organisation ${id}`, details: [{ field: 'id', reason: 'not found' }] });
    await this.assertCanReadOrg(principal, found.body, this.orgsNow().org);
    // Stars and subsidies are other contexts' projections; the organisation's page shows them together.
    const [rating, funding] = await Promise.all([this.readModels.get<OrgEvaluation>(EVALUATION_ORGS, id), this.readModels.get<OrgFunding>(FUNDING_ORGS, id)]);
    return {
      ...orgDetailView(found.body),
      stars: rating?.body.latest ? { year: rating.body.latest.year, stars: rating.body.latest.stars, passed: rating.body.latest.passed } : null,
      subsidiesReceivedFen: funding?.body.receivedFen ?? 0,
    };
  }

  @Get('orgs/:id/tree')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({
    summary: 'An organisation and the organisations beneath it, with coverage, ratings and funding rolled up the tree',
    description:
      'Each node has `own` totals (the organisation itself) and `subtree` totals (itself and everything beneath it): active organisations, enterprises, full and probationary members, stars distribution (latest rating, 0-6 or unrated) and subsidies received in fen. A dissolved organisation is listed and counts only the subsidies it received. Subtree totals always cover the whole subtree; `depth` only limits how many levels of children are listed (`truncated` marks a node whose children were cut). The caller needs access to the district of the organisation asked for or of one above it; the organisations beneath it are included whatever their district (an officer of a committee sees the organisations beneath it). Each organisation is visited once, even if the data has a cycle.',
  })
  @ApiQuery({ name: 'depth', required: false, description: `levels of children to list, 0-${MAX_TREE_DEPTH}; unlimited when absent` })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 date or time: the tree as it stood then (time travel), for audits' })
  async orgTree(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Query('depth') depthParam?: string, @Query('asOf') asOfParam?: string) {
    const depth = parseDepth(depthParam);
    const asOf = parseAsOf(asOfParam);
    const source = asOf ? await this.orgsAsOf(asOf) : this.orgsNow();
    const found = await source.org(id);
    if (!found) throw new NotFoundException({ message: asOf ? `Organisation ${id} did not exist on ${asOf}` : `No organisation ${id}`, details: [{ field: 'id', reason: asOf ? 'not formed by then' : 'not found' }] });
    await this.assertCanReadOrg(principal, found, source.org);
    // Walk down by parent id, each organisation once (a cycle in the data must not loop).
    const orgs = new Map<string, OrganisationStatus>([[id, found]]);
    for (let level = [id]; level.length > 0; ) {
      const below = await Promise.all(level.map((parentOrgId) => source.childrenOf(parentOrgId)));
      level = [];
      for (const child of below.flat()) {
        if (orgs.has(child.orgId)) continue;
        orgs.set(child.orgId, child);
        level.push(child.orgId);
      }
    }
    const joined = await Promise.all([...orgs.values()].map((org) => source.treeOrg(org)));
    // the organisation asked for is the root, whatever its parent
    const root = joined.find((org) => org.id === id) as TreeOrg;
    root.parentOrgId = null;
    const tree = buildOrgTree(joined, id, depth);
    return asOf ? { ...tree, asOf } : tree;
  }

  /**
   * Reading an organisation: an officer of its district, or of the district of an organisation above it (an officer of
   * a committee sees the organisations beneath it, docs/domain.md "The organisation tree"), whatever district those are in. Acting on it stays
   * with its own district.
   */
  private async assertCanReadOrg(principal: Principal, org: OrganisationStatus, parentOf: (id: string) => Promise<OrganisationStatus | undefined>): Promise<void> {
    const seen = new Set<string>([org.orgId]);
    for (let above = org; !canSeeDistrict(principal, above.district); ) {
      const parent = above.parentOrgId && !seen.has(above.parentOrgId) && seen.size < MAX_PARENT_WALK ? await parentOf(above.parentOrgId) : undefined;
      if (!parent) return assertDistrict(principal, org.district);
      seen.add(parent.orgId);
      above = parent;
    }
  }

  /** The organisations, their ratings and subsidies as the read models hold them now. */
  private orgsNow(): OrgSource {
    return {
      org: async (id) => (await this.readModels.get<OrganisationStatus>(ORGANISATION_STATUS, id))?.body,
      childrenOf: async (parentOrgId) => (await this.readModels.find<OrganisationStatus>(ORGANISATION_STATUS, { parentOrgId })).map((d) => d.body),
      treeOrg: async (org) => {
        const [rating, funding] = await Promise.all([this.readModels.get<OrgEvaluation>(EVALUATION_ORGS, org.orgId), this.readModels.get<OrgFunding>(FUNDING_ORGS, org.orgId)]);
        return treeOrgOf(org, rating?.body, funding?.body);
      },
    };
  }

  /**
   * The same, as of a past moment: every organisation known now (one formed later was not there then), its status,
   * rating and subsidies replayed from each projection's nearest snapshot to that moment (one replay each).
   */
  private async orgsAsOf(timestamp: string): Promise<OrgSource> {
    const ids = (await this.readModels.find<OrganisationStatus>(ORGANISATION_STATUS)).map((d) => d.body.orgId);
    const [statuses, ratings, funding] = await Promise.all([
      this.timeTravel.documentsAsOf<OrganisationStatus>(organisationStatusProjection, ORGANISATION_STATUS, ids, { timestamp }),
      this.timeTravel.documentsAsOf<OrgEvaluation>(evaluationProjection, EVALUATION_ORGS, ids, { timestamp }),
      this.timeTravel.documentsAsOf<OrgFunding>(fundingProjection, FUNDING_ORGS, ids, { timestamp }),
    ]);
    const childrenThen = new Map<string, OrganisationStatus[]>();
    for (const org of statuses.values()) {
      if (!org?.parentOrgId) continue;
      const siblings = childrenThen.get(org.parentOrgId);
      if (siblings) siblings.push(org);
      else childrenThen.set(org.parentOrgId, [org]);
    }
    return {
      org: async (id) => statuses.get(id),
      childrenOf: async (parentOrgId) => childrenThen.get(parentOrgId) ?? [],
      treeOrg: async (org) => treeOrgOf(org, ratings.get(org.orgId), funding.get(org.orgId)),
    };
  }

  @Get('coverage')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'Coverage of a district now, or as of a past date (time travel)' })
  @ApiQuery({ name: 'district', required: true })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 date or time' })
  async coverage(@CurrentPrincipal() principal: Principal, @Query('district') districtParam?: string, @Query('asOf') asOfParam?: string) {
    const district = parseDistrict(districtParam, true) as string;
    assertDistrict(principal, district);
    const asOf = parseAsOf(asOfParam);
    const id = coverageId('district', district);
    if (!asOf) {
      const live = await this.readModels.get<Coverage>(COVERAGE, id);
      return coverageView('district', district, new Date().toISOString(), live?.body, this.settings.coverageTarget);
    }
    const past = await this.timeTravel.documentAsOf<Coverage>(coverageProjectionOf(this.settings), COVERAGE, id, { timestamp: asOf });
    return coverageView('district', district, asOf, past, this.settings.coverageTarget);
  }

  @Get('coverage/worklist')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({
    summary: 'What a district must act on to reach honest coverage, a page at a time',
    description:
      'Enterprises needing an assignee (no organisation, no named instructor or liaison cadre), enterprises needing an organisation (50+ employees with members, rule 5, or 3+ full members), and enterprises with members waiting for a joint group to reach 3 full members. Ordered by reason, then credit code; `total` counts every line, `nextCursor` gives the next page (null on the last).',
  })
  @ApiQuery({ name: 'district', required: true })
  @ApiQuery({ name: 'reason', required: false, enum: NOT_COVERED_REASONS })
  @ApiQuery({ name: 'limit', required: false, description: `1-${MAX_WORKLIST_PAGE}, default ${WORKLIST_PAGE}` })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  async worklist(
    @CurrentPrincipal() principal: Principal,
    @Query('district') districtParam?: string,
    @Query('reason') reasonParam?: string,
    @Query('limit') limitParam?: string,
    @Query('cursor') cursorParam?: string,
  ) {
    const district = parseDistrict(districtParam, true) as string;
    const reason = parseReason(reasonParam);
    const limit = parseLimit(limitParam);
    const prefix = worklistPrefix(district, reason);
    const after = parseCursor(cursorParam, prefix);
    assertDistrict(principal, district);
    // one more than the page, to know whether another follows
    const page = await this.readModels.findPage<WorklistItem>(COVERAGE_WORKLIST, { idPrefix: prefix, after, limit: limit + 1 });
    const items = page.items.slice(0, limit);
    return {
      district,
      reason: reason ?? null,
      total: page.total,
      limit,
      items: items.map((d) => d.body),
      nextCursor: page.items.length > limit ? cursorOf(items[items.length - 1].id) : null,
    };
  }

  @Get('coverage/districts')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'Coverage of every district the caller may see, against the target' })
  async coverageByDistrict(@CurrentPrincipal() principal: Principal) {
    const all = await this.readModels.find<Coverage>(COVERAGE, { scope: 'district' });
    const now = new Date().toISOString();
    const items = all.map((d) => d.body).filter((c) => canSeeDistrict(principal, c.key));
    return { target: this.settings.coverageTarget, items: items.map((c) => coverageView('district', c.key, now, c, this.settings.coverageTarget)) };
  }

  @Get('coverage/:scope/:key')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'Coverage of a park, an industry chain or an ownership (e.g. /api/coverage/ownership/foreign: the foreign-funded enterprises)' })
  async coverageOf(@Param('scope') scopeParam: string, @Param('key') key: string, @CurrentPrincipal() principal: Principal) {
    const scope = SCOPES.find((s) => s === scopeParam);
    if (!scope) {
      throw new BadRequestException({ message: `scope must be one of: ${SCOPES.join(', ')}`, details: [{ field: 'scope', reason: `must be ${SCOPES.map((s) => `"${s}"`).join(', ')}` }] });
    }
    await assertSeesWholeArea(this.readModels, principal, AREA_OF_SCOPE[scope], key);
    const found = await this.readModels.get<Coverage>(COVERAGE, coverageId(scope, key));
    if (!found) throw new NotFoundException({ message: `No enterprises counted for ${scope} ${key}`, details: [{ field: 'key', reason: 'not found' }] });
    return coverageView(scope, key, new Date().toISOString(), found.body, this.settings.coverageTarget);
  }

  @Get('audit/enterprises/:code')
  @Roles('admin', 'auditor', 'officer')
  @ApiOperation({ summary: 'Every event about an enterprise: who, when, which command, and why (causation chain)' })
  async auditEnterprise(@CreditCodeParam() code: string, @CurrentPrincipal() principal: Principal) {
    assertDistrict(principal, districtOfCreditCode(code));
    const items = await this.audit.forEnterprise(code);
    if (items.length === 0) throw new NotFoundException({ message: `No enterprise with credit code ${code} is registered`, details: [{ field: 'code', reason: 'not registered' }] });
    return { items };
  }

  @Get('audit/requests/:id')
  @Roles('admin', 'auditor', 'officer', 'enterprise')
  @ApiOperation({ summary: 'Every step of a service request: who, when, which command, and why (causation chain); the enterprise sees its own' })
  async auditRequest(@Param('id') requestId: string, @CurrentPrincipal() principal: Principal) {
    const request = await this.readModels.get<ServiceRequestView>(SERVICE_REQUESTS, requestId);
    if (!request) throw new NotFoundException({ message: `There is no request ${requestId}`, details: [{ field: 'id', reason: 'no such request' }] });
    assertEnterpriseAccess(principal, request.body.creditCode, request.body.district);
    return { items: await this.audit.forStream(serviceRequestStreamId(requestId)) };
  }

  @Get('audit/orgs/:id')
  @Roles('admin', 'auditor', 'officer')
  @ApiOperation({ summary: 'Every event about a party organisation, with its causation chain' })
  async auditOrg(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const org = await this.readModels.get<OrganisationStatus>(ORGANISATION_STATUS, id);
    // an organisation only proposed so far has no status yet: its proposal names the district
    if (org) await this.assertCanReadOrg(principal, org.body, this.orgsNow().org);
    else {
      // the read models may not have caught up yet: the organisation's own stream is the authority on its district
      const district = (await this.readModels.get<OrgProposalView>(ORG_PROPOSALS, id))?.body.district ?? (await this.audit.districtOfStream(orgStreamId(id)));
      if (!district) throw new NotFoundException({ message: `No organisation ${id}`, details: [{ field: 'id', reason: 'not found' }] });
      assertDistrict(principal, district);
    }
    const items = await this.audit.forOrganisation(id);
    if (!org && items.length === 0) throw new NotFoundException({ message: `No organisation ${id}`, details: [{ field: 'id', reason: 'not found' }] });
    return { items };
  }
}
