import { BadRequestException, Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Put, Query, Req, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags, OmitType } from '@nestjs/swagger';
import { AssignWorkCoverageDto, CorrectInstructorReviewDto, districtOfCreditCode, EvaluationPatterns, FormationCommands, ID_MAX_LENGTH, isSafeId, ReviewInstructorDto } from '@liangxin/contracts';
import { ENTERPRISE_STATUS, type EnterpriseStatus, INSTRUCTOR_REVIEWS, type InstructorReviews, type ReadModelStore } from '@liangxin/read-models';
import type { Request } from 'express';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import { assertDistrict, canSeeDistrict, type Principal } from '../auth/principal';
import { CommandSender } from '../commands/command-sender';
import { CreditCodeParam } from '../enterprises/credit-code.pipe';
import { MinPositionInterceptor } from '../read-side/min-position.interceptor';
import { ApiPaginated, orderBy, pageRequest, paginate, sortedBy } from '../read-side/pagination';
import { ApiTableExport, type ExportFormat, ExportFormatQuery } from '../export';
import { CASELOAD_EXPORT, exportDistricts, exportList } from '../read-side/list-exports';
import { SETTLED_READ_HEADER } from '../read-side/settled/settled-read-headers';
import { READ_MODEL_STORE } from '../read-side/tokens';

/** PUT /api/enterprises/{code}/work-coverage: the enterprise comes from the path. */
export class PutWorkCoverageDto extends OmitType(AssignWorkCoverageDto, ['creditCode'] as const) {}

const CASELOAD_ORDER = orderBy<EnterpriseStatus>({ of: (e) => e.creditCode });

const assertPersonId = (personId: string) => {
  if (!isSafeId(personId))
    throw new BadRequestException({ message: `personId must be 1–${ID_MAX_LENGTH} letters, digits, or . _ : -, starting with a letter or digit`, details: [{ field: 'personId', reason: 'malformed' }] });
};

/**
 * Work coverage (工作覆盖): officers name the instructor or liaison cadre who covers an enterprise with no
 * organisation, and see each person's caseload. The formation service checks the caseload limit and the
 * enterprise's district against the store; the caseload read here comes from the enterprise-status read model.
 */
@ApiTags('work coverage')
@ApiBearerAuth()
@Controller('api')
export class WorkCoverageController {
  constructor(
    private readonly commands: CommandSender,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
  ) {}

  @Put('enterprises/:code/work-coverage')
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Assign (or replace) the instructor or liaison cadre giving work coverage to an enterprise with no organisation' })
  @ApiResponse({ status: 200, description: '{position}' })
  @ApiResponse({ status: 409, description: 'CASELOAD_EXCEEDED (field assignee), ENTERPRISE_ORGANISATIONALLY_COVERED, ENTERPRISE_DEREGISTERED' })
  @ApiResponse({ status: 404, description: 'ENTERPRISE_NOT_REGISTERED' })
  async assign(@CreditCodeParam() creditCode: string, @Body() body: PutWorkCoverageDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    assertDistrict(principal, districtOfCreditCode(creditCode));
    const reply = await this.commands.send(FormationCommands.AssignWorkCoverage, { ...body, creditCode }, principal, request);
    return { position: reply.position };
  }

  /**
   * The annual review of an instructor or liaison cadre (docs/domain.md, "Instructors and liaison cadres": reviewed each year and tied to their own
   * appraisal): the grade, and the caseload they carry now as the work-coverage read model counts it.
   */
  @Post('instructors/:personId/reviews')
  @Roles('admin', 'officer')
  @ApiOperation({ summary: "Record an instructor's or liaison cadre's review for a year (优秀/称职/基本称职/不称职), with the caseload they carry" })
  @ApiResponse({ status: 201, description: '{position, enterprisesCovered}' })
  @ApiResponse({ status: 409, description: 'REVIEW_EXISTS: the year is reviewed already; correct it instead' })
  async review(@Param('personId') personId: string, @Body() body: ReviewInstructorDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    assertPersonId(personId);
    assertDistrict(principal, body.district);
    const enterprisesCovered = (await this.readModels.find<EnterpriseStatus>(ENTERPRISE_STATUS, { workCoverageAssignee: personId })).length;
    const reply = await this.commands.send(EvaluationPatterns.reviewInstructor, { ...body, personId, enterprisesCovered }, principal, request);
    return { position: reply.position, enterprisesCovered };
  }

