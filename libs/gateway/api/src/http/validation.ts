import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/** Flattens class-validator's tree into `[{field: 'a.b', reason}]`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): { field: string; reason: string }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    // two constraints may say the same thing (a custom message on IsString and IsNotEmpty): say it once
    const own = [...new Set(Object.values(error.constraints ?? {}))].map((reason) => ({ field, reason }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** Unknown fields are refused, not silently dropped: a typo in a field name must not pass as "not given". */
export const strictValidationPipe = () =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      return new BadRequestException({ message: details.map((d) => `${d.field}: ${d.reason}`).join('; '), details });
    },
  });
