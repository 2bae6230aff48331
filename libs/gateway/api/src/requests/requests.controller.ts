import { BadRequestException, Body, Controller, ForbiddenException, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, Req, ServiceUnavailableException, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  AcceptRequestDto,
  districtOfCreditCode,
  isValidCreditCode,
  OPEN_REQUEST_STATUSES,
  ReopenRequestDto,
  REQUEST_STATUSES,
  RequestPatterns,
  ResolveRequestDto,
  SubmitRequestDto,
} from '@liangxin/contracts';
import {
  type DistrictRequestCounts,
  emptyRequestStatusCounts,
  ENTERPRISE_STATUS,
  type EnterpriseStatus,
  type LiveProjections,
  type ReadModelStore,
  SERVICE_REQUEST_DISTRICTS,
  SERVICE_REQUESTS,
  type ServiceRequestView,
} from '@liangxin/read-models';
import type { Request } from 'express';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import { assertDistrict, assertEnterpriseAccess, canSeeDistrict, type Principal } from '../auth/principal';
import { CommandSender } from '../commands/command-sender';
import { parseDistrictParam } from '../funding/query-params';
import { MIN_POSITION_HEADER, MIN_POSITION_WAIT_MS, MinPositionInterceptor } from '../read-side/min-position.interceptor';
import { SETTLED_READ_HEADER } from '../read-side/settled/settled-read-headers';
import { PROJECTION_RUNNER, READ_MODEL_STORE } from '../read-side/tokens';
import { parseNonNegativeWholeNumber } from '../http/validation';
import { ApiPaginated, orderBy, pageRequest, paginate, sortedBy } from '../read-side/pagination';
import { ApiTableExport, type ExportFormat, ExportFormatQuery } from '../export';
import { exportDistricts, exportList, REQUESTS_EXPORT } from '../read-side/list-exports';

/** China Standard Time is UTC+8 all year: due dates are Chinese calendar dates. */
const chinaToday = (now = Date.now()): string => new Date(now + 8 * 3600_000).toISOString().slice(0, 10);

/** Still the district's to act on, and past its due date. */
export const isOverdue = (request: Pick<ServiceRequestView, 'status' | 'dueDate'>, today: string): boolean =>
  OPEN_REQUEST_STATUSES.includes(request.status) && request.dueDate !== null && request.dueDate < today;

/** newest first, then by id */
const REQUEST_ORDER = orderBy<ServiceRequestView>({ of: (r) => r.submittedAt, descending: true }, { of: (r) => r.requestId });

const notFound = (requestId: string) => new NotFoundException({ message: `There is no request ${requestId}`, details: [{ field: 'id', reason: 'no such request' }] });

/**
 * Enterprise self-service (an enterprise applies and follows its request) and the district's side of
 * the loop: officers accept, work on and resolve requests of their districts; the enterprise confirms
 * or reopens its own.
 */
@ApiTags('requests')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Min-Position', required: false, description: 'wait (up to 5 s) until the read models include this position; on writes too, since the gateway reads the enterprise or request first' })
@ApiHeader(SETTLED_READ_HEADER)
@UseInterceptors(MinPositionInterceptor)
@Controller('api/requests')
export class RequestsController {
  constructor(
    private readonly commands: CommandSender,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    @Inject(PROJECTION_RUNNER) private readonly projections: Pick<LiveProjections, 'position' | 'waitForPosition'>,
  ) {}

  @Post()
  @Roles('admin', 'officer', 'enterprise')
  @ApiOperation({ summary: 'Submit a service request for a registered enterprise (an enterprise account: only for itself)' })
  @ApiResponse({ status: 201, description: '{requestId, position}; send Idempotency-Key so a retried submission is received once' })
  @ApiResponse({ status: 404, description: 'the credit code is not registered' })
  async submit(@Body() body: SubmitRequestDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    if (principal.role === 'enterprise' && principal.creditCode !== body.creditCode) {
      throw new ForbiddenException({ message: 'An enterprise account can submit requests only for itself', details: [{ field: 'creditCode', reason: 'not your enterprise' }] });
    }
    // an officer learns nothing about enterprises outside its districts, not even whether they are registered
    if (principal.role !== 'enterprise') assertDistrict(principal, districtOfCreditCode(body.creditCode));
    await this.readYourWrites(request);
    const enterprise = await this.readModels.get<EnterpriseStatus>(ENTERPRISE_STATUS, body.creditCode);
    if (!enterprise) {
      throw new NotFoundException({ message: `No enterprise with credit code ${body.creditCode} is registered`, details: [{ field: 'creditCode', reason: 'not registered' }] });
    }
    const district = enterprise.body.district;
    if (principal.role !== 'enterprise') assertDistrict(principal, district);
    const reply = await this.commands.send<{ requestId: string }>(RequestPatterns.submit, { ...body, district }, principal, request);
    return { requestId: reply.result?.requestId, position: reply.position };
  }

