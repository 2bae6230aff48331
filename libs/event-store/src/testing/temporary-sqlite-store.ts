import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type SqliteEventStoreOptions } from '../sqlite/sqlite-event-store';
import { withUpcasting } from '../upcasting-event-store';

/**
 * A real SQLite event store in a fresh temporary folder, for other libraries' tests (no mocks needed).
 * Read through the upcasters, as every composition root does. 'os' durability by default: tests need no fsync. `dispose()` closes it and deletes the folder.
 */
export const openTemporarySqliteStore = (
  options: Partial<SqliteEventStoreOptions> = {},
): { store: SqliteEventStore; file: string; dispose: () => Promise<void> } => {
  const dir = mkdtempSync(join(tmpdir(), 'liangxin-events-'));
  const file = join(dir, 'events.db');
  const store = withUpcasting(SqliteEventStore.open({ durability: 'os', pollIntervalMs: 50, ...options, file }));
  return {
    store,
    file,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
