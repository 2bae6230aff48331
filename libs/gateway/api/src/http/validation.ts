import { type ArgumentMetadata, BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

type Detail = { field: string; reason: string };

/** Flattens class-validator's tree into `[{field: 'a.b', reason}]`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): Detail[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    // two constraints may say the same thing (a custom message on IsString and IsNotEmpty): say it once
    const own = [...new Set(Object.values(error.constraints ?? {}))].map((reason) => ({ field, reason }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

const badRequest = (details: Detail[]) => new BadRequestException({ message: details.map((d) => `${d.field}: ${d.reason}`).join('; '), details });

const jsonType = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : typeof value);

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Where the DTO's transformation changed the JSON type of a value the client sent (a `@Type(() => Number)` turning
 * "3" into 3, `true` into 1, "" into 0): every such place, named. A body is validated as sent, never coerced into
 * shape; a transformation within a type (trimming a string) is the DTO's own business.
 */
export function coercedFields(sent: unknown, transformed: unknown, path = ''): Detail[] {
  if (Object.is(sent, transformed)) return [];
  if (jsonType(sent) === jsonType(transformed) && typeof sent !== 'object') return [];
  if (Array.isArray(sent) && Array.isArray(transformed)) {
    return sent.flatMap((item, index) => coercedFields(item, transformed[index], path ? `${path}.${index}` : String(index)));
  }
  if (isPlainObject(sent) && typeof transformed === 'object' && transformed !== null && !Array.isArray(transformed)) {
    return Object.keys(sent).flatMap((key) => coercedFields(sent[key], (transformed as Record<string, unknown>)[key], path ? `${path}.${key}` : key));
  }
  return [{ field: path || 'body', reason: `must be a JSON ${jsonType(transformed)} as sent, not the ${jsonType(sent)} ${JSON.stringify(sent)?.slice(0, 40)}` }];
}

const WHOLE_NUMBER = /^-?(0|[1-9]\d*)$/;

/** A whole number of zero or more written in digits and nothing else (a header or query value): " 3 ", "0x3" and "" are not numbers. */
export const parseNonNegativeWholeNumber = (raw: string): number | undefined => (/^\d{1,16}$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : undefined);

/**
 * The pipe every route's input goes through: unknown fields refused, not silently dropped (a typo in a field
 * name must not pass as "not given"); a body must be a JSON object and is never coerced (numbers are JSON numbers);
 * a path or query value declared a number or boolean is parsed strictly (no " 3 " → 3, no "" → 0).
 */
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => badRequest(flattenValidationErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const validated = metadata.type === 'body' && this.toValidate(metadata);
    if (validated && value !== undefined && !isPlainObject(value)) {
      throw badRequest([{ field: 'body', reason: `must be a JSON object, not ${jsonType(value)}` }]);
    }
    let result: unknown;
    try {
      result = await super.transform(value, metadata);
    } catch (error) {
      // the parser bounds nesting; should a deep body get here anyway, it is still the client's to fix
      if (error instanceof RangeError) throw badRequest([{ field: 'body', reason: 'nested too deeply' }]);
      throw error;
    }
    if (validated && value !== undefined) {
      const coerced = coercedFields(value, result);
      if (coerced.length > 0) throw badRequest(coerced);
    }
    return result;
  }

  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    const { type, metatype, data } = metadata;
    if (!data || (type !== 'param' && type !== 'query') || value === undefined) return super.transformPrimitive(value, metadata);
    if (metatype === Number) {
      if (typeof value !== 'string' || !WHOLE_NUMBER.test(value) || !Number.isSafeInteger(Number(value))) {
        throw badRequest([{ field: data, reason: 'must be a whole number written in digits' }]);
      }
      return Number(value);
    }
    if (metatype === Boolean) {
      if (value !== 'true' && value !== 'false') throw badRequest([{ field: data, reason: 'must be true or false' }]);
      return value === 'true';
    }
    // a repeated query parameter arrives as a list: say so instead of joining it with commas
    if (metatype === String && typeof value !== 'string') throw badRequest([{ field: data, reason: 'must be given once, as text' }]);
    return super.transformPrimitive(value, metadata);
  }
}

export const strictValidationPipe = () => new StrictValidationPipe();
