export * from './wire-error';
export * from './dead-letters';
export * from './checkpoints';
export * from './in-process';
export * from './forwarding';
export * from './jetstream';
export * from './progress';
