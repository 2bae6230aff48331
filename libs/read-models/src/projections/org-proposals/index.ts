export * from './org-proposals';
