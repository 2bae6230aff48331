export * from './checkpoints';
export * from './in-process';
export * from './forwarding';
export * from './jetstream';
