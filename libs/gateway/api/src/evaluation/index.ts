export * from './evaluation.controller';
