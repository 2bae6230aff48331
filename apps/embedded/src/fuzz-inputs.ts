import fc from 'fast-check';
import type { JsonSchema as Schema } from '@liangxin/gateway-api';

/**
 * Inputs for the fuzz suite, generated from the OpenAPI document the gateway serves: every operation, its path and
 * query parameters, and its request body schema (itself generated from the DTOs' validators). Each input is one
 * HTTP request plus what the suite may expect of the answer.
 */

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  /** `POST /api/orgs/{id}/dissolve` */
  route: string;
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}

/** What was done to the request; the report and the allow-list of known findings name inputs by it. */
export type InputClass =
  | 'valid'
  | 'wrong-type'
  | 'number-edge'
  | 'missing-required'
  | 'extra-key'
  | 'proto-key'
  | 'oversized-string'
  | 'oversized-id'
  | 'special-characters'
  | 'deep-nesting'
  | 'malformed-json'
  | 'not-an-object'
  | 'wrong-content-type'
  | 'body-where-none';

/** Classes whose every input breaks the schema: the gateway must refuse each with a 4xx. */
export const MUST_REFUSE: ReadonlySet<InputClass> = new Set([
  'wrong-type',
  'number-edge',
  'missing-required',
  'extra-key',
  'proto-key',
  'oversized-string',
  'deep-nesting',
  'malformed-json',
  'not-an-object',
]);

/** Classes whose refusal must name the broken field; a body that is not an object may be refused for any of its fields. */
export const MUST_NAME_FIELD: ReadonlySet<InputClass> = new Set(['wrong-type', 'number-edge', 'missing-required', 'extra-key', 'proto-key', 'oversized-string', 'deep-nesting']);

export interface FuzzInput {
  operation: Operation;
  inputClass: InputClass;
  caller: string;
  path: string;
  /** the raw body text (JSON or not) and its content type; none when the request has no body */
  body?: { text: string; contentType: string };
  /** the body as a value, when it is JSON the suite built (compared with what was stored) */
  sent?: unknown;
  /** the field the input broke: a 400 must name it (or a field beneath it) */
  field?: string;
}

/** Values that exist in the system under test (set up by the suite), by parameter or field name. */
export type Pools = Record<string, readonly unknown[]>;

export function operationsOf(document: OpenApiDocument, skip: (route: string) => boolean): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const route = `${method.toUpperCase()} ${path}`;
      if (skip(route)) continue;
      const schema = operation.requestBody?.content['application/json']?.schema;
      operations.push({ route, method: method.toUpperCase(), path, parameters: (operation.parameters ?? []).filter((p) => p.in !== 'header'), body: schema && resolve(document, schema) });
    }
  }
  return operations;
}

/** The schema with every $ref replaced by what it names (the DTOs nest without cycles). */
export function resolve(document: OpenApiDocument, schema: Schema): Schema {
  if (schema.$ref) return resolve(document, document.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')] ?? {});
  const resolved: Schema = { ...schema };
  if (schema.items) resolved.items = resolve(document, schema.items);
  if (schema.properties) resolved.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, property]) => [name, resolve(document, property)]));
  return resolved;
}

// ---------------------------------------------------------------- hostile values

const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\ufeff', '\u2060'];
const BIDI = ['\u202e', '\u202d', '\u2066', '\u2067', '\u2069', '\u200f'];
const CONTROL = ['\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\r', '\n', '\t'];
const LONE_SURROGATES = ['\ud800', '\udfff', '\udbff'];

/** Text with characters that look like nothing, reorder what follows, or are not text at all. */
const specialText = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .array(fc.oneof(fc.constantFrom(...ZERO_WIDTH, ...BIDI, ...CONTROL, ...LONE_SURROGATES), fc.constantFrom('党', '支', '部', 'a', '1', ' ')), { minLength: 1, maxLength: Math.max(1, Math.min(maxLength, 12)) })
    .map((parts) => parts.join('').slice(0, Math.max(1, maxLength)));

const WRONG_TYPES: Record<string, fc.Arbitrary<unknown>> = {
  string: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}), fc.constant(['a'])),
  integer: fc.oneof(fc.string({ maxLength: 5 }), fc.constant(null), fc.constant([1]), fc.constant({ value: 1 })),
  number: fc.oneof(fc.string({ maxLength: 5 }), fc.constant(null), fc.constant([1]), fc.constant({ value: 1 })),
  boolean: fc.oneof(fc.constantFrom('true', 'false', 1, 0, null, [], {})),
  array: fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant({}), fc.constant(null)),
  object: fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant([]), fc.constant(true)),
};

/** What issue 13 (item 9) found coerced into numbers. */
const NUMBER_EDGES: unknown[] = [true, false, '', '   ', '0x3', ' 3 ', '3', 1e300, -1e300, 2 ** 53 + 1, -(2 ** 53) - 1, 1.5, -0.5];

const SOME_TEXT = fc.string({ minLength: 1, maxLength: 20 });

// ---------------------------------------------------------------- values that fit the schema

