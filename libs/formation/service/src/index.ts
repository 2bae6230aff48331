export * from './formation-service.module';
export * from './formation-engine';
export * from './formation-reactions.controller';
export * from './formation-commands.controller';
export { loadPlacement, readEnterpriseFacts, type EnterpriseFacts, type LoadedPlacement } from './placement-store';
