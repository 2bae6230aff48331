export * from './port';
export { startCatchUpSubscription, type CatchUpSource } from './catch-up-subscription';
export {
  SqliteEventStore,
  type SqliteDurability,
  type SqliteEventStoreOptions,
  type GroupCommitStats,
} from './sqlite/sqlite-event-store';
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres/postgres-event-store';
export { DuplicateEventIdError } from './postgres/commit-group';
export { KurrentDbEventStore, type KurrentDbEventStoreOptions, deterministicUuid } from './kurrentdb/kurrentdb-event-store';
export { timeOrderedUuid } from './time-ordered-id';
export { withUpcasting, withoutUpcasting } from './upcasting-event-store';
