import { OPERATING_STATUSES, OWNERSHIPS, REQUEST_STATUSES } from '@liangxin/contracts';
import { NOT_COVERED_REASONS } from '@liangxin/read-models';
import type { JsonSchema } from './schema-from-validators';

/**
 * What every route answers, as OpenAPI 3.0 schemas: the one source the document publishes (components.schemas) and
 * the e2e tests check real answers against. The read models are interfaces (nothing at run time to generate from),
 * so their shapes are written here once; `responses.ts` says which route answers which.
 */
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const str = (extra: JsonSchema = {}): JsonSchema => ({ type: 'string', ...extra });
const int = (extra: JsonSchema = {}): JsonSchema => ({ type: 'integer', ...extra });
const num = (extra: JsonSchema = {}): JsonSchema => ({ type: 'number', ...extra });
const bool = (): JsonSchema => ({ type: 'boolean' });
const nullable = (schema: JsonSchema): JsonSchema => (schema.$ref ? { allOf: [schema], nullable: true } : { ...schema, nullable: true });
const arr = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
const enumOf = (values: readonly string[]): JsonSchema => ({ type: 'string', enum: [...values] });
/** an object whose properties are all present, but those named in `optional` */
const obj = (properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((name) => !optional.includes(name)),
});
const counts = (keys: readonly string[]): JsonSchema => obj(Object.fromEntries(keys.map((k) => [k, int({ minimum: 0 })])));
/** the shared page of every list route (read-side/pagination.ts) */
const pageOf = (item: string, extra: Record<string, JsonSchema> = {}, optional: readonly string[] = []): JsonSchema =>
  obj(
    {
      ...extra,
      items: arr(ref(item)),
      total: int({ minimum: 0, description: 'items in the whole list, over every page' }),
      limit: int({ minimum: 1, maximum: 500 }),
      nextCursor: nullable(str({ description: 'pass as cursor for the next page; null on the last page' })),
    },
    optional,
  );

const position = int({ minimum: 0, description: 'global position of the last event the command appended; send it back as X-Min-Position' });
const district = str({ pattern: '^\\d{6}$', example: '430104' });
const instant = str({ format: 'date-time' });
const person = obj({ personId: str(), name: str() });
const orgEnterprise = obj({ creditCode: str(), name: str(), fullMembers: int(), probationaryMembers: int() }, ['name', 'fullMembers', 'probationaryMembers']);
const starCounts = counts(['1', '2', '3', '4', '5', '6']);
const treeTotals = obj({
  organisations: int(),
  enterprises: int(),
  fullMembers: int(),
  probationaryMembers: int(),
  stars: counts(['0', '1', '2', '3', '4', '5', '6', 'unrated']),
  subsidiesReceivedFen: int(),
});
const orgSummary = {
  id: str(),
  name: str(),
  mode: str(),
  level: str(),
  status: enumOf(['active', 'dissolved']),
  district,
  enterprises: arr(str({ description: 'credit codes' })),
  fullMembers: int(),
  probationaryMembers: int(),
};
const coverageFields = {
  scope: enumOf(['district', 'park', 'industry-chain', 'ownership']),
  key: str(),
  asOf: instant,
  enterprises: int(),
  withMembers: int(),
  organisational: int(),
  work: int({ description: 'no organisation, but a named instructor or liaison cadre' }),
  none: int(),
  notCoveredReasons: counts(NOT_COVERED_REASONS),
  organisationalRate: num(),
  overallRate: num(),
  target: num(),
  meetsTarget: bool(),
  uncoveredLarge: arr(str()),
};
const yearRating = obj(
  { year: int(), stars: int(), totalScore: num(), passed: bool(), rubricId: str(), rubricVersion: int(), assessedAt: instant, correctedAt: nullable(instant), correctionReason: nullable(str()) },
  ['correctedAt', 'correctionReason'],
);