/** A value the schema allows, taken from the pools where the field names something that must exist. */
export function valueOf(schema: Schema, pools: Pools, field?: string): fc.Arbitrary<unknown> {
  if (field !== undefined && pools[field]) return fc.constantFrom(...pools[field]);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'object':
      return schema.properties ? objectOf(schema, pools) : fc.constant({ 'organisation-life': 80 });
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 3, 3));
      return fc.array(valueOf(schema.items ?? {}, pools, field && pools[`${field}[]`] ? `${field}[]` : undefined), { minLength, maxLength });
    }
    case 'integer':
      return fc.integer({ min: Math.ceil(schema.minimum ?? 0), max: Math.floor(Math.min(schema.maximum ?? 1_000_000, 1_000_000_000)) });
    case 'number':
      return fc.double({ min: schema.minimum ?? 0, max: schema.maximum ?? 1_000_000, noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
    case 'boolean':
      return fc.boolean();
    case 'string': {
      if (schema.format === 'date' || schema.format === 'iso-8601') return fc.constantFrom('2024-06-30', '2025-01-15', '2025-12-31');
      if (schema.pattern !== undefined) return fc.constantFrom(...(pools[`pattern:${schema.pattern}`] ?? ['430104']));
      const minLength = Math.max(1, schema.minLength ?? 1);
      return fc.string({ unit: 'grapheme', minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 30, 30)) }).filter((s) => s.trim().length > 0);
    }
    default:
      return SOME_TEXT;
  }
}

function objectOf(schema: Schema, pools: Pools): fc.Arbitrary<Record<string, unknown>> {
  const required = new Set(schema.required ?? []);
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) fields[name] = valueOf(property, pools, name);
  return fc.record(fields, { requiredKeys: [...required] as never[] }) as fc.Arbitrary<Record<string, unknown>>;
}

// ---------------------------------------------------------------- one request

/** A lone surrogate has no UTF-8 form: send the bytes a careless client would (an encoded surrogate, invalid UTF-8). */
const encodeSegment = (value: string) => value.split(/([\ud800-\udfff])/).map((part) => (/^[\ud800-\udfff]$/.test(part) ? '%ED%A0%80' : encodeURIComponent(part))).join('');

const fill = (path: string, values: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_all, name: string) => encodeSegment(values[name]));

const paramValue = (parameter: Parameter, pools: Pools, junk: boolean): fc.Arbitrary<string> => {
  const known = pools[parameter.name] ? fc.constantFrom(...pools[parameter.name].map(String)) : parameter.schema?.enum ? fc.constantFrom(...parameter.schema.enum.map(String)) : fc.constant('x');
  if (!junk) return known;
  const hostile = fc.oneof(SOME_TEXT.filter((s) => s.trim() !== '' && s !== '.' && s !== '..'), specialText(10), fc.constantFrom('-1', '0', '1e300', '9007199254740993', 'null', '%00'));
  return fc.oneof({ weight: 4, arbitrary: known }, { weight: 1, arbitrary: hostile });
};

const json = (value: unknown) => ({ text: JSON.stringify(value), contentType: 'application/json' });

/** Fields of `schema` by kind, for choosing which one to break. */
const fieldsOf = (schema: Schema, kind?: (s: Schema) => boolean) => Object.entries(schema.properties ?? {}).filter(([, s]) => !kind || kind(s));
const isNumber = (s: Schema) => s.type === 'integer' || s.type === 'number';
const isText = (s: Schema) => s.type === 'string' && !s.enum && s.pattern === undefined && !s.format;

