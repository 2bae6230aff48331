import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { IsDivisionCode, IsSafeId } from '../identifiers';
import { IsReadableText } from '../text';

import { INSTRUCTOR_RATINGS, type InstructorRating } from './events';

const KEY = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** An object whose keys are criterion ids and whose values are scores between 0 and 100. */
export const IsCriterionScores = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isCriterionScores',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length > 0 &&
          Object.entries(value).every(([key, score]) => KEY.test(key) && typeof score === 'number' && Number.isFinite(score) && score >= 0 && score <= 100),
        defaultMessage: () => '$property must map criterion ids to scores between 0 and 100',
      },
    },
    options,
  );

export class RubricCriterionDto {
  @Matches(KEY, { message: 'criterion id must be lower-case letters, digits and dashes' })
  id!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @IsReadableText()
  label!: string;

  @IsNumber()
  @Min(0.01)
  @Max(1000)
  weight!: number;
}

export class PublishRubricDto {
  @Matches(KEY)
  rubricId!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsReadableText()
  name!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RubricCriterionDto)
  criteria!: RubricCriterionDto[];

  @IsArray()
  @ArrayMinSize(5)
  @ArrayMaxSize(5)
  @IsNumber({}, { each: true })
  @Min(0, { each: true })
  @Max(100, { each: true })
  starThresholds!: [number, number, number, number, number];

  @IsNumber()
  @Min(0)
  @Max(100)
  passScore!: number;
}

/** What an assessment and its correction both state: whose year, scored against which rubric, with which scores. */
export class AssessmentScoresDto {
  @IsSafeId()
  orgId!: string;

  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;

  @Matches(KEY)
  rubricId!: string;

  /** which published version to score against; the newest when omitted */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  rubricVersion?: number;

  @IsCriterionScores()
  scores!: Record<string, number>;
}

export class CompleteAssessmentDto extends AssessmentScoresDto {
  @IsDivisionCode()
  district!: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  @IsReadableText()
  assessor?: string;
}

export class CorrectAssessmentDto extends AssessmentScoresDto {
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  @IsReadableText()
  reason!: string;
}

/** An instructor's or liaison cadre's annual review (the person is named in the path). */
export class ReviewInstructorDto {
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @IsReadableText()
  name!: string;

  @IsDivisionCode()
  district!: string;

  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;

  @IsIn(INSTRUCTOR_RATINGS, { message: `rating must be one of ${INSTRUCTOR_RATINGS.join(', ')}` })
  rating!: InstructorRating;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @IsReadableText()
  note?: string;
}

export class CorrectInstructorReviewDto {
  @IsIn(INSTRUCTOR_RATINGS, { message: `rating must be one of ${INSTRUCTOR_RATINGS.join(', ')}` })
  rating!: InstructorRating;

  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  @IsReadableText()
  reason!: string;
}

/** Payloads of the instructor-review patterns: the person from the path, the caseload as the gateway read it. */
export type ReviewInstructorMessage = ReviewInstructorDto & { personId: string; enterprisesCovered: number };
export type CorrectInstructorReviewMessage = CorrectInstructorReviewDto & { personId: string; year: number };
