import type { CriterionScores, Rubric } from '@liangxin/contracts';
import { DomainError } from '@liangxin/event-sourcing';

export type Rating = { totalScore: number; stars: number; passed: boolean };

/** The rubric a district starts with: Zhuzhou's "five standards" (五化, 001) plus the role the organisation plays. */
export const defaultRubric: Rubric = {
  rubricId: 'five-standards',
  version: 1,
  name: '五化 + 作用发挥',
  criteria: [
    { id: 'organisation-setup', label: '组织设置规范化', weight: 15 },
    { id: 'organisation-life', label: '组织生活正常化', weight: 20 },
    { id: 'management-service', label: '管理服务精细化', weight: 15 },
    { id: 'work-mechanisms', label: '工作机制制度化', weight: 15 },
    { id: 'venue', label: '阵地建设标准化', weight: 10 },
    { id: 'role-played', label: '作用发挥', weight: 25 },
  ],
  starThresholds: [50, 60, 70, 80, 90],
  passScore: 60,
};

/** Weighted mean of the scores, rounded to one decimal. Every criterion must be scored 0–100, and nothing else. */
export const weightedScore = (rubric: Rubric, scores: CriterionScores): number => {
  const known = new Set(rubric.criteria.map((c) => c.id));
  for (const id of Object.keys(scores)) {
    if (!known.has(id)) throw new DomainError('UNKNOWN_CRITERION', `Rubric ${rubric.rubricId} v${rubric.version} has no criterion ${id}`, `scores.${id}`);
  }
  let weighted = 0;
  let totalWeight = 0;
  for (const { id, weight } of rubric.criteria) {
    const score = scores[id];
    if (score === undefined) throw new DomainError('SCORE_MISSING', `Criterion ${id} has no score`, `scores.${id}`);
    if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 100) {
      throw new DomainError('SCORE_OUT_OF_RANGE', `The score for ${id} must be between 0 and 100`, `scores.${id}`);
    }
    weighted += weight * score;
    totalWeight += weight;
  }
  return Math.round((weighted / totalWeight) * 10) / 10;
};

/** 1 star below the first threshold, one more per threshold reached, 6 at or above the last (六星). */
export const starsForScore = (rubric: Pick<Rubric, 'starThresholds'>, totalScore: number): number =>
  1 + rubric.starThresholds.filter((threshold) => totalScore >= threshold).length;

export const passesReview = (rubric: Pick<Rubric, 'passScore'>, totalScore: number): boolean => totalScore >= rubric.passScore;

export const rate = (rubric: Rubric, scores: CriterionScores): Rating => {
  const totalScore = weightedScore(rubric, scores);
  return { totalScore, stars: starsForScore(rubric, totalScore), passed: passesReview(rubric, totalScore) };
};