export const RESPONSE_SCHEMAS = {
  /** every 4xx and 5xx answer */
  ErrorBody: obj(
    {
      statusCode: int(),
      error: str({ description: 'the HTTP reason, or a stable domain code such as BUDGET_EXCEEDED' }),
      message: str(),
      details: arr(obj({ field: str({ description: 'the request field (body, query or path) at fault' }), reason: str() })),
      requestId: str(),
    },
    ['requestId'],
  ),

  // answers of commands
  CommandAccepted: obj({ position }),
  EnterpriseRegistered: obj({ creditCode: str(), district, position }),
  OrgIdAndPosition: obj({ orgId: str(), position }, ['orgId']),
  GrantPaid: obj({ grantId: str(), position }),
  RequestSubmitted: obj({ requestId: str(), position }, ['requestId']),
  TokenIssued: obj({ token: str(), position }),
  JobStarted: obj({ jobId: str() }),
  ReviewRecorded: obj({ position, enterprisesCovered: int() }),
  RubricPublished: obj({ rubricId: str(), version: int(), position }, ['version']),
  AssessmentRated: obj({ position, totalScore: num(), stars: int(), passed: bool(), rubricVersion: int() }, ['totalScore', 'stars', 'passed', 'rubricVersion']),
  DeadLetterRetried: obj({ status: enumOf(['applied', 'resent', 'failed']), error: str(), attempts: int() }, ['error', 'attempts']),

  // enterprises
  Enterprise: obj(
    {
      creditCode: str({ minLength: 18, maxLength: 18 }),
      name: str(),
      kind: str(),
      district,
      park: nullable(str()),
      industryChain: nullable(str()),
      building: nullable(str()),
      ownership: nullable(enumOf(OWNERSHIPS)),
      employees: int(),
      fullMembers: int(),
      probationaryMembers: int(),
      operatingStatus: enumOf(OPERATING_STATUSES),
      coverage: enumOf(['organisational', 'work', 'none']),
      notCoveredReason: nullable(enumOf(NOT_COVERED_REASONS)),
      coverageReason: nullable(str({ description: 'why it has no organisation' })),
      coverageNote: nullable(str({ description: "the officer's own words for why it has no organisation (未建原因)" })),
      workCoverage: nullable(obj({ coveredBy: enumOf(['instructor', 'liaison']), assignee: nullable(str()) })),
      mustBeOrganisationallyCovered: bool(),
      orgId: nullable(str()),
      orgMode: nullable(str()),
      developmentNeeds: arr(str()),
      registeredOn: nullable(str({ description: 'ISO-8601 date' })),
      asOf: instant,
    },
    ['asOf'],
  ),
  EnterprisePage: pageOf('Enterprise'),

  // organisations
  OrgSummary: obj(orgSummary),
  OrgPage: pageOf('OrgSummary', { asOf: instant }, ['asOf']),
  OrgDetail: obj({
    ...orgSummary,
    committeeSize: int(),
    parentOrgId: nullable(str()),
    publicUnit: bool(),
    members: arr(orgEnterprise),
    secretary: nullable(person),
    instructor: nullable(person),
    pairedWith: arr(obj({ orgId: str(), name: str() })),
    formedAt: instant,
    dissolvedAt: nullable(instant),
    dissolutionReason: nullable(str()),
    mergedInto: nullable(str()),
    stars: nullable(obj({ year: int(), stars: int(), passed: bool() })),
    subsidiesReceivedFen: int(),
  }),
  OrgTreeNode: obj({
    id: str(),
    name: str(),
    level: str(),
    mode: str(),
    status: enumOf(['active', 'dissolved']),
    district,
    own: treeTotals,
    subtree: treeTotals,
    children: arr({ $ref: '#/components/schemas/OrgTreeNode' }),
    truncated: bool(),
    asOf: instant,
  }, ['asOf']),
  OrgProposal: obj({
    orgId: str(),
    district,
    name: str(),
    mode: str(),
    level: nullable(str()),
    enterprises: arr(orgEnterprise),
    parentOrgId: nullable(str()),
    publicUnit: bool(),
    proposedBy: str(),
    proposedAt: instant,
    note: nullable(str()),
    status: enumOf(['pending', 'approved', 'rejected']),
    decidedBy: nullable(str()),
    decidedAt: nullable(instant),
    rejectionReason: nullable(str()),
    daysToDecision: nullable(int()),
  }),
  OrgProposalPage: pageOf('OrgProposal', { district, pending: int({ description: 'pending proposals of the district (all pages)' }) }),

  // coverage
  Coverage: obj({ district, ...coverageFields }, ['district']),
  CoverageByDistrict: pageOf('Coverage', { target: num() }),
  WorklistItem: obj({
    district,
    reason: enumOf(NOT_COVERED_REASONS),
    creditCode: str(),
    name: str(),
    employees: int(),
    fullMembers: int(),
    probationaryMembers: int(),
    park: nullable(str()),
    industryChain: nullable(str()),
    noOrganisationReason: nullable(str()),
    assignee: nullable(str()),
  }),
  Worklist: pageOf('WorklistItem', { district, reason: nullable(enumOf(NOT_COVERED_REASONS)) }),

  // audit
  AuditEntry: obj({
    position: int(),
    eventId: str(),
    streamId: str(),
    type: str(),
    occurredAt: instant,
    recordedAt: instant,
    data: { type: 'object' },
    metadata: { type: 'object' },
    causationChain: arr({ type: 'object' }),
  }),
  AuditPage: pageOf('AuditEntry'),

  // service requests
  ServiceRequest: obj(
    {
      requestId: str(),
      district,
      creditCode: str(),
      category: str(),
      description: str(),
      submittedBy: str(),
      submittedAt: instant,
      status: enumOf(REQUEST_STATUSES),
      owner: nullable({ type: 'object' }),
      dueDate: nullable(str({ format: 'date' })),
      resolution: nullable(str()),
      reopenReason: nullable(str()),
      timesReopened: int(),
      updatedAt: instant,
      history: arr(obj({ status: enumOf(REQUEST_STATUSES), at: instant, actor: str(), note: nullable(str()) }, ['note'])),
      overdue: bool(),
    },
    ['overdue'],
  ),
  ServiceRequestPage: pageOf('ServiceRequest'),
  RequestSummary: obj({ district, asOf: str({ format: 'date' }), submitted: int(), byStatus: counts(REQUEST_STATUSES), open: int(), closed: int(), overdue: int() }),

  // funding
  Budget: obj({
    district,
    year: int(),
    allocatedFen: int(),
    grantedFen: int(),
    clawedBackFen: int(),
    usedFen: int(),
    leftFen: int(),
    activeGrants: int(),
    refusals: int(),
    usedByItem: { type: 'object', additionalProperties: { type: 'integer' } },
  }),
  BudgetPage: pageOf('Budget'),
  OrgFunding: obj({
    orgId: str(),
    district,
    receivedFen: int(),
    grants: arr(
      obj(
        { grantId: str(), district, year: int(), item: str(), amountFen: int(), payee: nullable(str()), justifiedBy: arr(str()), grantedAt: instant, status: enumOf(['paid', 'clawed_back']), clawedBackAt: nullable(instant), clawBackReason: nullable(str()) },
        ['payee', 'clawedBackAt', 'clawBackReason'],
      ),
    ),
    refusals: arr(obj({ district, year: int(), item: str(), requestedFen: int(), reason: str(), refusedAt: instant })),
    secretaryPostEligibleYears: arr(int()),
  }),

  // evaluation
  OrgEvaluation: obj({ orgId: str(), district, years: arr(yearRating), latest: nullable(yearRating) }),
  DistrictEvaluation: obj({ district, year: int(), assessed: int(), passed: int(), passRate: nullable(num()), distribution: starCounts }),
  DistrictEvaluations: { oneOf: [{ $ref: '#/components/schemas/DistrictEvaluation' }, arr({ $ref: '#/components/schemas/DistrictEvaluation' })], description: 'one year when `year` is given, else every year assessed' },
  InstructorReviews: obj({
    personId: str(),
    name: str(),
    reviews: arr(obj({ year: int(), district, rating: str(), enterprisesCovered: int(), note: nullable(str()), reviewedBy: str(), reviewedAt: instant, corrections: arr({ type: 'object' }) })),
  }),
  CaseloadItem: obj(
    { creditCode: str(), name: str(), district, coveredBy: enumOf(['instructor', 'liaison']), coverageReason: nullable(str()), mustBeOrganisationallyCovered: bool() },
    ['coveredBy'],
  ),
  Caseload: pageOf('CaseloadItem', { personId: str(), caseload: int({ description: 'enterprises covered (all pages)' }) }),

  // admin
  Job: obj(
    {
      id: str(),
      kind: str(),
      requestedBy: str(),
      status: enumOf(['running', 'succeeded', 'failed']),
      startedAt: instant,
      finishedAt: instant,
      progress: { type: 'object' },
      result: {},
      error: str(),
    },
    ['finishedAt', 'result', 'error'],
  ),
  JobPage: pageOf('Job'),
  AdminAction: obj({ position: int(), occurredAt: instant, actor: str(), action: str(), details: { type: 'object' } }),
  AdminActionPage: pageOf('AdminAction'),
  DeadLetter: obj({ id: str(), consumer: str(), eventType: str(), eventId: str(), globalPosition: int(), error: str(), attempts: int(), firstParkedAt: instant, lastAttemptAt: instant }),
  DeadLetterPage: pageOf('DeadLetter'),
} satisfies Record<string, JsonSchema>;

export type ResponseSchemaName = keyof typeof RESPONSE_SCHEMAS;