/** Every input for one operation, as the caller `caller`. */
export function inputsFor(operation: Operation, callers: readonly string[], pools: Pools): fc.Arbitrary<FuzzInput> {
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  // Parameters are broken only where the body is not: a refusal must be for what the input broke.
  const targetOf = (junk: boolean) =>
    fc.record({
      caller: fc.constantFrom(...callers),
      params: fc.record(Object.fromEntries(pathParams.map((p) => [p.name, paramValue(p, pools, junk)]))) as fc.Arbitrary<Record<string, string>>,
      query: fc.record(Object.fromEntries(queryParams.map((p) => [p.name, paramValue(p, pools, junk)])), { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>,
    });
  const target = targetOf(false);
  const at = (t: { params: Record<string, string>; query: Record<string, string> }) => {
    const query = Object.entries(t.query).map(([name, value]) => `${name}=${encodeSegment(value)}`).join('&');
    return fill(operation.path, t.params) + (query ? `?${query}` : '');
  };
  const base = (inputClass: InputClass) => targetOf(inputClass === 'valid').map((t) => ({ operation, inputClass, caller: t.caller, path: at(t) }));

  const oversizedId = pathParams.length
    ? [target.chain((t) => fc.constantFrom(...pathParams).map((p) => ({ operation, inputClass: 'oversized-id' as const, caller: t.caller, path: fill(operation.path, { ...t.params, [p.name]: 'x'.repeat(5_000) }) })))]
    : [];

  const schema = operation.body;
  if (!schema) {
    return fc.oneof(
      { weight: 3, arbitrary: base('valid') },
      { weight: 1, arbitrary: fc.tuple(base('body-where-none'), fc.constantFrom<unknown>({ a: 1 }, [], 'x', { __proto__: 1 })).map(([input, body]) => ({ ...input, body: json(body) })) },
      ...oversizedId.map((arbitrary) => ({ weight: 1, arbitrary })),
    );
  }

  const valid = objectOf(schema, pools);
  type Body = { sent?: unknown; text: string; contentType?: string; field?: string };
  const withBody = (inputClass: InputClass, body: fc.Arbitrary<Body>) =>
    fc.tuple(base(inputClass), body).map(([input, b]): FuzzInput => ({ ...input, sent: b.sent, field: b.field, body: { text: b.text, contentType: b.contentType ?? 'application/json' } }));
  const breakField = (kind: ((s: Schema) => boolean) | undefined, value: (field: string, s: Schema) => fc.Arbitrary<unknown>): fc.Arbitrary<Body> | undefined => {
    const fields = fieldsOf(schema, kind);
    if (!fields.length) return undefined;
    return fc.tuple(valid, fc.constantFrom(...fields)).chain(([body, [field, s]]) => value(field, s).map((broken) => ({ sent: { ...body, [field]: broken }, text: JSON.stringify({ ...body, [field]: broken }), field })));
  };

  const classes: { weight: number; arbitrary: fc.Arbitrary<FuzzInput> }[] = [];
  const add = (weight: number, inputClass: InputClass, body: fc.Arbitrary<Body> | undefined) => {
    if (body) classes.push({ weight, arbitrary: withBody(inputClass, body) });
  };
  add(6, 'valid', valid.map((body) => ({ sent: body, text: JSON.stringify(body) })));
  add(3, 'wrong-type', breakField((s) => !!s.type && !!WRONG_TYPES[s.type], (_field, s) => WRONG_TYPES[s.type as string].filter((v) => !(v === null && s.nullable))));
  add(3, 'number-edge', breakField(isNumber, () => fc.constantFrom(...NUMBER_EDGES)));
  const required = schema.required ?? [];
  if (required.length) {
    add(2, 'missing-required', fc.tuple(valid, fc.constantFrom(...required)).map(([body, field]) => {
      const { [field]: _dropped, ...rest } = body;
      return { sent: rest, text: JSON.stringify(rest), field };
    }));
  }
  add(2, 'extra-key', fc.tuple(valid, fc.constantFrom('districtOverride', 'isAdmin', 'extra', 'Name', 'position')).map(([body, key]) => ({ sent: { ...body, [key]: 'x' }, text: JSON.stringify({ ...body, [key]: 'x' }), field: key })));
  // JSON.stringify cannot write an own `__proto__` key: splice it into the text, as an attacker would send it.
  add(2, 'proto-key', fc.tuple(valid, fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.constantFrom<unknown>({ isAdmin: true }, { district: '430105' }, 'x')).map(([body, key, value]) => ({
    text: `{${JSON.stringify(key)}:${JSON.stringify(value)},${JSON.stringify(body).slice(1)}`.replace(/,}$/, '}'),
    field: key,
  })));
  add(2, 'oversized-string', breakField((s) => s.type === 'string', (_field, s) => fc.constant('x'.repeat((s.maxLength ?? 100_000 - 1) + 1))));
  add(3, 'special-characters', breakField(isText, (_field, s) => specialText(s.maxLength ?? 50)));
  add(1, 'deep-nesting', fc.tuple(valid, fc.constantFrom(...fieldsOf(schema).map(([f]) => f)), fc.constantFrom(1_000, 20_000), fc.constantFrom('[', '{"a":')).map(([body, field, depth, open]) => {
    const close = open === '[' ? ']' : '}';
    const nested = open.repeat(depth) + (open === '[' ? '' : '1') + close.repeat(depth);
    const { [field]: _replaced, ...rest } = body;
    return { text: `{${JSON.stringify(field)}:${nested},${JSON.stringify(rest).slice(1)}`.replace(/,}$/, '}'), field };
  }));
  add(1, 'malformed-json', valid.chain((body) => fc.constantFrom(
    JSON.stringify(body).slice(0, -1),
    `${JSON.stringify(body).slice(0, -1)},}`,
    JSON.stringify(body).replace(/"/g, "'"),
    '{"a":1}{"b":2}',
  ).map((text) => ({ text, field: 'body' }))));
  add(1, 'not-an-object', fc.constantFrom<unknown>([], [{}], 'x', 42, null, true).map((value) => ({ text: JSON.stringify(value), field: 'body' })));
  add(1, 'wrong-content-type', valid.chain((body) => fc.constantFrom(
    { sent: undefined, text: JSON.stringify(body), contentType: 'text/plain' },
    { sent: undefined, text: new URLSearchParams(Object.entries(body).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])).toString(), contentType: 'application/x-www-form-urlencoded' },
    { sent: undefined, text: JSON.stringify(body), contentType: 'application/xml' },
  )));
  for (const arbitrary of oversizedId) classes.push({ weight: 1, arbitrary });
  return fc.oneof(...classes);
}
