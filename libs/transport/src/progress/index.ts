export * from './consumer-progress';
