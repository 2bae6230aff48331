import { BadRequestException, Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Put, Query, Req, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CompleteAssessmentDto, CorrectAssessmentDto, EvaluationPatterns, PublishRubricDto } from '@liangxin/contracts';
import { type DistrictEvaluation, districtEvaluationId, EVALUATION_DISTRICTS, EVALUATION_ORGS, type OrgEvaluation, type ReadModelStore } from '@liangxin/read-models';
import type { Request } from 'express';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import { assertDistrict, type Principal } from '../auth/principal';
import { CommandSender } from '../commands/command-sender';
import { parseDistrictParam, parseYearParam } from '../funding/query-params';
import { MinPositionInterceptor } from '../read-side/min-position.interceptor';
import { SETTLED_READ_HEADER } from '../read-side/settled/settled-read-headers';
import { READ_MODEL_STORE } from '../read-side/tokens';

type Rating = { totalScore: number; stars: number; passed: boolean; rubricVersion: number };

@ApiTags('evaluation')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Min-Position', required: false, description: 'on a GET: wait (up to 5 s) until the read models include this position' })
@ApiHeader(SETTLED_READ_HEADER)
@UseInterceptors(MinPositionInterceptor)
@Controller('api/evaluation')
export class EvaluationController {
  constructor(
    private readonly commands: CommandSender,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
  ) {}

  @Put('rubric')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Publish a rubric (criteria, weights, five star thresholds, pass score): a changed definition becomes its next version' })
  @ApiResponse({ status: 200, description: '{rubricId, version, position}; the same definition again changes nothing' })
  async publishRubric(@Body() body: PublishRubricDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    const reply = await this.commands.send<{ rubricId: string; version: number }>(EvaluationPatterns.publishRubric, body, principal, request);
    return { rubricId: body.rubricId, version: reply.result?.version, position: reply.position };
  }

  @Post('assessments')
  @Roles('admin', 'officer')
  @ApiOperation({ summary: "Complete an organisation's annual assessment: scores per criterion give its stars (1–6) and pass" })
  @ApiResponse({ status: 201, description: '{position, totalScore, stars, passed, rubricVersion}' })
  @ApiResponse({ status: 404, description: 'RUBRIC_NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'ASSESSMENT_ALREADY_COMPLETED: send a correction' })
  async complete(@Body() body: CompleteAssessmentDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    assertDistrict(principal, body.district);
    const reply = await this.commands.send<Rating>(EvaluationPatterns.completeAssessment, body, principal, request);
    return { position: reply.position, ...ratingOf(reply.result) };
  }

  @Post('assessments/corrections')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Correct a completed assessment with new scores and a reason; the first one stays in history' })
  @ApiResponse({ status: 404, description: 'the organisation has no assessment yet' })
  async correct(@Body() body: CorrectAssessmentDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    // The service checks the district the assessment recorded, against its stream (a read model could lag the write).
    const reply = await this.commands.send<Rating>(EvaluationPatterns.correctAssessment, body, principal, request);
    return { position: reply.position, ...ratingOf(reply.result) };
  }

  @Get('orgs/:orgId')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: "An organisation's stars by year, as corrected" })
  async org(@Param('orgId') orgId: string, @CurrentPrincipal() principal: Principal) {
    const found = await this.readModels.get<OrgEvaluation>(EVALUATION_ORGS, orgId);
    if (!found) throw new NotFoundException({ message: `Organisation ${orgId} has not been assessed`, details: [{ field: 'orgId', reason: 'never assessed' }] });
    assertDistrict(principal, found.body.district);
    return found.body;
  }

  @Get('districts/:district')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'Star distribution and pass rate of a district: for one year, or every year assessed' })
  @ApiQuery({ name: 'year', required: false })
  async district(@Param('district') districtParam: string, @CurrentPrincipal() principal: Principal, @Query('year') yearParam?: string) {
    const district = parseDistrictParam(districtParam);
    if (!district) throw new BadRequestException({ message: 'district is required', details: [{ field: 'district', reason: 'required' }] });
    const year = parseYearParam(yearParam);
    assertDistrict(principal, district);
    if (year !== undefined) {
      const found = await this.readModels.get<DistrictEvaluation>(EVALUATION_DISTRICTS, districtEvaluationId(district, year));
      return found?.body ?? { district, year, assessed: 0, passed: 0, passRate: null, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0, '6': 0 } };
    }
    const years = await this.readModels.find<DistrictEvaluation>(EVALUATION_DISTRICTS, { district });
    return years.map((d) => d.body).sort((a, b) => a.year - b.year);
  }
}

const ratingOf = (rating: Rating | undefined) =>
  rating ? { totalScore: rating.totalScore, stars: rating.stars, passed: rating.passed, rubricVersion: rating.rubricVersion } : {};

export const EVALUATION_CONTROLLERS = [EvaluationController];
