import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { AdminController } from '../admin/admin.controller';
import { DeadLettersController } from '../admin/dead-letters.controller';
import { EnterpriseCommandsController } from '../enterprises/enterprise-commands.controller';
import { EVALUATION_CONTROLLERS } from '../evaluation';
import { FUNDING_CONTROLLERS } from '../funding';
import { strictValidationPipe } from '../http/validation';
import { LiveUpdatesController } from '../ops/live-updates.controller';
import { ORG_COMMAND_CONTROLLERS } from '../orgs';
import { QueriesController } from '../read-side/queries.controller';
import { REQUESTS_CONTROLLERS } from '../requests';
import { applyValidatorSchemas, bodyClassesByOperation } from './request-bodies';
import { ImportsController } from '../imports/imports.controller';
import type { JsonSchema } from './schema-from-validators';

const CONTROLLERS = [EnterpriseCommandsController, QueriesController, AdminController, DeadLettersController, LiveUpdatesController, ...ORG_COMMAND_CONTROLLERS, ...FUNDING_CONTROLLERS, ...EVALUATION_CONTROLLERS, ...REQUESTS_CONTROLLERS, ImportsController];

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
    document = applyValidatorSchemas(app, SwaggerModule.createDocument(app, new DocumentBuilder().build()));
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

  it('describes the register upload as multipart with its file, and the job and report answers', () => {
    const upload = (document.paths['/api/imports'] as Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> }; responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }> }>).post;
    expect(upload.requestBody?.content['multipart/form-data'].schema).toMatchObject({ required: ['file'], properties: { file: { type: 'string', format: 'binary' } } });
    expect(upload.responses['202'].content?.['application/json'].schema).toMatchObject({ properties: { status: { enum: ['running', 'succeeded', 'failed'] } } });
    const report = (document.paths['/api/imports/{id}/report'] as Record<string, { parameters: { name: string }[] }>).get;
    expect(report.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['id', 'format']));
  });
});
