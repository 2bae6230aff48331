export * from './in-process-bus';
export * from './in-process-client';
export * from './in-process-context';
export * from './in-process-dead-letters';
export * from './in-process-server';
export * from './in-process-consumer-progress';
