import { Client } from 'pg';
import { createTemporaryPostgresDatabase } from '@liangxin/event-store/testing';
import { readModelStoreContract } from '../testing';
import { PostgresReadModelStore } from './postgres-read-model-store';

let database: Awaited<ReturnType<typeof createTemporaryPostgresDatabase>>;
beforeAll(async () => {
  database = await createTemporaryPostgresDatabase('test_read_models');
});
afterAll(() => database.drop());

describe('PostgresReadModelStore (contract)', () => {
  readModelStoreContract(() => PostgresReadModelStore.connect(database.url, { connections: 2 }));
});

describe('PostgresReadModelStore', () => {
  let store: PostgresReadModelStore;
  beforeEach(async () => {
    store = await PostgresReadModelStore.connect(database.url, { connections: 2 });
  });
  afterEach(() => store.close());

  it('commitAll is one transaction: a refused commit leaves every projection as it was', async () => {
    await store.register('tx-first', ['tx-first.items']);
    await store.register('tx-second', ['tx-second.items']);
    await expect(
      store.commitAll([
        { projection: 'tx-first', changes: [{ collection: 'tx-first.items', id: 'a', body: { v: 1 }, position: 1 }], checkpoint: 1 },
        { projection: 'tx-second', changes: [{ collection: 'tx-first.items', id: 'b', body: { v: 1 }, position: 1 }], checkpoint: 1 },
      ]),
    ).rejects.toThrow(/may not write tx-first.items/);
    expect(await store.get('tx-first.items', 'a')).toBeUndefined();
    expect(await store.checkpoint('tx-first')).toBe(0);
  });

  it('keeps the newest of several changes to one document in a batch, as applying them in order would', async () => {
    await store.register('batch', ['batch.items']);
    await store.commit('batch', [
      { collection: 'batch.items', id: 'a', body: { v: 1 }, position: 3 },
      { collection: 'batch.items', id: 'a', body: { v: 2 }, position: 5 },
      { collection: 'batch.items', id: 'a', body: { v: 'older' }, position: 4 },
      { collection: 'batch.items', id: 'a', body: { v: 'same position' }, position: 5 },
    ], 5);
    expect(await store.get('batch.items', 'a')).toEqual({ id: 'a', position: 5, body: { v: 2 } });
  });

  it('finds by equality on strings, numbers, booleans and null (missing counts as null)', async () => {
    await store.register('finds', ['finds.items']);
    await store.commit('finds', [
      { collection: 'finds.items', id: 'a', body: { district: '430100', size: 3, active: true, note: null }, position: 1 },
      { collection: 'finds.items', id: 'b', body: { district: '430100', size: 3.5, active: false }, position: 2 },
      { collection: 'finds.items', id: 'c', body: { district: '350100', size: 3, active: true, note: 'x' }, position: 3 },
    ], 3);
    const ids = async (where: Record<string, string | number | boolean | null>) => (await store.find('finds.items', where)).map((d) => d.id);
    expect(await ids({ size: 3 })).toEqual(['a', 'c']);
    expect(await ids({ active: false })).toEqual(['b']);
    expect(await ids({ note: null })).toEqual(['a', 'b']);
    expect(await ids({ district: '430100', active: true })).toEqual(['a']);
  });

  it('indexes the fields a projection is queried by, and a district search of the ledger uses the index', async () => {
    const collection = 'indexed-ledger.items';
    await store.register('indexed-ledger', [collection], { [collection]: ['district', 'park'] });
    const changes = Array.from({ length: 3000 }, (_, i) => ({ collection, id: `code-${i}`, body: { district: String(430100 + (i % 50)), park: i % 2 ? 'a' : null, name: `企业${i}` }, position: i + 1 }));
    await store.commit('indexed-ledger', changes, changes.length);
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename = 'rm_documents' AND indexname LIKE 'rm_documents_by_%'");
      expect(rows.map((r) => r.indexname)).toEqual(expect.arrayContaining(['rm_documents_by_district', 'rm_documents_by_park']));
      await client.query('ANALYZE rm_documents');
    } finally {
      await client.end();
    }
    expect((await store.explainFind(collection, { district: '430104', park: 'a' })).join('\n')).toMatch(/rm_documents_by_(district|park)/);
    expect((await store.find(collection, { district: '430104' })).length).toBe(60);
  });

  it('lets one runner hold the projection lock at a time, and the next take over when the holder goes', async () => {
    const other = await PostgresReadModelStore.connect(database.url, { connections: 1 });
    try {
      const first = await store.acquireProjectionLock();
      let secondHeld = false;
      const second = other.acquireProjectionLock({ pollMs: 20 }).then((lock) => {
        secondHeld = true;
        return lock;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(secondHeld).toBe(false);
      await first.release(); // as when the holder's process dies: its connection closes
      await (await second).release();
      expect(secondHeld).toBe(true);
    } finally {
      await other.close();
    }
  });
});
