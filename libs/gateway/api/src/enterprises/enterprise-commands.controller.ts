import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ChangeEmployeeCountDto,
  ChangeMemberCountDto,
  ChangeOperatingStatusDto,
  CorrectLedgerDto,
  districtOfCreditCode,
  RegisterEnterpriseDto,
  RegistryCommands,
} from '@liangxin/contracts';
import type { Request } from 'express';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import { assertDistrict, type Principal } from '../auth/principal';
import { CommandSender } from '../commands/command-sender';
import { CreditCodeParam } from './credit-code.pipe';

@ApiTags('enterprises')
@ApiBearerAuth()
@Controller('api/enterprises')
export class EnterpriseCommandsController {
  constructor(private readonly commands: CommandSender) {}

  @Post()
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Register an enterprise or social organisation (两新组织) in the ledger' })
  @ApiResponse({ status: 201, description: '{creditCode, district, position}' })
  @ApiResponse({ status: 400, description: 'invalid input: details name each field and reason' })
  @ApiResponse({ status: 409, description: 'already registered' })
  async register(@Body() body: RegisterEnterpriseDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    const district = districtOfCreditCode(body.creditCode);
    assertDistrict(principal, district);
    const reply = await this.commands.send(RegistryCommands.RegisterEnterprise, body, principal, request);
    return { creditCode: body.creditCode, district, position: reply.position };
  }

  @Post(':code/member-count')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Record a change in full and probationary party members, with its reason' })
  changeMemberCount(@CreditCodeParam() code: string, @Body() body: ChangeMemberCountDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.sendFor(code, RegistryCommands.ChangeMemberCount, body, principal, request);
  }

  @Post(':code/employee-count')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Record a new employee count' })
  changeEmployeeCount(@CreditCodeParam() code: string, @Body() body: ChangeEmployeeCountDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.sendFor(code, RegistryCommands.ChangeEmployeeCount, body, principal, request);
  }

  @Post(':code/operating-status')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Record the operating status: normal, abnormal or deregistered' })
  changeOperatingStatus(@CreditCodeParam() code: string, @Body() body: ChangeOperatingStatusDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.sendFor(code, RegistryCommands.ChangeOperatingStatus, body, principal, request);
  }

  @Post(':code/ledger-corrections')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Correct ledger fields (the "seven clears")' })
  correctLedger(@CreditCodeParam() code: string, @Body() body: CorrectLedgerDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.sendFor(code, RegistryCommands.CorrectLedger, body, principal, request);
  }

  private async sendFor(creditCode: string, pattern: string, body: object, principal: Principal, request: Request) {
    assertDistrict(principal, districtOfCreditCode(creditCode));
    const reply = await this.commands.send(pattern, { ...body, creditCode }, principal, request);
    return { position: reply.position };
  }
}
