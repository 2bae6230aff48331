import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, eventStoreConfigFromEnv } from './create-event-store';
import { deterministicUuid, KurrentDbEventStore } from './kurrentdb/kurrentdb-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

describe('createEventStore', () => {
  it('opens the embedded SQLite store under DATA_DIR when no KurrentDB URL is set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liangxin-factory-'));
    const store = createEventStore(eventStoreConfigFromEnv({ DATA_DIR: dir }));
    expect(store).toBeInstanceOf(SqliteEventStore);
    await store.append('org-1', [{ type: 'OrgFormed', schemaVersion: 1, data: {}, metadata: { actor: 'test' } }], { expected: 'no_stream' });
    expect(await store.headPosition()).toBe(1);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('chooses KurrentDB when KURRENTDB_URL is set (connecting lazily)', async () => {
    const store = createEventStore(eventStoreConfigFromEnv({ KURRENTDB_URL: 'kurrentdb://127.0.0.1:1?tls=false' }));
    expect(store).toBeInstanceOf(KurrentDbEventStore);
    await store.close();
  });

  it('defaults to fsync durability unless os is asked for', () => {
    expect(eventStoreConfigFromEnv({}).durability).toBe('fsync');
    expect(eventStoreConfigFromEnv({ EVENT_STORE_DURABILITY: 'os' }).durability).toBe('os');
  });
});

describe('deterministicUuid', () => {
  it('gives the same well-formed UUID for the same command and a different one otherwise', () => {
    const id = deterministicUuid('org-1\ncmd-1\n0');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicUuid('org-1\ncmd-1\n0')).toBe(id);
    expect(deterministicUuid('org-1\ncmd-1\n1')).not.toBe(id);
  });
});
