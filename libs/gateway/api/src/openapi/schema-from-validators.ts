import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { ID_MAX_LENGTH } from '@liangxin/contracts';
import { exampleFor } from './examples';

// class-transformer keeps @Type in its own storage, which it does not export from the package root.
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

/** The subset of an OpenAPI 3.0 schema object this generator writes. */
export interface JsonSchema {
  type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  nullable?: boolean;
  description?: string;
  example?: unknown;
  $ref?: string;
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  /** validators this generator does not know how to express: a test refuses any, so none hides */
  'x-unmapped-validators'?: string[];
}

// class-validator's own names (ValidationMetadata.name) for the decorators in use.
const NUMBER_BOUNDS: Record<string, 'minimum' | 'maximum'> = { min: 'minimum', max: 'maximum' };
const STRING_BOUNDS: Record<string, 'minLength' | 'maxLength'> = { minLength: 'minLength', maxLength: 'maxLength' };
const ARRAY_BOUNDS: Record<string, 'minItems' | 'maxItems'> = { arrayMinSize: 'minItems', arrayMaxSize: 'maxItems' };

/** Validators of this project's own (registerDecorator / ValidateBy), and the schema each stands for. */
const CUSTOM_VALIDATORS: Record<string, JsonSchema> = {
  isReadableText: { type: 'string', description: 'readable text: something visible; no lone surrogates, bidi overrides, zero-width characters, byte-order marks, U+2028/2029 or control characters other than tab and line breaks' },
  isSafeId: { type: 'string', minLength: 1, maxLength: ID_MAX_LENGTH, pattern: `^[A-Za-z0-9][A-Za-z0-9._:-]{0,${ID_MAX_LENGTH - 1}}$` },
  isDivisionCode: { type: 'string', pattern: '^\\d{6}$', description: 'a 6-digit administrative division code below province level, e.g. 430104' },
  isCreditCode: {
    type: 'string',
    minLength: 18,
    maxLength: 18,
    pattern: '^[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}$',
    description: 'GB 32100 unified social credit code; the 18th character is a check character over the first 17',
  },
  isCalendarDate: { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a calendar date that exists, YYYY-MM-DD' },
  isCriterionScores: {
    type: 'object',
    minProperties: 1,
    additionalProperties: { type: 'number', minimum: 0, maximum: 100 },
    description: 'criterion id (lower-case letters, digits, dashes) → score between 0 and 100',
  },
};

/** validators that only say "present" or gate others: expressed through `required`/`nullable`, not a keyword */
const PRESENCE = new Set(['isDefined', 'isOptional', 'isNotEmpty', 'validateIf']);

type Constructor = abstract new (...args: never[]) => unknown;

const metadataOf = (target: Constructor): ValidationMetadata[] =>
  // Every group, inherited metadata included: the same list the ValidationPipe validates with.
  getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);

const nestedType = (target: Constructor, property: string): Constructor | undefined => {
  for (let current: unknown = target; typeof current === 'function' && current !== Function.prototype; current = Object.getPrototypeOf(current)) {
    const found = defaultMetadataStorage.findTypeMetadata(current as Constructor, property);
    if (found) return found.typeFunction() as Constructor;
  }
  return undefined;
};

const designType = (target: Constructor, property: string): unknown => Reflect.getMetadata?.('design:type', target.prototype as object, property);

/** Names the components get: the class name, as Nest's swagger plugin names a body. */
export class SchemaRegistry {
  readonly schemas: Record<string, JsonSchema> = {};

  /** Registers `target` (and every class nested in it) and answers a reference to it. */
  refTo(target: Constructor): JsonSchema {
    const name = target.name;
    if (!this.schemas[name]) {
      this.schemas[name] = { type: 'object' }; // placeholder first: a class nested in itself ends
      this.schemas[name] = this.objectSchema(target);
    }
    return { $ref: `#/components/schemas/${name}` };
  }

