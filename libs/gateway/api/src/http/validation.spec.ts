import type { BadRequestException, ValidationError } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { coercedFields, flattenValidationErrors, StrictValidationPipe } from './validation';

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

class CoercingDto {
  // what WholeCount used to do: a DTO must never get to turn "3" into 3
  @Type(() => Number)
  @IsInt()
  count!: number;

  @IsOptional()
  @IsString()
  note?: string;
}

describe('StrictValidationPipe', () => {
  const pipe = new StrictValidationPipe();
  const body = (value: unknown) => pipe.transform(value, { type: 'body', metatype: CoercingDto, data: '' });
  const detailsOf = async (promise: Promise<unknown>) => ((await promise.then(() => undefined, (error: BadRequestException) => error.getResponse())) as { details: unknown[] }).details;

  it('refuses any value a DTO would coerce, naming the field', async () => {
    for (const sent of ['3', ' 3 ', '', true, '0x3']) {
      expect(await detailsOf(body({ count: sent }))).toContainEqual({ field: 'count', reason: expect.any(String) });
    }
    await expect(body({ count: 3, note: 'ok' })).resolves.toMatchObject({ count: 3, note: 'ok' });
  });

  it('takes only a JSON object as a body', async () => {
    for (const sent of [[], 'text', 3, null]) expect(await detailsOf(body(sent))).toEqual([{ field: 'body', reason: expect.stringMatching(/JSON object/) }]);
  });

  it('parses a path or query value declared a number or boolean strictly', async () => {
    const query = (value: string, metatype: typeof Number | typeof Boolean) => pipe.transform(value, { type: 'query', metatype, data: 'limit' });
    await expect(query('25', Number)).resolves.toBe(25);
    await expect(query('true', Boolean)).resolves.toBe(true);
    for (const sent of [' 3 ', '', '0x3', '1e3', '9007199254740993']) expect(await detailsOf(query(sent, Number))).toEqual([{ field: 'limit', reason: expect.any(String) }]);
    expect(await detailsOf(query('yes', Boolean))).toEqual([{ field: 'limit', reason: 'must be true or false' }]);
    const repeated = await detailsOf(pipe.transform(['430104', '430105'], { type: 'query', metatype: String, data: 'district' }));
    expect(repeated).toEqual([{ field: 'district', reason: expect.stringMatching(/once/) }]);
  });
});

describe('coercedFields', () => {
  it('names every primitive the transformation changed, deep inside objects and arrays', () => {
    expect(coercedFields({ a: '1', b: { c: [true, 'x'] }, d: 2 }, { a: 1, b: { c: [1, 'x'] }, d: 2 })).toEqual([
      { field: 'a', reason: expect.stringMatching(/JSON number/) },
      { field: 'b.c.0', reason: expect.stringMatching(/JSON number/) },
    ]);
  });
});
