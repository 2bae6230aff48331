export * from './requests-service.module';
export * from './requests-commands.controller';
