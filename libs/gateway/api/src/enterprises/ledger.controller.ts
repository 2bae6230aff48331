import { BadRequestException, Controller, Get, Inject, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { OPERATING_STATUSES, OWNERSHIPS, unreadableTextReason } from '@liangxin/contracts';
import { type CoverageKind, ENTERPRISE_STATUS, type EnterpriseStatus, type FieldFilter, type ReadModelStore } from '@liangxin/read-models';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import { assertDistrict, type Principal } from '../auth/principal';
import { parseDistrictParam } from '../funding/query-params';
import { MinPositionInterceptor } from '../read-side/min-position.interceptor';
import { ApiTableExport, type ExportFormat, ExportFormatQuery } from '../export';
import { exportDistricts, exportList, LEDGER_EXPORT } from '../read-side/list-exports';
import { ApiPaginated, orderBy, pageRequest, paginate, sortedBy } from '../read-side/pagination';
import { SETTLED_READ_HEADER } from '../read-side/settled/settled-read-headers';
import { READ_MODEL_STORE } from '../read-side/tokens';
import { enterpriseView } from '../read-side/views';

const COVERAGE_KINDS: readonly CoverageKind[] = ['organisational', 'work', 'none'];
const MAX_TEXT = 100;

function parseText(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (text.length > MAX_TEXT) throw new BadRequestException({ message: `${field} must be at most ${MAX_TEXT} characters`, details: [{ field, reason: `at most ${MAX_TEXT} characters` }] });
  // the same rule as the names it is matched against: no control, zero-width or bidi characters
  const unreadable = unreadableTextReason(text);
  if (unreadable) throw new BadRequestException({ message: `${field} ${unreadable}`, details: [{ field, reason: unreadable }] });
  return text;
}

function parseOneOf<T extends string>(field: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new BadRequestException({ message: `${field} must be one of: ${allowed.join(', ')}`, details: [{ field, reason: `one of ${allowed.join(', ')}` }] });
  }
  return value as T;
}

/** `q` is a name fragment or the start of a credit code (which is uppercase letters and digits) */
const matchesSearch = (q: string) => {
  const fragment = q.toLowerCase();
  const codePrefix = /^[0-9A-Za-z]+$/.test(q) ? q.toUpperCase() : undefined;
  return (e: EnterpriseStatus) => (codePrefix !== undefined && e.creditCode.startsWith(codePrefix)) || e.name.toLowerCase().includes(fragment);
};

/** Ledger order: district, then name in natural order (第2号 before 第10号), then credit code, which is unique. */
const LEDGER_ORDER = orderBy<EnterpriseStatus>({ of: (e) => e.district }, { of: (e) => e.name, natural: true }, { of: (e) => e.creditCode });

/** The enterprise ledger (七个清): every registered enterprise of the caller's districts, searched and filtered, a page at a time. */
@ApiTags('read models')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Min-Position', required: false, description: 'wait (up to 5 s) until the read models include this position' })
@ApiHeader(SETTLED_READ_HEADER)
@UseInterceptors(MinPositionInterceptor)
@Controller('api/enterprises')
export class LedgerController {
  constructor(@Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore) {}

  @Get()
  @Roles('admin', 'officer', 'auditor')
  @ApiOperation({
    summary: 'The enterprise ledger (七个清): search, filter and page the enterprises of your districts',
    description:
      'Each line carries the seven facts of the ledger: who (name, credit code, kind, ownership), where (district, park, building, industry chain), how many (employees, full and probationary members), its organisation or why it has none, how it is covered, its development needs and when it was registered. `q` matches a fragment of the name (Chinese text as typed) or the start of the credit code. An officer or auditor sees only the districts of the token; without `district` that is all of them. Ordered by district, name (natural order) and credit code; `total` counts every match, `nextCursor` gives the next page. `format=xlsx|csv|html` gives every match (not one page) as a file with Chinese headers.',
  })
  @ApiQuery({ name: 'district', required: false, description: '6-digit division code; default: every district you may see' })
  @ApiQuery({ name: 'q', required: false, description: 'a fragment of the name, or the first characters of the credit code' })
  @ApiQuery({ name: 'coverage', required: false, enum: COVERAGE_KINDS })
  @ApiQuery({ name: 'industryChain', required: false })
  @ApiQuery({ name: 'park', required: false })
  @ApiQuery({ name: 'building', required: false })
  @ApiQuery({ name: 'ownership', required: false, enum: OWNERSHIPS })
  @ApiQuery({ name: 'status', required: false, enum: OPERATING_STATUSES, description: 'operating status' })
  @ApiPaginated()
  @ApiTableExport()
  async ledger(
    @CurrentPrincipal() principal: Principal,
    @Query('district') districtParam?: string,
    @Query('q') qParam?: string,
    @Query('coverage') coverageParam?: string,
    @Query('industryChain') industryChainParam?: string,
    @Query('park') parkParam?: string,
    @Query('building') buildingParam?: string,
    @Query('ownership') ownershipParam?: string,
    @Query('status') statusParam?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
    @ExportFormatQuery() format: ExportFormat = 'json',
  ) {
    const district = parseDistrictParam(districtParam);
    const q = parseText('q', qParam);
    const filter: FieldFilter = {};
    const coverage = parseOneOf('coverage', coverageParam, COVERAGE_KINDS);
    if (coverage) filter.coverage = coverage;
    const ownership = parseOneOf('ownership', ownershipParam, OWNERSHIPS);
    if (ownership) filter.ownership = ownership;
    const status = parseOneOf('status', statusParam, OPERATING_STATUSES);
    if (status) filter.operatingStatus = status;
    for (const [field, value] of [['industryChain', industryChainParam], ['park', parkParam], ['building', buildingParam]] as const) {
      const text = parseText(field, value);
      if (text !== undefined) filter[field] = text;
    }
    const page = pageRequest(limit, cursor, LEDGER_ORDER.arity);
    if (district) assertDistrict(principal, district);
    // each district is one indexed equality query; an admin without a district reads across all of them
    const districts = district ? [district] : principal.role === 'admin' ? [undefined] : (principal.districts ?? []);
    const found = await Promise.all(districts.map((d) => this.readModels.find<EnterpriseStatus>(ENTERPRISE_STATUS, d === undefined ? filter : { district: d, ...filter })));
    let enterprises = found.flat().map((d) => d.body);
    if (q !== undefined) enterprises = enterprises.filter(matchesSearch(q));
    if (format !== 'json') return exportList(LEDGER_EXPORT, sortedBy(enterprises, LEDGER_ORDER), exportDistricts(principal, district, enterprises.map((e) => e.district)), format);
    const answer = paginate(enterprises, LEDGER_ORDER, page);
    return { ...answer, items: answer.items.map(enterpriseView) };
  }
}
