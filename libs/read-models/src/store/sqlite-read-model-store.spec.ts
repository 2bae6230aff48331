import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelStoreContract } from '../testing';
import { StaleStagingError } from './port';
import { enterpriseStatusProjection, ENTERPRISE_STATUS } from '../projections';
import { SqliteReadModelStore } from './sqlite-read-model-store';

describe('SqliteReadModelStore (contract)', () => {
  readModelStoreContract(() => SqliteReadModelStore.open('', ':memory:'));
});

describe('SqliteReadModelStore.commitAll', () => {
  it('is one transaction: a refused commit leaves every projection as it was', async () => {
    const store = SqliteReadModelStore.open('', ':memory:');
    await store.register('first', ['first.items']);
    await store.register('second', ['second.items']);
    await expect(
      store.commitAll([
        { projection: 'first', changes: [{ collection: 'first.items', id: 'a', body: { v: 1 }, position: 1 }], checkpoint: 1 },
        { projection: 'second', changes: [{ collection: 'first.items', id: 'b', body: { v: 1 }, position: 1 }], checkpoint: 1 },
      ]),
    ).rejects.toThrow(/may not write first.items/);
    expect(await store.get('first.items', 'a')).toBeUndefined();
    expect(await store.checkpoint('first')).toBe(0);
    await store.close();
  });
});

