export * from './subjects';
export * from './topology';
export * from './jetstream-context';
export * from './dead-letter-record';
export * from './jetstream-dead-letters';
export * from './jetstream-server';
export * from './jetstream-client';
export * from './jetstream-consumer-progress';
