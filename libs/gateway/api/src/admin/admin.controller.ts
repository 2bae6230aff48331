import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { IsCreditCode, IsDivisionCode } from '@liangxin/contracts';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import { actorOf, type Principal, ROLES, type Role } from '../auth/principal';
import { TokenService } from '../auth/tokens';
import type { ProjectionRebuilder } from '../read-side/projections';
import { PROJECTION_REBUILDER } from '../read-side/tokens';
import type { Request } from 'express';
import { AdminAudit } from './admin-audit';
import { type Job, JobsService } from './jobs.service';
import { ApiPaginated, orderBy, pageRequest, paginate } from '../read-side/pagination';
import type { AdminAction } from './admin-audit';

const JOB_ORDER = orderBy<Job>({ of: (j) => j.startedAt, descending: true }, { of: (j) => j.id });
const ADMIN_ACTION_ORDER = orderBy<AdminAction>({ of: (a) => a.position, descending: true });

/** Roles bound to districts: a token of theirs names at least one, or it would see nothing. */
const DISTRICT_BOUND: readonly Role[] = ['officer', 'auditor'];

export class IssueTokenDto {
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1, { message: 'subject must not be blank' })
  @MaxLength(100)
  subject!: string;

  @IsIn(ROLES)
  role!: Role;

  /** required (non-empty) for officers and auditors */
  @ValidateIf((token: IssueTokenDto) => DISTRICT_BOUND.includes(token.role) || token.districts !== undefined)
  @IsArray({ message: 'districts must be a list of 6-digit division codes (at least one for an officer or auditor)' })
  @ArrayMinSize(1, { message: 'districts must name at least one district for an officer or auditor' })
  @ArrayMaxSize(200)
  @IsDivisionCode({ each: true, message: 'each district must be a 6-digit division code below province level, e.g. 430104' })
  districts?: string[];

  /** required for an enterprise account: the enterprise it is */
  @ValidateIf((token: IssueTokenDto) => token.role === 'enterprise' || token.creditCode !== undefined)
  @IsCreditCode()
  creditCode?: string;

  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(30 * 86_400)
  expiresInSeconds?: number;
}

@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin')
@Roles('admin')
export class AdminController {
  constructor(
    private readonly jobs: JobsService,
    private readonly audit: AdminAudit,
    private readonly tokens: TokenService,
    @Inject(PROJECTION_REBUILDER) private readonly rebuildProjections: ProjectionRebuilder,
  ) {}

  @Post('projections/rebuild')
  @HttpCode(202)
  @ApiOperation({ summary: 'Rebuild every projection from the first event, beside the live ones; swap when caught up' })
  async rebuild(@CurrentPrincipal() principal: Principal, @Req() request: Request) {
    const job = this.jobs.start('rebuild', actorOf(principal), (report) =>
      this.rebuildProjections((p) => report({ done: p.done, total: p.total, ratePerSecond: Math.round(p.eventsPerSecond), phase: p.phase })),
    );
    await this.audit.record(principal, request, 'projections.rebuild', { jobId: job.id });
    return { jobId: job.id };
  }

  @Get('jobs')
  @ApiOperation({ summary: 'Recent admin jobs, newest first' })
  @ApiPaginated()
  listJobs(@Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return paginate(this.jobs.list(), JOB_ORDER, pageRequest(limit, cursor, JOB_ORDER.arity));
  }

  @Get('jobs/:id')
  @ApiOperation({ summary: 'Progress of an admin job (done, total, rate, ETA)' })
  job(@Param('id') id: string) {
    const job = this.jobs.get(id);
    if (!job) throw new NotFoundException({ message: `No job ${id}`, details: [{ field: 'id', reason: 'not found (jobs are kept in memory until restart)' }] });
    return job;
  }

  @Post('tokens')
  @ApiOperation({ summary: 'Issue a signed token for an officer, auditor or enterprise' })
  async issueToken(@Body() body: IssueTokenDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    const token = this.tokens.issue({ subject: body.subject, role: body.role, districts: body.districts, creditCode: body.creditCode }, body.expiresInSeconds);
    const position = await this.audit.record(principal, request, 'tokens.issue', { subject: body.subject, role: body.role, districts: body.districts ?? null, creditCode: body.creditCode ?? null });
    return { token, position };
  }

  @Get('audit')
  @ApiOperation({ summary: 'Admin actions, newest first: who rebuilt, issued tokens, retried dead letters' })
  @ApiPaginated()
  async adminActions(@Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    const page = pageRequest(limit, cursor, ADMIN_ACTION_ORDER.arity);
    return paginate(await this.audit.list(), ADMIN_ACTION_ORDER, page);
  }
}
