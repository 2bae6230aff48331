import type { JsonSchema } from './schema-from-validators';

/**
 * Where `value` does not conform to an OpenAPI 3.0 `schema` (the subset the document uses: $ref, allOf, oneOf,
 * nullable, type, properties, required, items, enum, bounds, pattern). Strict about objects: a property the schema
 * does not describe is a violation too, so a route cannot answer more than its document says.
 */
export function schemaViolations(value: unknown, schema: JsonSchema, components: Record<string, JsonSchema>, path = '$'): string[] {
  if (schema.$ref) {
    const target = components[schema.$ref.replace('#/components/schemas/', '')];
    if (!target) return [`${path}: unresolved ${schema.$ref}`];
    return schemaViolations(value, target, components, path);
  }
  if (value === null) return schema.nullable ? [] : [`${path}: null where ${describe(schema)} is expected`];
  if (schema.allOf) return schema.allOf.flatMap((part) => schemaViolations(value, part, components, path));
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((option) => schemaViolations(value, option, components, path).length === 0);
    return matching.length === 1 ? [] : [`${path}: matches ${matching.length} of the ${schema.oneOf.length} oneOf schemas`];
  }
  const problems: string[] = [];
  switch (schema.type) {
    case undefined:
      break;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: ${typeName(value)} where an object is expected`];
      const record = value as Record<string, unknown>;
      for (const name of schema.required ?? []) if (!(name in record)) problems.push(`${path}.${name}: required but missing`);
      for (const [name, field] of Object.entries(record)) {
        const described = schema.properties?.[name];
        if (described) problems.push(...schemaViolations(field, described, components, `${path}.${name}`));
        else if (typeof schema.additionalProperties === 'object') problems.push(...schemaViolations(field, schema.additionalProperties, components, `${path}.${name}`));
        else if (schema.properties && schema.additionalProperties !== true) problems.push(`${path}.${name}: not in the schema`);
      }
      break;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${path}: ${typeName(value)} where an array is expected`];
      if (schema.items) value.forEach((item, i) => problems.push(...schemaViolations(item, schema.items as JsonSchema, components, `${path}[${i}]`)));
      break;
    case 'string':
      if (typeof value !== 'string') return [`${path}: ${typeName(value)} where a string is expected`];
      if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${path}: shorter than ${schema.minLength}`);
      if (schema.maxLength !== undefined && value.length > schema.maxLength) problems.push(`${path}: longer than ${schema.maxLength}`);
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) problems.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
      break;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value))) return [`${path}: ${typeName(value)} where ${schema.type === 'integer' ? 'an integer' : 'a number'} is expected`];
      if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path}: below ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path}: above ${schema.maximum}`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return [`${path}: ${typeName(value)} where a boolean is expected`];
      break;
  }
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  return problems;
}

const typeName = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'number' && Number.isInteger(value) ? `integer ${value}` : typeof value);
const describe = (schema: JsonSchema) => schema.type ?? 'a value';
