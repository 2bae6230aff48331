import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsDefined,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsReadableText } from '../text';
import { IsCreditCode } from '../registry/commands';
import { FORMATION_MODES, type FormationMode, ORG_LEVELS, type OrgLevel } from './events';
import { IsDivisionCode, IsSafeId } from '../identifiers';

/** Message patterns the formation service answers (officer commands from the gateway). */
export const FormationCommands = {
  FormOrg: 'formation.form-org',
  AddEnterprise: 'formation.add-enterprise',
  RemoveEnterprise: 'formation.remove-enterprise',
  MergeOrgs: 'formation.merge-orgs',
  DissolveOrg: 'formation.dissolve-org',
  ConfirmOrgDissolution: 'formation.confirm-org-dissolution',
  AssignSecretary: 'formation.assign-secretary',
  ReplaceSecretary: 'formation.replace-secretary',
  AssignInstructor: 'formation.assign-instructor',
  ReplaceInstructor: 'formation.replace-instructor',
  PairOrgs: 'formation.pair-orgs',
  ChangeOrgParent: 'formation.change-org-parent',
  AssignWorkCoverage: 'formation.assign-work-coverage',
  ProposeOrg: 'formation.propose-org',
  ApproveOrgProposal: 'formation.approve-org-proposal',
  RejectOrgProposal: 'formation.reject-org-proposal',
} as const;
export type FormationCommandPattern = (typeof FormationCommands)[keyof typeof FormationCommands];

export class PersonDto {
  @IsSafeId()
  personId!: string;

  @IsString()
  @MaxLength(100)
  @IsReadableText()
  name!: string;
}

/** A person a command names: required, one object (not an array, text or null), validated field by field. */
function NamesAPerson(field: string): PropertyDecorator {
  const message = `${field} must be a person: {personId, name}`;
  return (target: object, property: string | symbol) => {
    for (const decorate of [IsDefined({ message }), IsObject({ message }), ValidateNested(), Type(() => PersonDto)]) decorate(target, property);
  };
}

/** An officer forms an organisation by hand, in any of the thirteen modes. */
export class FormOrgDto {
  @IsIn(FORMATION_MODES)
  mode!: FormationMode;

  @IsString()
  @MaxLength(200)
  @IsReadableText()
  name!: string;

  /** 6-digit district; defaults to the district of the first enterprise */
  @IsOptional()
  @IsDivisionCode()
  district?: string;

  /** may be empty only for an upper-level organisation over other organisations: then give `level` and `district` */
  @IsArray()
  @ArrayMaxSize(500)
  @IsCreditCode({ each: true })
  enterprises!: string[];

  /**
   * Only for an organisation formed without enterprises of its own over other organisations (产业链党委, 两新综合党委):
   * general-branch or primary-committee. With enterprises, the level follows the members (rule 6).
   */
  @IsOptional()
  @IsIn(ORG_LEVELS, { message: `level must be one of ${ORG_LEVELS.join(', ')}` })
  level?: OrgLevel;

  @IsOptional()
  @IsSafeId()
  parentOrgId?: string;

  @IsOptional()
  @IsBoolean()
  publicUnit?: boolean;
}

/** An application to form an organisation (the same fields as forming one), approved or rejected by another officer. */
export class ProposeOrgDto extends FormOrgDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @IsReadableText()
  note?: string;
}

export class ApproveOrgProposalDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @IsReadableText()
  note?: string;
}

export class RejectOrgProposalDto {
  @IsString({ message: 'say why the proposal is rejected' })
  @IsNotEmpty({ message: 'say why the proposal is rejected' })
  @MaxLength(500, { message: 'the reason is at most 500 characters' })
  @IsReadableText()
  reason!: string;
}

export class AddEnterpriseDto {
  @IsCreditCode()
  creditCode!: string;
}

export class RemoveEnterpriseDto {
  @IsCreditCode()
  creditCode!: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  @IsReadableText()
  note?: string;
}

export class MergeOrgsDto {
  /** the organisation that survives */
  @IsSafeId()
  intoOrgId!: string;

  /** the organisation absorbed (dissolved with reason 'merged') */
  @IsSafeId()
  mergedOrgId!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  @IsReadableText()
  reason!: string;
}

export class DissolveOrgDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  @IsReadableText()
  reason!: string;
}

/** An officer confirms the dissolution the rules left pending (an organisation whose only enterprise turned abnormal). */
export class ConfirmOrgDissolutionDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  note?: string;
}

export class AssignPersonDto {
  @NamesAPerson('person')
  person!: PersonDto;
}

export class ReplacePersonDto extends AssignPersonDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  @IsReadableText()
  reason!: string;
}

export class PairOrgsDto {
  /** the public unit's own party organisation, formed with `publicUnit: true` */
  @IsSafeId()
  publicUnitOrgId!: string;

  /** optional: the pairing records the public unit's organisation under its recorded name */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsReadableText()
  publicUnitName?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  pairedOn?: string;
}

export class AssignWorkCoverageDto {
  @IsCreditCode()
  creditCode!: string;

  @IsIn(['instructor', 'liaison'])
  coveredBy!: 'instructor' | 'liaison';

  /** the named person: work coverage means someone is assigned (DOMAIN.md) */
  @NamesAPerson('assignee')
  assignee!: PersonDto;

  /** the officer's own words for the assignment or the replacement (kept in the event's metadata) */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  @IsReadableText()
  reason?: string;
}

/** Place an organisation under another in the organisation tree, or detach it (`parentOrgId: null`). */
export class ChangeOrgParentDto {
  /** the organisation to place this one under; null detaches it */
  @ValidateIf((_o, value) => value !== null)
  @IsSafeId({ message: 'parentOrgId must be an organisation id (1–64 letters, digits, or . _ : -), or null to detach the organisation' })
  parentOrgId!: string | null;

  @IsString({ message: 'say why the organisation moves in the tree' })
  @IsNotEmpty({ message: 'say why the organisation moves in the tree' })
  @MaxLength(500, { message: 'the reason is at most 500 characters' })
  @IsReadableText()
  reason!: string;
}

/** Payloads of the formation message patterns (DTO plus ids from the URL). */
export type FormOrgMessage = FormOrgDto & { orgId?: string };
export type ProposeOrgMessage = ProposeOrgDto & { orgId?: string };
export type ApproveOrgProposalMessage = ApproveOrgProposalDto & { orgId: string };
export type RejectOrgProposalMessage = RejectOrgProposalDto & { orgId: string };
export type AddEnterpriseMessage = AddEnterpriseDto & { orgId: string };
export type RemoveEnterpriseMessage = RemoveEnterpriseDto & { orgId: string };
export type MergeOrgsMessage = MergeOrgsDto;
export type DissolveOrgMessage = DissolveOrgDto & { orgId: string };
export type ConfirmOrgDissolutionMessage = ConfirmOrgDissolutionDto & { orgId: string };
export type AssignSecretaryMessage = AssignPersonDto & { orgId: string };
export type ReplaceSecretaryMessage = ReplacePersonDto & { orgId: string };
export type AssignInstructorMessage = AssignPersonDto & { orgId: string };
export type ReplaceInstructorMessage = ReplacePersonDto & { orgId: string };
export type PairOrgsMessage = PairOrgsDto & { orgId: string };
export type ChangeOrgParentMessage = ChangeOrgParentDto & { orgId: string };
export type AssignWorkCoverageMessage = AssignWorkCoverageDto;

