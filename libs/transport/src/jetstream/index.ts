export * from './subjects';
export * from './topology';
export * from './wire-error';
export * from './jetstream-context';
export * from './dead-letter-record';
export * from './dead-letters';
export * from './jetstream-server';
export * from './jetstream-client';
