import type { INestApplication } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { RESPONSE_SCHEMAS, type ResponseSchemaName } from './response-schemas';
import type { JsonSchema } from './schema-from-validators';

/**
 * What each route answers on success, by operation id (`Controller_method`). Kept beside the schemas rather than on
 * the handlers so the controllers stay about behaviour; openapi.spec fails on any route missing here.
 */
export const RESPONSE_OF: Record<string, ResponseSchemaName | { contentType: string; schema: JsonSchema } | 'no content'> = {
  EnterpriseCommandsController_register: 'EnterpriseRegistered',
  EnterpriseCommandsController_changeMemberCount: 'CommandAccepted',
  EnterpriseCommandsController_changeEmployeeCount: 'CommandAccepted',
  EnterpriseCommandsController_changeOperatingStatus: 'CommandAccepted',
  EnterpriseCommandsController_correctLedger: 'CommandAccepted',
  LedgerController_ledger: 'EnterprisePage',
  QueriesController_enterprise: 'Enterprise',
  QueriesController_orgs: 'OrgPage',
  QueriesController_org: 'OrgDetail',
  QueriesController_orgTree: 'OrgTreeNode',
  QueriesController_coverage: 'Coverage',
  QueriesController_worklist: 'Worklist',
  QueriesController_coverageByDistrict: 'CoverageByDistrict',
  QueriesController_coverageOf: 'Coverage',
  QueriesController_auditEnterprise: 'AuditPage',
  QueriesController_auditRequest: 'AuditPage',
  QueriesController_auditOrg: 'AuditPage',
  AdminController_rebuild: 'JobStarted',
  AdminController_listJobs: 'JobPage',
  AdminController_job: 'Job',
  AdminController_issueToken: 'TokenIssued',
  AdminController_adminActions: 'AdminActionPage',
  DeadLettersController_list: 'DeadLetterPage',
  DeadLettersController_retry: 'DeadLetterRetried',
  DeadLettersController_discard: 'no content',
  LiveUpdatesController_stream: {
    contentType: 'text/event-stream',
    schema: { type: 'string', description: 'server-sent events: each `data:` line is a JSON object with the event type, its stream and global position' },
  },
  OrgCommandsController_form: 'OrgIdAndPosition',
  OrgCommandsController_addEnterprise: 'CommandAccepted',
  OrgCommandsController_removeEnterprise: 'CommandAccepted',
  OrgCommandsController_merge: 'CommandAccepted',
  OrgCommandsController_dissolve: 'CommandAccepted',
  OrgCommandsController_confirmDissolution: 'CommandAccepted',
  OrgCommandsController_secretary: 'CommandAccepted',
  OrgCommandsController_instructor: 'CommandAccepted',
  OrgCommandsController_pair: 'CommandAccepted',
  OrgCommandsController_parent: 'CommandAccepted',
  OrgProposalsController_propose: 'OrgIdAndPosition',
  OrgProposalsController_list: 'OrgProposalPage',
  OrgProposalsController_approve: 'CommandAccepted',
  OrgProposalsController_reject: 'CommandAccepted',
  OrgProposalsController_get: 'OrgProposal',
  WorkCoverageController_assign: 'CommandAccepted',
  WorkCoverageController_review: 'ReviewRecorded',
  WorkCoverageController_reviews: 'InstructorReviews',
  WorkCoverageController_correctReview: 'CommandAccepted',
  WorkCoverageController_caseload: 'Caseload',
  FundingController_allocate: 'CommandAccepted',
  FundingController_budgets: 'BudgetPage',
  FundingController_reduce: 'CommandAccepted',
  FundingController_grant: 'GrantPaid',
  FundingController_clawBack: 'CommandAccepted',
  FundingController_org: 'OrgFunding',
  EvaluationController_publishRubric: 'RubricPublished',
  EvaluationController_complete: 'AssessmentRated',
  EvaluationController_correct: 'AssessmentRated',
  EvaluationController_org: 'OrgEvaluation',
  EvaluationController_district: 'DistrictEvaluations',
  RequestsController_submit: 'RequestSubmitted',
  RequestsController_list: 'ServiceRequestPage',
  RequestsController_summary: 'RequestSummary',
  RequestsController_get: 'ServiceRequest',
  RequestsController_accept: 'CommandAccepted',
  RequestsController_start: 'CommandAccepted',
  RequestsController_resolve: 'CommandAccepted',
  RequestsController_confirm: 'CommandAccepted',
  RequestsController_reopen: 'CommandAccepted',
};

/** the files of `?format=xlsx|csv|html`: the whole list as filtered, with Chinese headers, district names and the as-of time */
const EXPORT_CONTENT: Record<string, { schema: JsonSchema }> = {
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary', description: 'format=xlsx' } },
  'text/csv; charset=utf-8': { schema: { type: 'string', description: 'format=csv: UTF-8 with a byte-order mark' } },
  'text/html; charset=utf-8': { schema: { type: 'string', description: 'format=html: the table alone, for printing on A4' } },
};

type Operation = { operationId?: string; parameters?: { in: string; name: string }[]; responses?: Record<string, { description?: string; content?: Record<string, { schema: JsonSchema }> }> };

/** `Controller_method` → the status the route answers on success: its @HttpCode, else Nest's (201 for POST, 200 otherwise). */
function successStatusByOperation(app: INestApplication): Map<string, number> {
  const statuses = new Map<string, number>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[method];
        if (typeof handler !== 'function') continue;
        const code = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
        if (code !== undefined) statuses.set(`${controller.name}_${method}`, code);
      }
    }
  }
  return statuses;
}

/** Gives every operation named in RESPONSE_OF its success response schema, and publishes the schemas as components. */
export function applyResponseSchemas(app: INestApplication, document: OpenAPIObject): OpenAPIObject {
  const codes = successStatusByOperation(app);
  for (const [, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations as Record<string, Operation>)) {
      const answer = operation?.operationId ? RESPONSE_OF[operation.operationId] : undefined;
      if (!answer || answer === 'no content') continue;
      const status = String(codes.get(operation.operationId as string) ?? (method === 'post' ? 201 : 200));
      const existing = operation.responses?.[status];
      const content: Record<string, { schema: JsonSchema }> =
        typeof answer === 'string' ? { 'application/json': { schema: { $ref: `#/components/schemas/${answer}` } } } : { [answer.contentType]: { schema: answer.schema } };
      // a list that exports (?format=, export/table-response.ts) answers a file in the other formats
      if (operation.parameters?.some((parameter) => parameter.in === 'query' && parameter.name === 'format')) Object.assign(content, EXPORT_CONTENT);
      operation.responses = { ...operation.responses, [status]: { description: existing?.description || (typeof answer === 'string' ? answer : answer.contentType), content } };
    }
    // every refusal has the one error body (http/error-body.ts): the statuses a route names, and any other (default)
    const errorBody = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } };
    for (const operation of Object.values(operations as Record<string, Operation>)) {
      if (!operation) continue;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (/^[45]\d\d$/.test(status) && !response.content) response.content = errorBody;
      }
      operation.responses = { ...operation.responses, default: { description: 'a refusal (4xx: details name each field at fault) or a failure (5xx)', content: errorBody } };
    }
  }
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...(RESPONSE_SCHEMAS as Record<string, object>) } };
  return document;
}
