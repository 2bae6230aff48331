export * from './funding-service.module';
export * from './funding-commands.controller';
export * from './funding-reactions.controller';
export * from './funding-facts';
