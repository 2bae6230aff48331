/** Every evaluation stream id starts with this prefix. */
export const EVALUATION_STREAM_PREFIX = 'evaluation-';

/** One stream per organisation: its assessments year by year (the consistency boundary for "one per year"). */
export const evaluationOrgStreamId = (orgId: string): string => `${EVALUATION_STREAM_PREFIX}org-${orgId}`;

/** One stream per rubric: its published versions. */
export const evaluationRubricStreamId = (rubricId: string): string => `${EVALUATION_STREAM_PREFIX}rubric-${rubricId}`;

export const EVALUATION_ORG_STREAM_PREFIX = `${EVALUATION_STREAM_PREFIX}org-`;
export const EVALUATION_RUBRIC_STREAM_PREFIX = `${EVALUATION_STREAM_PREFIX}rubric-`;

/** One stream per instructor or liaison cadre: their reviews year by year (the boundary for "one per year"). */
export const evaluationInstructorStreamId = (personId: string): string => `${EVALUATION_STREAM_PREFIX}instructor-${personId}`;
