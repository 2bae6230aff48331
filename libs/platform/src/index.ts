export * from './config';
export * from './command-handler';
export * from './tokens';
export * from './infrastructure.module';
