import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointStoreContract } from './checkpoint-store.contract';
import { openConsumerStateDatabase } from './sqlite-database';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store';

describe('SqliteCheckpointStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liangxin-checkpoints-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('in its own file', () => {
    checkpointStoreContract(async () => new SqliteCheckpointStore({ file: join(dir, 'own', 'consumers.sqlite') }));
  });

  describe('as a table of a shared database', () => {
    const file = join(dir, 'shared.sqlite');
    checkpointStoreContract(async () => {
      const db = openConsumerStateDatabase(file);
      const store = new SqliteCheckpointStore({ db });
      return Object.assign(store, { close: async () => db.close() });
    });

    it('leaves a database it was given open', async () => {
      const db = openConsumerStateDatabase(file);
      await new SqliteCheckpointStore({ db }).close();
      expect(db.open).toBe(true);
      db.close();
    });
  });

  it('keeps consumer state in WAL mode without a sync per save (synchronous=NORMAL: redelivery, not loss, on a power cut)', async () => {
    const db = openConsumerStateDatabase(join(dir, 'pragmas.sqlite'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    db.close();
  });
});
