/** Request/reply message patterns the gateway sends to the evaluation service. */
export const EvaluationPatterns = {
  publishRubric: 'evaluation.rubric.publish',
  getRubric: 'evaluation.rubric.get',
  completeAssessment: 'evaluation.assessment.complete',
  correctAssessment: 'evaluation.assessment.correct',
  getOrgHistory: 'evaluation.assessment.history',
  getDistrictSummary: 'evaluation.district.summary',
  reviewInstructor: 'evaluation.instructor.review',
  correctInstructorReview: 'evaluation.instructor.correct',
} as const;

export type EvaluationPattern = (typeof EvaluationPatterns)[keyof typeof EvaluationPatterns];