  objectSchema(target: Constructor): JsonSchema {
    const byProperty = getMetadataStorage().groupByPropertyName(metadataOf(target));
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const [property, metadata] of Object.entries(byProperty)) {
      const { schema, optional } = this.propertySchema(target, property, metadata);
      properties[property] = schema;
      if (!optional) required.push(property);
    }
    const schema: JsonSchema = { type: 'object', properties, additionalProperties: false };
    if (required.length) schema.required = required;
    const example = exampleFor(schema, (ref) => this.resolve(ref));
    if (example !== undefined) schema.example = example;
    return schema;
  }

  resolve(ref: string): JsonSchema {
    return this.schemas[ref.replace('#/components/schemas/', '')] ?? {};
  }

  private propertySchema(target: Constructor, property: string, metadata: ValidationMetadata[]): { schema: JsonSchema; optional: boolean } {
    const own: JsonSchema = {};
    const item: JsonSchema = {};
    let optional = false;
    let nullable = false;
    const unmapped: string[] = [];
    for (const rule of metadata) {
      const into = rule.each ? item : own;
      if (rule.type === 'conditionalValidation') {
        // IsOptional skips null and undefined; a ValidateIf of our own says which by what it answers.
        const validateIf = rule.constraints[0] as (object: object, value: unknown) => boolean;
        if (!validateIf({}, undefined)) optional = true;
        if (!validateIf({}, null)) nullable = true;
        continue;
      }
      if (rule.type === 'nestedValidation') {
        const nested = nestedType(target, property);
        if (nested) Object.assign(rule.each ? item : own, this.refTo(nested));
        continue;
      }
      if (rule.type === 'whitelistValidation' || rule.type === 'isDefined') continue;
      this.applyRule(into, rule, unmapped);
    }
    if (metadata.some((rule) => rule.name === 'isNotEmpty') && (own.type ?? 'string') === 'string' && own.minLength === undefined) own.minLength = 1;
    const isArray = own.type === 'array' || metadata.some((rule) => rule.each) || designType(target, property) === Array;
    let schema: JsonSchema = own;
    if (isArray) {
      schema = { ...own, type: 'array', items: { ...inferType(item), ...item } };
    } else if (!own.$ref) {
      schema = { ...inferType(own, designType(target, property)), ...own };
    }
    if (nullable) schema.nullable = true;
    if (unmapped.length) schema['x-unmapped-validators'] = unmapped;
    return { schema, optional };
  }

  private applyRule(into: JsonSchema, rule: ValidationMetadata, unmapped: string[]): void {
    const name = rule.name ?? rule.type;
    const [first] = rule.constraints ?? [];
    if (name === 'isString') into.type = 'string';
    else if (name === 'isInt') into.type = 'integer';
    else if (name === 'isNumber') into.type = into.type === 'integer' ? 'integer' : 'number';
    else if (name === 'isBoolean') into.type = 'boolean';
    else if (name === 'isArray') into.type = 'array';
    else if (name === 'isObject') into.type = 'object';
    else if (name === 'isIn') into.enum = [...(first as unknown[])];
    else if (name === 'matches') into.pattern = first instanceof RegExp ? first.source : String(first);
    else if (name === 'isIso8601') Object.assign(into, { type: 'string', format: 'iso-8601', description: 'an ISO 8601 date or date-time, e.g. 2025-06-30' });
    else if (name in NUMBER_BOUNDS) into[NUMBER_BOUNDS[name]] = first as number;
    else if (name in STRING_BOUNDS) into[STRING_BOUNDS[name]] = first as number;
    else if (name in ARRAY_BOUNDS) into[ARRAY_BOUNDS[name]] = first as number;
    else if (name in CUSTOM_VALIDATORS) Object.assign(into, CUSTOM_VALIDATORS[name]);
    else if (!PRESENCE.has(name)) unmapped.push(name);
  }
}

/** A type for a property whose validators name none (an enum, a pattern): from the values, else TypeScript's design type. */
function inferType(schema: JsonSchema, design?: unknown): JsonSchema {
  if (schema.type || schema.$ref) return {};
  if (schema.enum?.length) return { type: schema.enum.every((value) => typeof value === 'number') ? 'number' : 'string' };
  if (schema.pattern !== undefined || schema.format !== undefined || schema.minLength !== undefined || schema.maxLength !== undefined) return { type: 'string' };
  if (schema.minimum !== undefined || schema.maximum !== undefined) return { type: 'number' };
  if (design === String) return { type: 'string' };
  if (design === Number) return { type: 'number' };
  if (design === Boolean) return { type: 'boolean' };
  return {};
}
