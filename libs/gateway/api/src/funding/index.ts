export * from './funding.controller';
