export * from './instructor-reviews';