  @Get()
  @Roles('admin', 'officer', 'auditor', 'enterprise')
  @ApiOperation({ summary: 'Service requests, newest first, by district, status and enterprise (an enterprise account sees only its own)' })
  @ApiQuery({ name: 'district', required: false })
  @ApiQuery({ name: 'status', required: false, enum: REQUEST_STATUSES })
  @ApiQuery({ name: 'creditCode', required: false })
  @ApiPaginated()
  @ApiTableExport()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query('district') districtParam?: string,
    @Query('status') status?: string,
    @Query('creditCode') creditCodeParam?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
    @ExportFormatQuery() format: ExportFormat = 'json',
  ) {
    const district = parseDistrictParam(districtParam);
    const page = pageRequest(limit, cursor, REQUEST_ORDER.arity);
    if (status !== undefined && status !== '' && !(REQUEST_STATUSES as readonly string[]).includes(status)) {
      throw new BadRequestException({ message: `status must be one of: ${REQUEST_STATUSES.join(', ')}`, details: [{ field: 'status', reason: 'not a request status' }] });
    }
    let creditCode = creditCodeParam === '' ? undefined : creditCodeParam;
    if (creditCode !== undefined && !isValidCreditCode(creditCode)) {
      throw new BadRequestException({ message: 'creditCode must be an 18-character unified social credit code', details: [{ field: 'creditCode', reason: 'not a valid credit code' }] });
    }
    if (principal.role === 'enterprise') {
      if (creditCode !== undefined && creditCode !== principal.creditCode) {
        throw new ForbiddenException({ message: 'An enterprise account can see only its own requests', details: [{ field: 'creditCode', reason: 'not your enterprise' }] });
      }
      creditCode = principal.creditCode ?? '';
    } else if (district) {
      assertDistrict(principal, district);
    }
    const where: Record<string, string> = {};
    if (district) where.district = district;
    if (status) where.status = status;
    if (creditCode !== undefined) where.creditCode = creditCode;
    const found = await this.readModels.find<ServiceRequestView>(SERVICE_REQUESTS, where);
    const items = found.map((d) => d.body).filter((r) => principal.role === 'enterprise' || canSeeDistrict(principal, r.district));
    if (format !== 'json') return exportList(REQUESTS_EXPORT, sortedBy(items, REQUEST_ORDER), exportDistricts(principal, district, items.map((r) => r.district)), format);
    return paginate(items, REQUEST_ORDER, page);
  }

  @Get('summary')
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({ summary: "A district's requests by status, how many are open and how many of those are past their due date" })
  @ApiQuery({ name: 'district', required: true })
  async summary(@CurrentPrincipal() principal: Principal, @Query('district') districtParam?: string) {
    const district = parseDistrictParam(districtParam);
    if (!district) throw new BadRequestException({ message: 'Name the district: ?district=430104', details: [{ field: 'district', reason: 'required' }] });
    assertDistrict(principal, district);
    const counts = await this.readModels.get<DistrictRequestCounts>(SERVICE_REQUEST_DISTRICTS, district);
    const byStatus = counts?.body.byStatus ?? emptyRequestStatusCounts();
    const today = chinaToday();
    const requests = await this.readModels.find<ServiceRequestView>(SERVICE_REQUESTS, { district });
    const overdue = requests.filter((r) => isOverdue(r.body, today)).length;
    const open = OPEN_REQUEST_STATUSES.reduce((sum, s) => sum + byStatus[s], 0);
    return { district, asOf: today, submitted: counts?.body.submitted ?? 0, byStatus, open, closed: byStatus.confirmed, overdue };
  }

  @Get(':id')
  @Roles('admin', 'officer', 'auditor', 'enterprise')
  @ApiOperation({ summary: 'One service request with its owner, due date and every step so far' })
  async get(@Param('id') requestId: string, @CurrentPrincipal() principal: Principal) {
    const found = await this.request(requestId, principal);
    return { ...found, overdue: isOverdue(found, chinaToday()) };
  }

  @Post(':id/accept')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Accept a received request: name its owner (service group or instructor) and its due date' })
  @ApiResponse({ status: 400, description: 'DUE_DATE_BEFORE_SUBMISSION, or a body that does not validate' })
  @ApiResponse({ status: 409, description: 'REQUEST_TRANSITION_NOT_ALLOWED: the request is not waiting to be accepted' })
  accept(@Param('id') requestId: string, @Body() body: AcceptRequestDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.transition(RequestPatterns.accept, requestId, { owner: body.owner, dueDate: body.dueDate }, principal, request);
  }

  @Post(':id/start')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Start work on an accepted request, or restart it after the enterprise reopened it' })
  @ApiResponse({ status: 409, description: 'REQUEST_TRANSITION_NOT_ALLOWED' })
  start(@Param('id') requestId: string, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.transition(RequestPatterns.startWork, requestId, {}, principal, request);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Roles('admin', 'officer')
  @ApiOperation({ summary: 'Resolve a request in progress, saying what was done; the enterprise then confirms or reopens it' })
  @ApiResponse({ status: 409, description: 'REQUEST_TRANSITION_NOT_ALLOWED' })
  resolve(@Param('id') requestId: string, @Body() body: ResolveRequestDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.transition(RequestPatterns.resolve, requestId, { resolution: body.resolution }, principal, request);
  }

  @Post(':id/confirm')
  @HttpCode(200)
  @Roles('admin', 'enterprise')
  @ApiOperation({ summary: 'The enterprise confirms its need was met: the request is closed for good' })
  @ApiResponse({ status: 409, description: 'REQUEST_TRANSITION_NOT_ALLOWED: only a resolved request can be confirmed' })
  confirm(@Param('id') requestId: string, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.transition(RequestPatterns.confirm, requestId, {}, principal, request);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @Roles('admin', 'enterprise')
  @ApiOperation({ summary: 'The enterprise reopens a resolved request whose resolution did not meet its need, saying why' })
  @ApiResponse({ status: 409, description: 'REQUEST_TRANSITION_NOT_ALLOWED: only a resolved request can be reopened' })
  reopen(@Param('id') requestId: string, @Body() body: ReopenRequestDto, @CurrentPrincipal() principal: Principal, @Req() request: Request) {
    return this.transition(RequestPatterns.reopen, requestId, { reason: body.reason }, principal, request);
  }

  private async transition(pattern: string, requestId: string, payload: object, principal: Principal, request: Request) {
    await this.readYourWrites(request);
    await this.request(requestId, principal);
    const reply = await this.commands.send(pattern, { ...payload, requestId }, principal, request);
    return { position: reply.position };
  }

  /** The request as the read model has it, if the caller may see it: its enterprise, or an officer or auditor of its district. */
  private async request(requestId: string, principal: Principal): Promise<ServiceRequestView> {
    const found = await this.readModels.get<ServiceRequestView>(SERVICE_REQUESTS, requestId);
    if (!found) throw notFound(requestId);
    assertEnterpriseAccess(principal, found.body.creditCode, found.body.district);
    return found.body;
  }

  /** A write reads the read models first (to know the enterprise or request): honour X-Min-Position there too. */
  private async readYourWrites(request: Request): Promise<void> {
    const raw = request.header(MIN_POSITION_HEADER);
    if (raw === undefined) return;
    const position = parseNonNegativeWholeNumber(raw);
    if (position === undefined) {
      throw new BadRequestException({ message: 'X-Min-Position must be a whole number', details: [{ field: 'X-Min-Position', reason: 'must be a non-negative integer' }] });
    }
    if (this.projections.position >= position) return;
    await this.projections.waitForPosition(position, MIN_POSITION_WAIT_MS).catch(() => {
      throw new ServiceUnavailableException({ message: `The read models have not yet reached position ${position}; retry shortly`, details: [{ field: 'X-Min-Position', reason: 'not reached within 5 s' }] });
    });
  }
}

export const REQUESTS_CONTROLLERS = [RequestsController];