  @Post('instructors/:personId/reviews/:year/corrections')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: "Correct a year's review with a new grade and a reason; the first grade stays in its history" })
  @ApiResponse({ status: 404, description: 'no review of that year' })
  async correctReview(
    @Param('personId') personId: string,
    @Param('year') yearParam: string,
    @Body() body: CorrectInstructorReviewDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
  ) {
    assertPersonId(personId);
    const year = Number(yearParam);
    if (!/^\d{4}$/.test(yearParam) || year < 2000 || year > 2100)
      throw new BadRequestException({ message: 'year must be a year from 2000 to 2100', details: [{ field: 'year', reason: 'a year from 2000 to 2100' }] });
    // The service checks the district of the review being corrected, against its stream (a read model could lag the write).
    const reply = await this.commands.send(EvaluationPatterns.correctInstructorReview, { ...body, personId, year }, principal, request);
    return { position: reply.position };
  }

  @Get('instructors/:personId/reviews')
  @Roles('admin', 'officer', 'auditor')
  @UseInterceptors(MinPositionInterceptor)
  @ApiHeader({ name: 'X-Min-Position', required: false, description: 'wait (up to 5 s) until the read models include this position' })
  @ApiHeader(SETTLED_READ_HEADER)
  @ApiOperation({ summary: "An instructor's or liaison cadre's reviews year by year (those made in the districts the caller sees), with corrections" })
  async reviews(@Param('personId') personId: string, @CurrentPrincipal() principal: Principal) {
    assertPersonId(personId);
    const found = await this.readModels.get<InstructorReviews>(INSTRUCTOR_REVIEWS, personId);
    if (!found) throw new NotFoundException({ message: `${personId} has never been reviewed`, details: [{ field: 'personId', reason: 'never reviewed' }] });
    return { ...found.body, reviews: found.body.reviews.filter((r) => canSeeDistrict(principal, r.district)) };
  }

  @Get('instructors/:personId/caseload')
  @Roles('admin', 'officer', 'auditor')
  @UseInterceptors(MinPositionInterceptor)
  @ApiHeader({ name: 'X-Min-Position', required: false, description: 'wait (up to 5 s) until the read models include this position' })
  @ApiHeader(SETTLED_READ_HEADER)
  @ApiOperation({ summary: 'The enterprises an instructor or liaison cadre gives work coverage to now (in the districts the caller sees)' })
  @ApiPaginated()
  @ApiTableExport()
  async caseload(
    @Param('personId') personId: string,
    @CurrentPrincipal() principal: Principal,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
    @ExportFormatQuery() format: ExportFormat = 'json',
  ) {
    assertPersonId(personId);
    const page = pageRequest(limit, cursor, CASELOAD_ORDER.arity);
    const covered = await this.readModels.find<EnterpriseStatus>(ENTERPRISE_STATUS, { workCoverageAssignee: personId });
    const visible = covered.map((d) => d.body).filter((status) => canSeeDistrict(principal, status.district));
    if (format !== 'json') return exportList(CASELOAD_EXPORT, sortedBy(visible, CASELOAD_ORDER), exportDistricts(principal, undefined, visible.map((e) => e.district)), format);
    const answer = paginate(visible, CASELOAD_ORDER, page);
    const items = answer.items.map((status) => ({
        creditCode: status.creditCode,
        name: status.name,
        district: status.district,
        coveredBy: status.workCoverage?.coveredBy,
        coverageReason: status.noOrganisationReason,
        mustBeOrganisationallyCovered: status.mustBeOrganisationallyCovered,
      }));
    return { personId, caseload: answer.total, ...answer, items };
  }
}
