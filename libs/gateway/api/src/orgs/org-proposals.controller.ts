import { BadRequestException, Body, Controller, Get, HttpCode, Inject, NotFoundException, Post, Query, Req, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApproveOrgProposalDto, FormationCommands, ProposeOrgDto, RejectOrgProposalDto } from '@liangxin/contracts';
import { ORG_PROPOSALS, type OrgProposalView, type ReadModelStore } from '@liangxin/read-models';
import type { Request } from 'express';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import { assertDistrict, type Principal } from '../auth/principal';
import { CommandSender } from '../commands/command-sender';
import { parseDistrictParam } from '../funding/query-params';
import { MinPositionInterceptor } from '../read-side/min-position.interceptor';
import { ApiPaginated, orderBy, pageRequest, paginate, sortedBy } from '../read-side/pagination';
import { ApiTableExport, type ExportFormat, ExportFormatQuery } from '../export';
import { exportList, PROPOSALS_EXPORT } from '../read-side/list-exports';
import { SETTLED_READ_HEADER } from '../read-side/settled/settled-read-headers';
import { READ_MODEL_STORE } from '../read-side/tokens';
import { districtOfNewOrg, OrgIdParam } from './scoping';

/** newest first, then by id */
const PROPOSAL_ORDER = orderBy<OrgProposalView>({ of: (p) => p.proposedAt, descending: true }, { of: (p) => p.orgId });

const PROPOSAL_STATUSES = ['pending', 'approved', 'rejected'] as const;

/**
 * The lifecycle's first step (proposed → approved/formed): an officer proposes an organisation, another officer of
 * the district approves it (批复), which forms it on the facts of that day, or rejects it with a reason. The list
 * shows how long each proposal waited for its decision.
 */
@ApiTags('orgs')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Min-Position', required: false, description: 'wait (up to 5 s) until the read models include this position' })
@ApiHeader(SETTLED_READ_HEADER)
@UseInterceptors(MinPositionInterceptor)
@Controller('api/org-proposals')
export class OrgProposalsController {
  constructor(
    private readonly commands: CommandSender,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
  ) {}

  @Post()
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Propose an organisation (the same fields as forming one, plus a note); another officer approves or rejects it' })
  @ApiResponse({ status: 201, description: '{orgId, position}: the id the organisation will have once approved' })
  @ApiResponse({ status: 400, description: 'what forming it would refuse now (for example BELOW_MINIMUM_FULL_MEMBERS), or a body that does not validate' })
  @ApiResponse({ status: 409, description: 'an enterprise already belongs to another organisation (ENTERPRISE_IN_ANOTHER_ORG)' })
  async propose(@Body() body: ProposeOrgDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    assertDistrict(principal, districtOfNewOrg(body));
    const reply = await this.commands.send<{ orgId: string }>(FormationCommands.ProposeOrg, body, principal, request);
    return { orgId: reply.result?.orgId, position: reply.position };
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Approve a pending proposal (批复): the organisation is formed on the enterprises’ counts of today; not by the officer who proposed it' })
  @ApiResponse({ status: 200, description: '{position} of the OrgFormed event' })
  @ApiResponse({ status: 403, description: 'outside your districts, or you proposed it yourself (APPROVER_IS_PROPOSER)' })
  @ApiResponse({ status: 404, description: 'no such proposal (PROPOSAL_NOT_FOUND)' })
  @ApiResponse({ status: 409, description: 'rejected already (PROPOSAL_REJECTED), formed already (ORG_ALREADY_EXISTS), or an enterprise was taken since (ENTERPRISE_IN_ANOTHER_ORG)' })
  approve(@OrgIdParam() orgId: string, @Body() body: ApproveOrgProposalDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.send(FormationCommands.ApproveOrgProposal, { ...body, orgId }, principal, request);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Reject a pending proposal, saying why' })
  @ApiResponse({ status: 200, description: '{position} of the OrgProposalRejected event' })
  @ApiResponse({ status: 404, description: 'no such proposal (PROPOSAL_NOT_FOUND)' })
  @ApiResponse({ status: 409, description: 'decided already' })
  reject(@OrgIdParam() orgId: string, @Body() body: RejectOrgProposalDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.send(FormationCommands.RejectOrgProposal, { ...body, orgId }, principal, request);
  }

  @Get()
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'Proposals of a district, newest first, with their status and the days each waited for its decision' })
  @ApiQuery({ name: 'district', required: true })
  @ApiQuery({ name: 'status', required: false, enum: PROPOSAL_STATUSES })
  @ApiPaginated()
  @ApiTableExport()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query('district') districtParam?: string,
    @Query('status') status?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
    @ExportFormatQuery() format: ExportFormat = 'json',
  ) {
    const district = parseDistrictParam(districtParam);
    const page = pageRequest(limit, cursor, PROPOSAL_ORDER.arity);
    if (!district) throw new BadRequestException({ message: 'Name the district', details: [{ field: 'district', reason: 'required' }] });
    assertDistrict(principal, district);
    if (status !== undefined && status !== '' && !(PROPOSAL_STATUSES as readonly string[]).includes(status)) {
      throw new BadRequestException({ message: `status must be one of: ${PROPOSAL_STATUSES.join(', ')}`, details: [{ field: 'status', reason: 'not a proposal status' }] });
    }
    const found = await this.readModels.find<OrgProposalView>(ORG_PROPOSALS, status ? { district, status } : { district });
    const proposals = found.map((d) => d.body);
    if (format !== 'json') return exportList(PROPOSALS_EXPORT, sortedBy(proposals, PROPOSAL_ORDER), [district], format);
    return { district, pending: proposals.filter((p) => p.status === 'pending').length, ...paginate(proposals, PROPOSAL_ORDER, page) };
  }

  @Get(':id')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: 'One proposal and what became of it' })
  async get(@OrgIdParam() orgId: string, @CurrentPrincipal() principal: Principal) {
    const found = await this.readModels.get<OrgProposalView>(ORG_PROPOSALS, orgId);
    if (!found) throw new NotFoundException({ message: `No proposal ${orgId}`, details: [{ field: 'id', reason: 'no such proposal' }] });
    assertDistrict(principal, found.body.district);
    return found.body;
  }

  private async send(pattern: string, payload: object, principal: Principal, request: Request) {
    const reply = await this.commands.send(pattern, payload, principal, request);
    return { position: reply.position };
  }
}
