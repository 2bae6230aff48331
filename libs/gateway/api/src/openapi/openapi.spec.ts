import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { GATEWAY_CONTROLLERS } from '../gateway-api.module';
import { strictValidationPipe } from '../http/validation';
import { applyValidatorSchemas, bodyClassesByOperation } from './request-bodies';
import { applyResponseSchemas, RESPONSE_OF } from './responses';
import { schemaViolations } from './schema-violations';
import type { JsonSchema } from './schema-from-validators';

const CONTROLLERS = GATEWAY_CONTROLLERS;

type Operation = { operationId: string; requestBody?: { content: Record<string, { schema: JsonSchema }> } };

describe('OpenAPI request bodies generated from the class-validator metadata', () => {
  let app: INestApplication;
  let document: OpenAPIObject;
  const schemas = () => (document.components?.schemas ?? {}) as Record<string, JsonSchema>;
  const resolve = (schema: JsonSchema): JsonSchema => (schema.$ref ? schemas()[schema.$ref.replace('#/components/schemas/', '')] : schema);
  /** the properties of a component schema */
  const fieldsOf = (name: string): Record<string, JsonSchema> => schemas()[name]?.properties ?? {};
  const bodies = (): [string, JsonSchema][] =>
    Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations as Record<string, Operation>)
        .filter(([, operation]) => operation.requestBody?.content['application/json'])
        .map(([method, operation]): [string, JsonSchema] => [`${method.toUpperCase()} ${path}`, resolve(operation.requestBody?.content['application/json']?.schema ?? {})]),
    );

  beforeAll(async () => {
    // The controllers only: their providers are never called while the document is built.
    const moduleRef = await Test.createTestingModule({ controllers: CONTROLLERS })
      .useMocker(() => ({}))
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    document = applyResponseSchemas(app, applyValidatorSchemas(app, SwaggerModule.createDocument(app, new DocumentBuilder().build())));
  });
  afterAll(async () => {
    await app.close();
  });

  it('gives every request body a schema with its fields (none is the empty {type: object, properties: {}})', () => {
    const all = bodies();
    expect(all.length).toBeGreaterThanOrEqual(29);
    const empty = all.filter(([, schema]) => !schema.properties || Object.keys(schema.properties).length === 0).map(([route]) => route);
    expect(empty).toEqual([]);
  });

  it('expresses every validator in use (none left unmapped)', () => {
    const unmapped = Object.entries(schemas()).flatMap(([name, schema]) =>
      Object.entries(schema.properties ?? {})
        .filter(([, property]) => property['x-unmapped-validators'] || property.items?.['x-unmapped-validators'])
        .map(([field, property]) => `${name}.${field}: ${property['x-unmapped-validators'] ?? property.items?.['x-unmapped-validators']}`),
    );
    expect(unmapped).toEqual([]);
  });

  it('gives every body an example the ValidationPipe accepts', async () => {
    const classes = bodyClassesByOperation(app);
    expect(classes.size).toBeGreaterThanOrEqual(29);
    const pipe = strictValidationPipe();
    const refused: string[] = [];
    for (const [operationId, body] of classes) {
      const example = schemas()[body.name].example;
      try {
        await pipe.transform(example, { type: 'body', metatype: body as never });
      } catch (error) {
        refused.push(`${operationId} ${JSON.stringify(example)}: ${(error as Error).message} ${JSON.stringify((error as { response?: unknown }).response)}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('RegisterEnterpriseDto, field by field', () => {
    const schema = schemas().RegisterEnterpriseDto;
    expect(new Set(schema.required)).toEqual(new Set(['creditCode', 'name', 'kind', 'employees', 'fullMembers', 'probationaryMembers']));
    expect(schema.additionalProperties).toBe(false);
    expect(fieldsOf('RegisterEnterpriseDto').creditCode).toMatchObject({ type: 'string', minLength: 18, maxLength: 18, pattern: expect.any(String) });
    expect(fieldsOf('RegisterEnterpriseDto').name).toMatchObject({ type: 'string', minLength: 1, maxLength: 200 });
    expect(fieldsOf('RegisterEnterpriseDto').kind).toMatchObject({ type: 'string', enum: expect.arrayContaining(['enterprise']) });
    for (const count of ['employees', 'fullMembers', 'probationaryMembers']) expect(fieldsOf('RegisterEnterpriseDto')[count]).toMatchObject({ type: 'integer', minimum: 0 });
    expect(fieldsOf('RegisterEnterpriseDto').industryChain).toMatchObject({ type: 'string', maxLength: 100 });
    expect(fieldsOf('RegisterEnterpriseDto').registeredOn).toMatchObject({ type: 'string', format: 'iso-8601' });
  });

  it('GrantSubsidyDto and PublishRubricDto, field by field (bounds, arrays, nested classes)', () => {
    const grant = schemas().GrantSubsidyDto;
    expect(new Set(grant.required)).toEqual(new Set(['district', 'year', 'orgId', 'item', 'justifiedBy']));
    expect(fieldsOf('GrantSubsidyDto').district).toMatchObject({ type: 'string', pattern: '^\\d{6}$' });
    expect(fieldsOf('GrantSubsidyDto').year).toMatchObject({ type: 'integer', minimum: 2000, maximum: 2100 });
    expect(fieldsOf('GrantSubsidyDto').amountFen).toMatchObject({ type: 'integer', minimum: 1, maximum: 1_000_000_000_000 });
    expect(fieldsOf('GrantSubsidyDto').justifiedBy).toMatchObject({ type: 'array', minItems: 1, maxItems: 20, items: { type: 'string' } });
    expect(fieldsOf('PublishRubricDto').criteria).toMatchObject({ type: 'array', minItems: 1, maxItems: 50, items: { $ref: '#/components/schemas/RubricCriterionDto' } });
    expect(fieldsOf('RubricCriterionDto').weight).toMatchObject({ type: 'number', minimum: 0.01, maximum: 1000 });
    expect(fieldsOf('PublishRubricDto').starThresholds).toMatchObject({ type: 'array', minItems: 5, maxItems: 5, items: { type: 'number', minimum: 0, maximum: 100 } });
  });

  it('ChangeOrgParentDto and AcceptRequestDto: null allowed where the validator allows it, nested objects by reference', () => {
    const parent = schemas().ChangeOrgParentDto;
    expect(parent.required).toEqual(expect.arrayContaining(['parentOrgId', 'reason']));
    expect(fieldsOf('ChangeOrgParentDto').parentOrgId).toMatchObject({ type: 'string', nullable: true, maxLength: 64 });
    const accept = schemas().AcceptRequestDto;
    expect(accept.required).toEqual(expect.arrayContaining(['owner', 'dueDate']));
    expect(fieldsOf('AcceptRequestDto').owner).toMatchObject({ $ref: '#/components/schemas/RequestOwnerDto' });
    expect(fieldsOf('AcceptRequestDto').dueDate).toMatchObject({ type: 'string', format: 'date' });
    expect(fieldsOf('RequestOwnerDto').kind.enum).toEqual(expect.arrayContaining(['instructor']));
  });

  describe('responses', () => {
    type Answered = { operationId: string; responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }> };
    const operations = (): [string, Answered][] =>
      Object.entries(document.paths).flatMap(([path, byMethod]) => Object.entries(byMethod as Record<string, Answered>).map(([method, operation]): [string, Answered] => [`${method.toUpperCase()} ${path}`, operation]));

    it('gives every route a success response with a schema a front end can code against (a 204 has no body)', () => {
      const missing = operations()
        .filter(([, operation]) => {
          const success = Object.entries(operation.responses).filter(([status]) => /^2\d\d$/.test(status));
          if (success.some(([status]) => status === '204')) return false;
          return !success.some(([, response]) => Object.values(response.content ?? {}).some((media) => media.schema && (media.schema.$ref || media.schema.type)));
        })
        .map(([route]) => route);
      expect(operations().length).toBeGreaterThanOrEqual(60);
      expect(missing).toEqual([]);
    });

    it('names only routes that exist, and every schema reference resolves', () => {
      const ids = new Set(operations().map(([, operation]) => operation.operationId));
      expect(Object.keys(RESPONSE_OF).filter((id) => !ids.has(id))).toEqual([]);
      const refs = JSON.stringify(document).match(/#\/components\/schemas\/[A-Za-z0-9]+/g) ?? [];
      expect([...new Set(refs)].filter((ref) => !schemas()[ref.replace('#/components/schemas/', '')])).toEqual([]);
    });

    it('documents the success status the route answers with (201 for a POST that creates, the @HttpCode otherwise)', () => {
      const statusOf = (path: string, method: string) => Object.keys((document.paths[path] as Record<string, Answered>)[method].responses).filter((s) => /^2/.test(s) && (document.paths[path] as Record<string, Answered>)[method].responses[s].content);
      expect(statusOf('/api/enterprises', 'post')).toEqual(['201']);
      expect(statusOf('/api/enterprises', 'get')).toEqual(['200']);
      expect(statusOf('/api/org-proposals/{id}/approve', 'post')).toEqual(['200']);
      expect(statusOf('/api/admin/projections/rebuild', 'post')).toEqual(['202']);
    });

    it('the list routes answer the shared page shape', () => {
      const page = (name: string) => schemas()[name];
      for (const name of ['EnterprisePage', 'OrgPage', 'ServiceRequestPage', 'OrgProposalPage', 'BudgetPage', 'AuditPage', 'Worklist', 'JobPage', 'AdminActionPage', 'DeadLetterPage', 'Caseload', 'CoverageByDistrict']) {
        expect({ name, required: page(name).required }).toEqual({ name, required: expect.arrayContaining(['items', 'total', 'limit', 'nextCursor']) });
      }
    });

    it('a schema check finds what does not conform (the check the e2e conformance test relies on)', () => {
      const enterprise = { $ref: '#/components/schemas/Enterprise' };
      expect(schemaViolations({ creditCode: 'x' }, enterprise, schemas())).toEqual(expect.arrayContaining(['$.name: required but missing', '$.creditCode: shorter than 18']));
      expect(schemaViolations({ items: [], total: '3', limit: 1, nextCursor: null, extra: 1 }, { $ref: '#/components/schemas/BudgetPage' }, schemas())).toEqual([
        '$.total: string where an integer is expected',
        '$.extra: not in the schema',
      ]);
      expect(schemaViolations({ items: [], total: 0, limit: 1, nextCursor: null }, { $ref: '#/components/schemas/BudgetPage' }, schemas())).toEqual([]);
    });
  });

  it('describes the register upload as multipart with its file, and the job and report answers', () => {
    const upload = (document.paths['/api/imports'] as Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> }; responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }> }>).post;
    expect(upload.requestBody?.content['multipart/form-data'].schema).toMatchObject({ required: ['file'], properties: { file: { type: 'string', format: 'binary' } } });
    expect(upload.responses['202'].content?.['application/json'].schema).toMatchObject({ properties: { status: { enum: ['running', 'succeeded', 'failed'] } } });
    const report = (document.paths['/api/imports/{id}/report'] as Record<string, { parameters: { name: string }[] }>).get;
    expect(report.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['id', 'format']));
  });
});
