export { applyValidatorSchemas, bodyClassesByOperation } from './request-bodies';
export { type JsonSchema, SchemaRegistry } from './schema-from-validators';