describe('SqliteReadModelStore file written before snapshot rows were clustered by snapshot', () => {
  it('moves the old snapshot rows over on open, so time travel keeps its history', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liangxin-rm-migrate-'));
    try {
      const first = SqliteReadModelStore.open(dir);
      await first.register('p', ['p.items']);
      await first.commit('p', [{ collection: 'p.items', id: 'a', body: { v: 1 }, position: 1 }], 10);
      await first.snapshot('p', 10, '2024-01-01T00:00:00.000Z');
      await first.close();
      const db = new Database(join(dir, 'read-models.sqlite'));
      db.exec(`CREATE TABLE rm_snapshots (collection TEXT NOT NULL, id TEXT NOT NULL, snapshot_position INTEGER NOT NULL, position INTEGER NOT NULL, body TEXT,
               PRIMARY KEY (collection, id, snapshot_position)) WITHOUT ROWID;
               INSERT INTO rm_snapshots SELECT collection, id, snapshot_position, position, '{"v":"old"}' FROM rm_snapshot_rows; DELETE FROM rm_snapshot_rows;`);
      db.close();

      const reopened = SqliteReadModelStore.open(dir);
      expect(await reopened.getAtSnapshot('p.items', 'a', 10)).toEqual({ id: 'a', position: 1, body: { v: 'old' } });
      await reopened.close();
      const check = new Database(join(dir, 'read-models.sqlite'));
      expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'rm_snapshots'").get()).toBeUndefined();
      check.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SqliteReadModelStore shared with another process (an admin rebuild on the same file)', () => {
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it("sees the other connection's promoted generation on the next turn, writes its own commits into it, and refuses a batch staged on a replaced generation", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liangxin-rm-shared-'));
    const server = SqliteReadModelStore.open(dir);
    const admin = SqliteReadModelStore.open(dir);
    try {
      await server.register('p', ['p.items']);
      await server.commit('p', [{ collection: 'p.items', id: 'a', body: { v: 'live' }, position: 1 }], 1);
      expect(await server.get('p.items', 'a')).toMatchObject({ body: { v: 'live' } });
      expect(await server.checkpoint('p')).toBe(1);

      const rebuilt = await admin.createGeneration('p', ['p.items']);
      await admin.commit('p', [{ collection: 'p.items', id: 'a', body: { v: 'rebuilt' }, position: 1 }], 2, rebuilt);
      expect(await admin.promoteGeneration(rebuilt)).toBe(true);

      await nextTurn();
      expect(await server.get('p.items', 'a')).toMatchObject({ body: { v: 'rebuilt' } });
      expect(await server.checkpoint('p')).toBe(2);
      // even within the same turn as another promotion, a commit checks inside its transaction where it writes
      await server.commit('p', [{ collection: 'p.items', id: 'b', body: { v: 'new' }, position: 3 }], 3);
      expect(await admin.get('p.items', 'b')).toMatchObject({ body: { v: 'new' } });
      expect(await admin.checkpoint('p')).toBe(3);

      // a batch staged on the generation a rebuild then replaced is refused, and nothing of it is written
      const staged = { projection: 'p', changes: [{ collection: 'p.items', id: 'c', body: { v: 'stale' }, position: 5 }], checkpoint: 5, stagedOn: await server.stagingMark('p') };
      const again = await admin.createGeneration('p', ['p.items']);
      await admin.commit('p', [{ collection: 'p.items', id: 'a', body: { v: 'rebuilt again' }, position: 1 }], 4, again);
      expect(await admin.promoteGeneration(again)).toBe(true);
      await expect(server.commitAll([staged])).rejects.toBeInstanceOf(StaleStagingError);
      expect(await admin.get('p.items', 'c')).toBeUndefined();
      expect(await server.checkpoint('p')).toBe(4);
      await new Promise((resolve) => setImmediate(resolve));
      await server.commitAll([{ ...staged, stagedOn: await server.stagingMark('p') }]);
      expect(await admin.get('p.items', 'c')).toMatchObject({ body: { v: 'stale' } });
    } finally {
      await server.close();
      await admin.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SqliteReadModelStore file written before snapshot windows', () => {
  it('keeps the history it had and the changes made since its last snapshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liangxin-rm-windows-'));
    try {
      const first = SqliteReadModelStore.open(dir);
      await first.register('p', ['p.items']);
      await first.commit('p', [{ collection: 'p.items', id: 'a', body: { v: 1 }, position: 1 }], 1);
      await first.snapshot('p', 1, '2024-01-01T00:00:00.000Z');
      await first.commit('p', [{ collection: 'p.items', id: 'a', body: { v: 2 }, position: 2 }], 2);
      await first.close();
      // as the former layout left it: marks without windows, the change since the snapshot listed in rm_changed
      const db = new Database(join(dir, 'read-models.sqlite'));
      db.exec(`ALTER TABLE rm_snapshot_marks DROP COLUMN snapshot_window; DELETE FROM rm_snapshot_rows WHERE snapshot_position = 2;
               INSERT INTO rm_changed (collection, id) VALUES ('p.items@g0', 'a');`);
      db.close();

      const reopened = SqliteReadModelStore.open(dir);
      await reopened.snapshot('p', 2, '2024-01-02T00:00:00.000Z');
      expect(await reopened.getAtSnapshot('p.items', 'a', 1)).toMatchObject({ body: { v: 1 } });
      expect(await reopened.getAtSnapshot('p.items', 'a', 2)).toMatchObject({ body: { v: 2 } });
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SqliteReadModelStore indexes what projections are queried by', () => {
  it('searches the ledger of a district through the district index (EXPLAIN QUERY PLAN), not the whole collection', async () => {
    const store = SqliteReadModelStore.open('', ':memory:');
    try {
      await store.register(enterpriseStatusProjection.name, enterpriseStatusProjection.collections, enterpriseStatusProjection.queriedBy);
      const changes = Array.from({ length: 400 }, (_, i) => ({
        collection: ENTERPRISE_STATUS,
        id: `code-${i}`,
        body: { district: String(430100 + (i % 20)), park: i % 3 ? '麓谷园区' : null, coverage: 'none', name: `企业${i}` },
        position: i + 1,
      }));
      await store.commit(enterpriseStatusProjection.name, changes, changes.length);
      // the ledger's query: the district first, then its other filters
      const plan = store.explainFind(ENTERPRISE_STATUS, { district: '430104', coverage: 'none', park: '麓谷园区' });
      expect(plan.join("\n")).toMatch(/USING INDEX rm_idx_[0-9a-f]+_district \(<expr>=\?\)/);
      const found = await store.find<{ district: string; park: string | null }>(ENTERPRISE_STATUS, { district: '430104', coverage: 'none', park: '麓谷园区' });
      expect(found.length).toBe(changes.filter((c) => c.body.district === '430104' && c.body.park === '麓谷园区').length);
      expect(found.every((d) => d.body.district === '430104')).toBe(true);
      // a person's caseload is an index search too; a field no projection declared is not
      expect(store.explainFind(ENTERPRISE_STATUS, { workCoverageAssignee: 'p-wang' }).join('\n')).toMatch(/rm_idx_[0-9a-f]+_workCoverageAssignee/);
      expect(store.explainFind(ENTERPRISE_STATUS, { coverage: 'none' }).join('\n')).not.toMatch(/rm_idx_/);
    } finally {
      await store.close();
    }
  });

  it('uses an index another connection created (the projections run on their own connection)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liangxin-rm-index-'));
    const reader = SqliteReadModelStore.open(dir);
    const writer = SqliteReadModelStore.open(dir);
    try {
      await writer.register('later', ['later.items']);
      expect(reader.explainFind('later.items', { district: '430104' }).join('\n')).not.toMatch(/rm_idx_/);
      await writer.register('later', ['later.items'], { 'later.items': ['district'] });
      expect(reader.explainFind('later.items', { district: '430104' }).join('\n')).toMatch(/rm_idx_[0-9a-f]+_district/);
    } finally {
      await reader.close();
      await writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
