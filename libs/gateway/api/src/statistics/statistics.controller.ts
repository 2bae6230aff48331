import { BadRequestException, Controller, Get, Inject, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { ReadModelStore, TimeTravel } from '@liangxin/read-models';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import { assertDistrict, type Principal } from '../auth/principal';
import { ApiTableExport, type ExportFormat, ExportFormatQuery, namedDistrict, type Table, tableResponse } from '../export';
import { parseDistrictParam, parseYearParam } from '../funding/query-params';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../gateway-settings';
import { parseAsOf } from '../read-side/as-of';
import { MinPositionInterceptor } from '../read-side/min-position.interceptor';
import { SETTLED_READ_HEADER } from '../read-side/settled/settled-read-headers';
import { READ_MODEL_STORE, TIME_TRAVEL } from '../read-side/tokens';
import { COVERAGE_TARGETS } from './coverage-targets';
import { type Districts, StatisticsSource } from './statistics-source';
import { TABLE_SCHEMA } from './table-schema';
import {
  assigneesTable,
  COVERAGE_DIMENSIONS,
  type CoverageDimension,
  coverageTable,
  latestRatedYear,
  orgLifecycleTable,
  pairingsTable,
  requestsTable,
  starsTable,
  type TableBody,
  targetsTable,
} from './tables';

const DISTRICT_QUERY = { name: 'district', required: false, description: 'one six-digit division code; absent: every district of the caller (an admin: all)' } as const;
const AS_OF_QUERY = { name: 'asOf', required: false, description: 'ISO-8601 date or time: the figures as they stood then (a date alone: the end of that day, UTC)' } as const;

const parseDimension = (value: string | undefined): CoverageDimension => {
  if (value === undefined || value === '') return 'district';
  const dimension = COVERAGE_DIMENSIONS.find((d) => d === value);
  if (!dimension) throw new BadRequestException({ message: `by must be one of: ${COVERAGE_DIMENSIONS.join(', ')}`, details: [{ field: 'by', reason: `${COVERAGE_DIMENSIONS.join(', ')}; district when absent` }] });
  return dimension;
};

/** What one statistics request is about: which districts, and when. */
interface Scope {
  districts: Districts;
  asOf: string;
  source: StatisticsSource;
}

/**
 * The seeds' statistics tables (issue #18 item 4), each for the caller's districts (or one named), now or as of a past
 * moment, and each exportable with `?format=` (json, xlsx, csv, or html to print on A4).
 */
@ApiTags('statistics')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Min-Position', required: false, description: 'wait (up to 5 s) until the read models include this position' })
@ApiHeader(SETTLED_READ_HEADER)
@UseInterceptors(MinPositionInterceptor)
@Controller('api/statistics')
export class StatisticsController {
  constructor(
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    @Inject(TIME_TRAVEL) private readonly timeTravel: TimeTravel,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  @Get('formation')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'Organisations formed and dissolved per year (Beijing time) and formation mode, with a total line per year' })
  @ApiQuery(DISTRICT_QUERY)
  @ApiQuery(AS_OF_QUERY)
  @ApiTableExport()
  @ApiOkResponse({ description: 'columns: year, mode, modeName, formed, dissolved, merged', schema: TABLE_SCHEMA })
  async formation(@CurrentPrincipal() principal: Principal, @ExportFormatQuery() format: ExportFormat, @Query('district') district?: string, @Query('asOf') asOf?: string) {
    const scope = this.scopeOf(principal, district, asOf);
    return this.answer(scope, orgLifecycleTable(await scope.source.orgs(scope.districts)), format);
  }

  @Get('coverage')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'Coverage grouped by district, park, industry chain, building or ownership (e.g. by=ownership: the foreign-funded enterprises of your district)' })
  @ApiQuery({ name: 'by', required: false, enum: COVERAGE_DIMENSIONS, description: 'district when absent' })
  @ApiQuery(DISTRICT_QUERY)
  @ApiQuery(AS_OF_QUERY)
  @ApiTableExport()
  @ApiOkResponse({ description: 'columns: key, name, enterprises, withMembers, organisational, work, none, organisationalRate, overallRate, uncoveredLarge', schema: TABLE_SCHEMA })
  async coverage(@CurrentPrincipal() principal: Principal, @ExportFormatQuery() format: ExportFormat, @Query('by') by?: string, @Query('district') district?: string, @Query('asOf') asOf?: string) {
    const dimension = parseDimension(by);
    const scope = this.scopeOf(principal, district, asOf);
    return this.answer(scope, coverageTable(await scope.source.enterprises(scope.districts), dimension, this.settings.coverageTarget), format);
  }

  @Get('assignees')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'Instructors and liaison cadres: organisations instructed and enterprises given work coverage (caseload)' })
  @ApiQuery(DISTRICT_QUERY)
  @ApiQuery(AS_OF_QUERY)
  @ApiTableExport()
  @ApiOkResponse({ description: 'columns: personId, name, role, districts, orgsInstructed, enterprisesInstructed, enterprisesLiaised, caseload', schema: TABLE_SCHEMA })
  async assignees(@CurrentPrincipal() principal: Principal, @ExportFormatQuery() format: ExportFormat, @Query('district') district?: string, @Query('asOf') asOf?: string) {
    const scope = this.scopeOf(principal, district, asOf);
    const [orgs, enterprises] = await Promise.all([scope.source.orgs(scope.districts), scope.source.enterprises(scope.districts)]);
    return this.answer(scope, assigneesTable(orgs, enterprises), format);
  }

  @Get('pairings')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'Pairings (结对共建): each public unit’s organisation and the non-public organisations paired with it' })
  @ApiQuery(DISTRICT_QUERY)
  @ApiQuery(AS_OF_QUERY)
  @ApiTableExport()
  @ApiOkResponse({ description: 'columns: publicUnitOrgId, publicUnitName, pairedOrgs, pairedNames', schema: TABLE_SCHEMA })
  async pairings(@CurrentPrincipal() principal: Principal, @ExportFormatQuery() format: ExportFormat, @Query('district') district?: string, @Query('asOf') asOf?: string) {
    const scope = this.scopeOf(principal, district, asOf);
    return this.answer(scope, pairingsTable(await scope.source.orgs(scope.districts)), format);
  }

  @Get('stars')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'Six-star distribution and pass rate per district for one year (the latest assessed when no year is given)' })
  @ApiQuery({ name: 'year', required: false, description: 'assessment year; the latest assessed when absent' })
  @ApiQuery(DISTRICT_QUERY)
  @ApiQuery(AS_OF_QUERY)
  @ApiTableExport()
  @ApiOkResponse({ description: 'columns: district, name, assessed, stars1 … stars6, passed, passRate', schema: TABLE_SCHEMA })
  async stars(@CurrentPrincipal() principal: Principal, @ExportFormatQuery() format: ExportFormat, @Query('year') yearParam?: string, @Query('district') district?: string, @Query('asOf') asOf?: string) {
    const year = parseYearParam(yearParam);
    const scope = this.scopeOf(principal, district, asOf);
    const ratings = await scope.source.ratings(scope.districts);
    return this.answer(scope, starsTable(ratings, year ?? latestRatedYear(ratings, scope.asOf), this.seeded(scope)), format);
  }

  @Get('requests')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'Service requests per district: received, closed, in progress, awaiting confirmation, overdue on the as-of day' })
  @ApiQuery(DISTRICT_QUERY)
  @ApiQuery(AS_OF_QUERY)
  @ApiTableExport()
  @ApiOkResponse({ description: 'columns: district, name, received, closed, inProgress, awaitingConfirmation, overdue, closedRate', schema: TABLE_SCHEMA })
  async requests(@CurrentPrincipal() principal: Principal, @ExportFormatQuery() format: ExportFormat, @Query('district') district?: string, @Query('asOf') asOf?: string) {
    const scope = this.scopeOf(principal, district, asOf);
    return this.answer(scope, requestsTable(await scope.source.requests(scope.districts), this.seeded(scope), scope.asOf), format);
  }

  @Get('targets')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({
    summary: 'Each district’s overall coverage against its target and deadline, and which “three 100 %” checks pass',
    description: 'Targets, deadlines and the wording of the checks are policy data (libs/gateway/api/src/statistics/coverage-targets.json, shape in the README beside it).',
  })
  @ApiQuery(DISTRICT_QUERY)
  @ApiQuery(AS_OF_QUERY)
  @ApiTableExport()
  @ApiOkResponse({ description: 'columns: district, name, enterprises, overallRate, targetRate, deadline, daysLeft, standing, one per check, threeHundredPercent', schema: TABLE_SCHEMA })
  async targets(@CurrentPrincipal() principal: Principal, @ExportFormatQuery() format: ExportFormat, @Query('district') district?: string, @Query('asOf') asOf?: string) {
    const scope = this.scopeOf(principal, district, asOf);
    return this.answer(scope, targetsTable(await scope.source.enterprises(scope.districts), this.seeded(scope), COVERAGE_TARGETS, scope.asOf), format);
  }

  /** One district named (the caller must see it), else the caller's districts; an admin naming none sees all. */
  private scopeOf(principal: Principal, districtParam: string | undefined, asOfParam: string | undefined): Scope {
    const district = parseDistrictParam(districtParam);
    const past = parseAsOf(asOfParam);
    if (district) assertDistrict(principal, district);
    const districts: Districts = district ? [district] : principal.role === 'admin' ? 'all' : [...new Set(principal.districts ?? [])].sort();
    return { districts, asOf: past ?? new Date().toISOString(), source: new StatisticsSource(this.readModels, this.timeTravel, past) };
  }

  /** the districts that get a line even with nothing to count */
  private seeded(scope: Scope): readonly string[] {
    return scope.districts === 'all' ? [] : scope.districts;
  }

  private answer(scope: Scope, body: TableBody, format: ExportFormat) {
    const table: Table = { ...body, asOf: scope.asOf, districts: scope.districts === 'all' ? [] : scope.districts.map(namedDistrict) };
    return tableResponse(table, format);
  }
}
