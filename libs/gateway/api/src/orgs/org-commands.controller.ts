import { Body, Controller, Delete, HttpCode, Post, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags, OmitType } from '@nestjs/swagger';
import {
  AddEnterpriseDto,
  AssignPersonDto,
  ChangeOrgParentDto,
  ConfirmOrgDissolutionDto,
  DissolveOrgDto,
  FormationCommands,
  FormOrgDto,
  IsReadableText,
  MergeOrgsDto,
  PairOrgsDto,
} from '@liangxin/contracts';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Request } from 'express';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import { assertDistrict, type Principal } from '../auth/principal';
import { CommandSender } from '../commands/command-sender';
import { CreditCodeParam } from '../enterprises/credit-code.pipe';
import { districtOfNewOrg, OrgIdParam } from './scoping';

/** POST /api/orgs/{id}/merge: the organisation in the path is absorbed by `intoOrgId`. */
export class MergeIntoDto extends OmitType(MergeOrgsDto, ['mergedOrgId'] as const) {}

/** PUT of a secretary or instructor: assigns one, or replaces the current one when a reason is given. */
export class PutPersonDto extends AssignPersonDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  @IsReadableText()
  reason?: string;
}

/**
 * Officers' commands on party organisations, sent to the formation service. The service checks the
 * organisation's district against the caller's districts (it knows the district; the read side may lag).
 */
@ApiTags('orgs')
@ApiBearerAuth()
@Controller('api/orgs')
export class OrgCommandsController {
  constructor(private readonly commands: CommandSender) {}

  @Post()
  @Roles('admin', 'officer')
  @ApiOperation({
    summary: 'Form a party organisation by hand, in any of the thirteen modes',
    description:
      'With `enterprises: []`, `level` (general-branch or primary-committee) and `district`, forms an upper-level organisation over other organisations (产业链党委, 两新综合党委) with no enterprises of its own; a plain branch without enterprises is refused (NO_ENTERPRISES).',
  })
  @ApiResponse({ status: 201, description: '{orgId, position}' })
  @ApiResponse({ status: 409, description: 'an enterprise already belongs to another organisation (ENTERPRISE_IN_ANOTHER_ORG)' })
  async form(@Body() body: FormOrgDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    assertDistrict(principal, districtOfNewOrg(body));
    const reply = await this.commands.send<{ orgId: string }>(FormationCommands.FormOrg, body, principal, request);
    return { orgId: reply.result?.orgId, position: reply.position };
  }

  @Post(':id/enterprises')
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Add an enterprise to the organisation' })
  addEnterprise(@OrgIdParam() orgId: string, @Body() body: AddEnterpriseDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.send(FormationCommands.AddEnterprise, { ...body, orgId }, principal, request);
  }

  @Delete(':id/enterprises/:code')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Take an enterprise out of the organisation' })
  removeEnterprise(@OrgIdParam() orgId: string, @CreditCodeParam() creditCode: string, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.send(FormationCommands.RemoveEnterprise, { orgId, creditCode }, principal, request);
  }

  @Post(':id/merge')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Merge this organisation into another: the other absorbs its enterprises, this one is dissolved' })
  merge(@OrgIdParam() mergedOrgId: string, @Body() body: MergeIntoDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.send(FormationCommands.MergeOrgs, { ...body, mergedOrgId }, principal, request);
  }

  @Post(':id/dissolve')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Dissolve the organisation, with the reason' })
  dissolve(@OrgIdParam() orgId: string, @Body() body: DissolveOrgDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.send(FormationCommands.DissolveOrg, { ...body, orgId }, principal, request);
  }

  @Post(':id/dissolution/confirm')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({
    summary: 'Confirm the dissolution the rules left pending when the organisation’s only enterprise turned abnormal (after the policy’s grace period)',
    description: 'A return to normal before the confirmation cancels the pending dissolution, so a status flip changes nothing of the organisation.',
  })
  @ApiResponse({ status: 200, description: '{position} of the OrgDissolved event and what follows it' })
  @ApiResponse({ status: 409, description: 'nothing pending (NO_PENDING_DISSOLUTION), or still inside the grace period (DISSOLUTION_IN_GRACE_PERIOD)' })
  confirmDissolution(@OrgIdParam() orgId: string, @Body() body: ConfirmOrgDissolutionDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.send(FormationCommands.ConfirmOrgDissolution, { ...body, orgId }, principal, request);
  }

  @Put(':id/secretary')
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Assign the secretary, or replace the current one (give a reason)' })
  secretary(@OrgIdParam() orgId: string, @Body() body: PutPersonDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.send(body.reason ? FormationCommands.ReplaceSecretary : FormationCommands.AssignSecretary, { ...body, orgId }, principal, request);
  }

  @Put(':id/instructor')
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Assign the party-building instructor, or replace the current one (give a reason)' })
  instructor(@OrgIdParam() orgId: string, @Body() body: PutPersonDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.send(body.reason ? FormationCommands.ReplaceInstructor : FormationCommands.AssignInstructor, { ...body, orgId }, principal, request);
  }

  @Post(':id/pairings')
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Pair this (private unit) organisation with an organisation of a public unit (结对共建)' })
  pair(@OrgIdParam() orgId: string, @Body() body: PairOrgsDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.send(FormationCommands.PairOrgs, { ...body, orgId }, principal, request);
  }

  @Post(':id/parent')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Place the organisation under a parent organisation in the tree, or detach it (parentOrgId null); never under itself or one beneath it' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['parentOrgId', 'reason'],
      properties: {
        parentOrgId: { type: 'string', nullable: true, maxLength: 64, description: 'the organisation to place this one under; null detaches it' },
        reason: { type: 'string', maxLength: 500, description: 'why the organisation moves in the tree (kept with the event)' },
      },
      example: { parentOrgId: 'industry-chain-joint-430104-0123456789ab', reason: '纳入工程机械产业链党委管理' },
    },
  })
  @ApiResponse({ status: 200, description: '{position} of the OrgParentChanged event' })
  @ApiResponse({ status: 400, description: 'bad body, or the organisation itself as parent (PARENT_IS_ITSELF); details name the field' })
  @ApiResponse({ status: 403, description: 'the organisation or the parent is outside your districts' })
  @ApiResponse({ status: 404, description: 'no such organisation (ORG_NOT_FOUND) or parent (PARENT_NOT_FOUND)' })
  @ApiResponse({ status: 409, description: 'dissolved, a cycle (PARENT_CYCLE), a parent of a lower level (PARENT_LEVEL_TOO_LOW), already there, or undone because another officer’s move of the same instant closed a cycle with it (PLACEMENT_CYCLE_UNDONE)' })
  parent(@OrgIdParam() orgId: string, @Body() body: ChangeOrgParentDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.send(FormationCommands.ChangeOrgParent, { ...body, orgId }, principal, request);
  }

  private async send(pattern: string, payload: object, principal: Principal, request: Request) {
    const reply = await this.commands.send(pattern, payload, principal, request);
    return { position: reply.position };
  }
}
