export * from './checkpoint-store';
export * from './in-memory-checkpoint-store';
export * from './dead-letter-store';
export * from './sqlite-database';
export * from './sqlite-checkpoint-store';
export * from './sqlite-dead-letter-store';
export * from './mongo-checkpoint-store';
