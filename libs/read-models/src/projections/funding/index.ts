export * from './funding';
