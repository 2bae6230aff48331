import { registerDecorator, type ValidationOptions } from 'class-validator';

/** Province-level prefixes of GB/T 2260 administrative division codes (11 Beijing … 82 Macao). */
const PROVINCES = new Set(['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82']);

/**
 * A district as the formation records it: a 6-digit division code of a province that exists, below province level
 * (a city such as 430100 or a county-level district such as 430104). "000000", "abc" or "-1" never name one, and an
 * event carrying such a district could never be matched with a budget or a coverage figure.
 */
export const isDivisionCode = (value: unknown): value is string =>
  typeof value === 'string' && /^\d{6}$/.test(value) && PROVINCES.has(value.slice(0, 2)) && value.slice(2) !== '0000';

/** Ids of organisations, people and public units: what the permanent log may hold as a key. */
export const ID_MAX_LENGTH = 64;
const SAFE_ID = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,${ID_MAX_LENGTH - 1}}$`);
export const isSafeId = (value: unknown): value is string => typeof value === 'string' && SAFE_ID.test(value);

const decorator =
  (name: string, validate: (value: unknown) => boolean, message: string) =>
  (options?: ValidationOptions): PropertyDecorator =>
  (target: object, propertyName: string | symbol) =>
    registerDecorator({ name, target: target.constructor, propertyName: propertyName as string, options: { message, ...options }, validator: { validate } });

/** class-validator: a 6-digit division code (see `isDivisionCode`). */
export const IsDivisionCode = decorator('isDivisionCode', isDivisionCode, '$property must be a 6-digit administrative division code, e.g. 430104');

/** class-validator: an id of 1–64 letters, digits, or . _ : - (starting with a letter or digit). */
export const IsSafeId = decorator('isSafeId', isSafeId, `$property must be 1–${ID_MAX_LENGTH} letters, digits, or . _ : - (starting with a letter or digit)`);

