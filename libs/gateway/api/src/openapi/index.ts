export { applyValidatorSchemas, bodyClassesByOperation } from './request-bodies';
export { type JsonSchema, SchemaRegistry } from './schema-from-validators';
export { applyResponseSchemas, RESPONSE_OF } from './responses';
export { RESPONSE_SCHEMAS, type ResponseSchemaName } from './response-schemas';
export { schemaViolations } from './schema-violations';
