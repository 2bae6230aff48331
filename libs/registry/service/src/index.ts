export * from './registry-service.module';
export * from './registry-commands.controller';
