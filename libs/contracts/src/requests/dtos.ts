import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsString, MaxLength, MinLength, ValidateBy, ValidateNested, type ValidationOptions } from 'class-validator';
import { IsSafeId } from '../identifiers';
import { IsReadableText } from '../text';
import { IsCreditCode } from '../registry/commands';
import { REQUEST_CATEGORIES, REQUEST_OWNER_KINDS, type RequestCategory, type RequestOwnerKind } from './events';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar date written YYYY-MM-DD that exists (no 30 February). */
export const isCalendarDate = (value: unknown): value is string =>
  typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;

const IsCalendarDate = (options?: ValidationOptions) =>
  ValidateBy({ name: 'isCalendarDate', validator: { validate: isCalendarDate, defaultMessage: () => '$property must be a real calendar date like 2024-06-30' } }, options);

/** An enterprise (or an officer at a desk hour) brings a need to the district. */
export class SubmitRequestDto {
  @IsCreditCode({ message: 'creditCode must be the 18-character unified social credit code of a registered enterprise' })
  creditCode!: string;

  @IsIn(REQUEST_CATEGORIES, { message: `category must be one of: ${REQUEST_CATEGORIES.join(', ')}` })
  category!: RequestCategory;

  @IsString({ message: 'description must say what the enterprise needs' })
  @MinLength(1, { message: 'description must say what the enterprise needs' })
  @MaxLength(2000, { message: 'description must be at most 2000 characters' })
  @IsReadableText()
  description!: string;
}

/** The service group or instructor who takes the request on. */
export class RequestOwnerDto {
  @IsIn(REQUEST_OWNER_KINDS, { message: `owner kind must be one of: ${REQUEST_OWNER_KINDS.join(', ')}` })
  kind!: RequestOwnerKind;

  @IsSafeId({ message: 'owner id must name the service group or instructor: 1–64 letters, digits, or . _ : -' })
  id!: string;

  @IsString({ message: 'owner name must be given, as the enterprise will read it' })
  @MinLength(1, { message: 'owner name must be given, as the enterprise will read it' })
  @MaxLength(100, { message: 'owner name must be at most 100 characters' })
  @IsReadableText()
  name!: string;
}

export class AcceptRequestDto {
  @IsDefined({ message: 'owner must name the service group or instructor who takes the request on' })
  @IsObject({ message: 'owner must be {kind, id, name}' })
  @ValidateNested()
  @Type(() => RequestOwnerDto)
  owner!: RequestOwnerDto;

  @IsCalendarDate()
  dueDate!: string;
}

export class ResolveRequestDto {
  @IsString({ message: 'resolution must say what was done for the enterprise' })
  @MinLength(1, { message: 'resolution must say what was done for the enterprise' })
  @MaxLength(2000, { message: 'resolution must be at most 2000 characters' })
  @IsReadableText()
  resolution!: string;
}

export class ReopenRequestDto {
  @IsString({ message: 'reason must say why the resolution did not meet the need' })
  @MinLength(1, { message: 'reason must say why the resolution did not meet the need' })
  @MaxLength(1000, { message: 'reason must be at most 1000 characters' })
  @IsReadableText()
  reason!: string;
}

// ---------------------------------------------------------------- what the gateway sends the service

/** The gateway has looked the enterprise up: its district comes with the request. */
export type SubmitRequestMessage = SubmitRequestDto & { district: string };
export type RequestRefMessage = { requestId: string };
export type AcceptRequestMessage = AcceptRequestDto & RequestRefMessage;
export type ResolveRequestMessage = ResolveRequestDto & RequestRefMessage;
export type ReopenRequestMessage = ReopenRequestDto & RequestRefMessage;
