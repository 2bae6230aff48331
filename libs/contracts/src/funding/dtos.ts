import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { IsDivisionCode, IsSafeId } from '../identifiers';
import { IsReadableText } from '../text';
import { SUBSIDY_ITEMS, VENUE_SCALES, type SubsidyItem, type VenueScale } from './events';

/** a budget above ten billion yuan is a typing mistake */
const MAX_FEN = 1_000_000_000_000;

/** Which budget: one per district and year. */
export class BudgetRefDto {
  @IsDivisionCode()
  district!: string;

  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;
}

/** A budget and an amount in fen (1/100 yuan), as allocating and reducing both name them. */
export class BudgetAmountDto extends BudgetRefDto {
  @IsInt()
  @Min(1)
  @Max(MAX_FEN)
  amountFen!: number;
}

export class AllocateBudgetDto extends BudgetAmountDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @IsReadableText()
  note?: string;
}

export class ReduceBudgetDto extends BudgetAmountDto {
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  @IsReadableText()
  reason!: string;
}

/** `year` is the budget year paying it. */
export class GrantSubsidyDto extends BudgetRefDto {
  /** chosen by the caller so a retried request cannot pay twice; generated when omitted */
  @IsOptional()
  @IsSafeId()
  grantId?: string;

  @IsSafeId()
  orgId!: string;

  @IsIn(SUBSIDY_ITEMS)
  item!: SubsidyItem;

  /** required for items whose amount is not fixed by policy (operating funds, activity funds, allowances, dues) */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_FEN)
  amountFen?: number;

  /** required for venue construction */
  @IsOptional()
  @IsIn(VENUE_SCALES)
  venueScale?: VenueScale;

  /** required for the formation subsidy: the date the organisation was formed */
  @IsOptional()
  @IsISO8601()
  orgFormedOn?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  @IsReadableText()
  payee?: string;

  /** ids of the events that justify the payment */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsSafeId({ each: true })
  justifiedBy!: string[];

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @IsReadableText()
  note?: string;
}

export class ClawBackSubsidyDto extends BudgetRefDto {
  @IsSafeId()
  grantId!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  @IsReadableText()
  reason!: string;

  /** ids of the events that show the organisation was ineligible */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsSafeId({ each: true })
  justifiedBy!: string[];
}
