import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, Req, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags, OmitType } from '@nestjs/swagger';
import { AllocateBudgetDto, ClawBackSubsidyDto, FundingPatterns, GrantSubsidyDto, ReduceBudgetDto } from '@liangxin/contracts';
import { FUNDING_BUDGETS, FUNDING_ORGS, type FundingBudget, type OrgFunding, type ReadModelStore } from '@liangxin/read-models';
import type { Request } from 'express';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import { assertDistrict, canSeeDistrict, type Principal } from '../auth/principal';
import { CommandSender } from '../commands/command-sender';
import { MinPositionInterceptor } from '../read-side/min-position.interceptor';
import { SETTLED_READ_HEADER } from '../read-side/settled/settled-read-headers';
import { READ_MODEL_STORE } from '../read-side/tokens';
import { ApiPaginated, orderBy, pageRequest, paginate, sortedBy } from '../read-side/pagination';
import { ApiTableExport, type ExportFormat, ExportFormatQuery } from '../export';
import { BUDGETS_EXPORT, exportDistricts, exportList } from '../read-side/list-exports';
import { parseDistrictParam, parseYearParam } from './query-params';

/** one budget per district and year */
const BUDGET_ORDER = orderBy<FundingBudget>({ of: (b) => b.district }, { of: (b) => b.year });

/** The grant is named by the path. */
export class ClawBackBodyDto extends OmitType(ClawBackSubsidyDto, ['grantId'] as const) {}

@ApiTags('funding')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Min-Position', required: false, description: 'on a GET: wait (up to 5 s) until the read models include this position' })
@ApiHeader(SETTLED_READ_HEADER)
@UseInterceptors(MinPositionInterceptor)
@Controller('api/funding')
export class FundingController {
  constructor(
    private readonly commands: CommandSender,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
  ) {}

  @Post('budgets')
  @Roles('admin', 'officer')
  @ApiOperation({ summary: "Allocate money (in fen) to a district's budget for a year; allocations add up" })
  @ApiResponse({ status: 201, description: '{position}' })
  async allocate(@Body() body: AllocateBudgetDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    assertDistrict(principal, body.district);
    const reply = await this.commands.send(FundingPatterns.allocateBudget, body, principal, request);
    return { position: reply.position };
  }

  @Post('budgets/reductions')
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Reduce a budget by money not yet paid out, with a reason' })
  @ApiResponse({ status: 409, description: 'BUDGET_REDUCTION_EXCEEDS_REMAINING or BUDGET_NOT_ALLOCATED' })
  async reduce(@Body() body: ReduceBudgetDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    assertDistrict(principal, body.district);
    const reply = await this.commands.send(FundingPatterns.reduceBudget, body, principal, request);
    return { position: reply.position };
  }

  @Post('grants')
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Pay a subsidy item to an organisation from the budget of a district and year, naming the events that justify it' })
  @ApiResponse({ status: 201, description: '{grantId, position}; send Idempotency-Key so a retried request cannot pay twice' })
  @ApiResponse({ status: 409, description: 'BUDGET_EXCEEDED, FORMATION_SUBSIDY_ALREADY_GRANTED, GRANT_ID_TAKEN...' })
  @ApiResponse({ status: 403, description: 'SECRETARY_POST_NOT_ELIGIBLE: the annual review was not passed' })
  async grant(@Body() body: GrantSubsidyDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    assertDistrict(principal, body.district);
    const reply = await this.commands.send<{ grantId: string }>(FundingPatterns.grantSubsidy, body, principal, request);
    return { grantId: reply.result?.grantId ?? body.grantId, position: reply.position };
  }

  @Post('grants/:id/claw-back')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Claw back a subsidy paid to an organisation later found ineligible; the money returns to its budget' })
  @ApiResponse({ status: 404, description: 'GRANT_NOT_FOUND in the budget named' })
  async clawBack(@Param('id') grantId: string, @Body() body: ClawBackBodyDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    assertDistrict(principal, body.district);
    const reply = await this.commands.send(FundingPatterns.clawBackSubsidy, { ...body, grantId }, principal, request);
    return { position: reply.position };
  }

  @Get('budgets')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'Budgets with what is used and left (fen), by district and year, a page at a time' })
  @ApiQuery({ name: 'district', required: false })
  @ApiQuery({ name: 'year', required: false })
  @ApiPaginated()
  @ApiTableExport()
  async budgets(
    @CurrentPrincipal() principal: Principal,
    @Query('district') districtParam?: string,
    @Query('year') yearParam?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
    @ExportFormatQuery() format: ExportFormat = 'json',
  ) {
    const district = parseDistrictParam(districtParam);
    const page = pageRequest(limit, cursor, BUDGET_ORDER.arity);
    const year = parseYearParam(yearParam);
    if (district) assertDistrict(principal, district);
    const where: Record<string, string | number> = {};
    if (district) where.district = district;
    if (year !== undefined) where.year = year;
    const found = await this.readModels.find<FundingBudget>(FUNDING_BUDGETS, where);
    const budgets = found.map((d) => d.body).filter((b) => canSeeDistrict(principal, b.district));
    if (format !== 'json') return exportList(BUDGETS_EXPORT, sortedBy(budgets, BUDGET_ORDER), exportDistricts(principal, district, budgets.map((b) => b.district)), format);
    return paginate(budgets, BUDGET_ORDER, page);
  }

  @Get('orgs/:orgId')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: "An organisation's grants (with the events that justified each), claw-backs, refusals and post-subsidy eligibility" })
  async org(@Param('orgId') orgId: string, @CurrentPrincipal() principal: Principal) {
    const found = await this.readModels.get<OrgFunding>(FUNDING_ORGS, orgId);
    if (!found) throw new NotFoundException({ message: `No funding recorded for organisation ${orgId}`, details: [{ field: 'orgId', reason: 'nothing granted, refused or confirmed' }] });
    assertDistrict(principal, found.body.district);
    return found.body;
  }
}

export const FUNDING_CONTROLLERS = [FundingController];
