export * from './scoring';
export * from './rubric';
export * from './assessment';
export * from './statistics';
export * from './instructor-review';
export * from './organisation';
