import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { IsReadableText } from '../text';
import { isValidCreditCode } from './credit-code';
import {
  ENTERPRISE_KINDS,
  type EnterpriseKind,
  MEMBER_CHANGE_REASONS,
  type MemberChangeReason,
  OPERATING_STATUSES,
  type OperatingStatus,
  OWNERSHIPS,
  type Ownership,
} from './events';

/** Message patterns the registry service answers (Nest @MessagePattern, request/reply from the gateway). */
export const RegistryCommands = {
  RegisterEnterprise: 'registry.register-enterprise',
  ChangeMemberCount: 'registry.change-member-count',
  ChangeEmployeeCount: 'registry.change-employee-count',
  ChangeOperatingStatus: 'registry.change-operating-status',
  CorrectLedger: 'registry.correct-ledger',
  ImportRegisterRow: 'registry.import-register-row',
} as const;
export type RegistryCommandPattern = (typeof RegistryCommands)[keyof typeof RegistryCommands];

/** more people than the largest employer on earth: a typing mistake */
export const MAX_HEAD_COUNT = 10_000_000;

/** A head count (employees, full or probationary members): a whole JSON number from zero to MAX_HEAD_COUNT, never coerced from text. */
function WholeCount(): PropertyDecorator {
  return (target: object, property: string | symbol) => {
    for (const decorate of [IsInt(), Min(0), Max(MAX_HEAD_COUNT)]) decorate(target, property);
  };
}

/** class-validator decorator: a GB 32100 unified social credit code with a correct check character. */
export function IsCreditCode(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCreditCode',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be an 18-character unified social credit code with a valid check character', ...options },
      validator: { validate: (value: unknown) => isValidCreditCode(value) },
    });
}

/** Ledger fields an officer may give at registration and correct later (placement for joint grouping, ownership, date). */
export class OptionalLedgerFieldsDto {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @IsReadableText()
  industryChain?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  @IsReadableText()
  park?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  @IsReadableText()
  building?: string;

  @IsOptional()
  @IsIn(OWNERSHIPS)
  ownership?: Ownership;

  @IsOptional()
  @IsISO8601({ strict: true })
  registeredOn?: string;
}

export class RegisterEnterpriseDto extends OptionalLedgerFieldsDto {
  @IsCreditCode()
  creditCode!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsReadableText()
  name!: string;

  @IsIn(ENTERPRISE_KINDS)
  kind!: EnterpriseKind;

  @WholeCount()
  employees!: number;

  @WholeCount()
  fullMembers!: number;

  @WholeCount()
  probationaryMembers!: number;
}

export class ChangeMemberCountDto {
  @WholeCount()
  fullMembers!: number;

  @WholeCount()
  probationaryMembers!: number;

  @IsIn(MEMBER_CHANGE_REASONS)
  reason!: MemberChangeReason;
}

export class ChangeEmployeeCountDto {
  @WholeCount()
  employees!: number;
}

export class ChangeOperatingStatusDto {
  @IsIn(OPERATING_STATUSES)
  status!: OperatingStatus;
}

export class CorrectLedgerDto extends OptionalLedgerFieldsDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsReadableText()
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  @IsReadableText()
  reasonNoOrganisation?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @IsReadableText({ each: true })
  developmentNeeds?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(500)
  @IsReadableText()
  note?: string;
}

/** Payloads of the registry message patterns: the DTO plus the enterprise it concerns (from the URL). */
export type RegisterEnterpriseMessage = RegisterEnterpriseDto;
export type ChangeMemberCountMessage = ChangeMemberCountDto & { creditCode: string };
export type ChangeEmployeeCountMessage = ChangeEmployeeCountDto & { creditCode: string };
export type ChangeOperatingStatusMessage = ChangeOperatingStatusDto & { creditCode: string };
export type CorrectLedgerMessage = CorrectLedgerDto & { creditCode: string };

/**
 * One row of a register file, as the importer read it: the enterprise as the file states it now. The registry decides
 * against the ledger whether that registers it, changes it (each difference its own event, reason `import`) or
 * changes nothing. `status` absent: the file does not say, the ledger's status stays.
 */
export type ImportRegisterRowMessage = RegisterEnterpriseDto & { status?: OperatingStatus };

/** What the registry answers an imported row: what the row did to the ledger, and the events it appended (or had appended, on a retry). */
export type ImportRowOutcome = 'registered' | 'updated' | 'unchanged';
export interface ImportRegisterRowResult {
  outcome: ImportRowOutcome;
  /** event types the row appended, in order */
  events: string[];
  /** the row had been imported before with this command id (the same file again, or a resumed import) */
  alreadyImported: boolean;
}
