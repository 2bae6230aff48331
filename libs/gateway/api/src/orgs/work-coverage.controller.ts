import { BadRequestException, Body, Controller, Get, Inject, Param, Put, Req, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags, OmitType } from '@nestjs/swagger';
import { AssignWorkCoverageDto, districtOfCreditCode, FormationCommands } from '@liangxin/contracts';
import { ENTERPRISE_STATUS, type EnterpriseStatus, type ReadModelStore } from '@liangxin/read-models';
import type { Request } from 'express';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import { assertDistrict, canSeeDistrict, type Principal } from '../auth/principal';
import { CommandSender } from '../commands/command-sender';
import { CreditCodeParam } from '../enterprises/credit-code.pipe';
import { MinPositionInterceptor } from '../read-side/min-position.interceptor';
import { READ_MODEL_STORE } from '../read-side/tokens';

/** PUT /api/enterprises/{code}/work-coverage: the enterprise comes from the path. */
export class PutWorkCoverageDto extends OmitType(AssignWorkCoverageDto, ['creditCode'] as const) {}

const PERSON_ID = /^[\w.:-]{1,64}$/;

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
    const payload = { ...body, creditCode, ...(principal.role !== 'admin' && principal.districts && { actingInDistricts: principal.districts }) };
    const reply = await this.commands.send(FormationCommands.AssignWorkCoverage, payload, principal, request);
    return { position: reply.position };
  }

  @Get('instructors/:personId/caseload')
  @Roles('admin', 'officer', 'auditor')
  @UseInterceptors(MinPositionInterceptor)
  @ApiHeader({ name: 'X-Min-Position', required: false, description: 'wait (up to 5 s) until the read models include this position' })
  @ApiOperation({ summary: 'The enterprises an instructor or liaison cadre gives work coverage to now (in the districts the caller sees)' })
  async caseload(@Param('personId') personId: string, @CurrentPrincipal() principal: Principal) {
    if (!PERSON_ID.test(personId))
      throw new BadRequestException({ message: 'personId must be 1–64 letters, digits, or . _ : -', details: [{ field: 'personId', reason: 'malformed' }] });
    const covered = await this.readModels.find<EnterpriseStatus>(ENTERPRISE_STATUS, { workCoverageAssignee: personId });
    const items = covered
      .map((d) => d.body)
      .filter((status) => canSeeDistrict(principal, status.district))
      .sort((a, b) => a.creditCode.localeCompare(b.creditCode))
      .map((status) => ({
        creditCode: status.creditCode,
        name: status.name,
        district: status.district,
        coveredBy: status.workCoverage?.coveredBy,
        coverageReason: status.noOrganisationReason,
        mustBeOrganisationallyCovered: status.mustBeOrganisationallyCovered,
      }));
    return { personId, caseload: items.length, items };
  }
}
