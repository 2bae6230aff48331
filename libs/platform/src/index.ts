export * from './config';
export * from './command-handler';
export * from './tokens';
export * from './infrastructure.module';
export * from './service-app';
export * from './ops/public-route';
export * from './ops/health.controller';
export * from './ops/metrics';
