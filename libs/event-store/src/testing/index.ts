// Test-only helpers, kept out of the runtime index: import from '@liangxin/event-store/testing'.
export * from './event-store.contract';
export * from './temporary-postgres-database';
export * from './temporary-sqlite-store';
