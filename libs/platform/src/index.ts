export * from './config';
export * from './command-handler';
