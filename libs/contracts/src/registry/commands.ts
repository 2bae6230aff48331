import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
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
} as const;
export type RegistryCommandPattern = (typeof RegistryCommands)[keyof typeof RegistryCommands];

/** A head count (employees, full or probationary members): a whole number of zero or more. */
function WholeCount(): PropertyDecorator {
  return (target: object, property: string | symbol) => {
    for (const decorate of [Type(() => Number), IsInt(), Min(0)]) decorate(target, property);
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
  industryChain?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  park?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
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
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  reasonNoOrganisation?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  developmentNeeds?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

/** Payloads of the registry message patterns: the DTO plus the enterprise it concerns (from the URL). */
export type RegisterEnterpriseMessage = RegisterEnterpriseDto;
export type ChangeMemberCountMessage = ChangeMemberCountDto & { creditCode: string };
export type ChangeEmployeeCountMessage = ChangeEmployeeCountDto & { creditCode: string };
export type ChangeOperatingStatusMessage = ChangeOperatingStatusDto & { creditCode: string };
export type CorrectLedgerMessage = CorrectLedgerDto & { creditCode: string };
