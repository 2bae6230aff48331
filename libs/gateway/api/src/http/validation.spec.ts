import type { ValidationError } from '@nestjs/common';
import { flattenValidationErrors } from './validation';

const error = (property: string, constraints: Record<string, string>, children: ValidationError[] = []): ValidationError => ({ property, constraints, children });

describe('flattenValidationErrors', () => {
  it('names nested fields with dots and says a reason repeated by two constraints once', () => {
    const errors = [
      error('reason', { isString: 'say why', isNotEmpty: 'say why', maxLength: 'at most 500 characters' }),
      error('owner', {}, [error('name', { isNotEmpty: 'name the owner' })]),
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'reason', reason: 'say why' },
      { field: 'reason', reason: 'at most 500 characters' },
      { field: 'owner.name', reason: 'name the owner' },
    ]);
  });
});
