import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract, openTemporarySqliteStore } from '../testing';
import { SqliteEventStore } from './sqlite-event-store';

const dir = mkdtempSync(join(tmpdir(), 'liangxin-sqlite-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
describeEventStoreContract('SQLite (fsync)', () =>
  SqliteEventStore.open({ file: join(dir, `store-${++n}.db`), durability: 'fsync' }),
);

const temporaryStores: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(temporaryStores.map((dispose) => dispose())));
describeEventStoreContract('SQLite (os durability, via openTemporarySqliteStore)', () => {
  const { store, dispose } = openTemporarySqliteStore();
  temporaryStores.push(dispose);
  return store;
});
