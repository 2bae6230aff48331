import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { deadLetterStoreContract, deadLetterTestEvent } from './dead-letter-store.contract';
import { SqliteDeadLetterStore } from './sqlite-dead-letter-store';

describe('SqliteDeadLetterStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liangxin-dead-letters-'));
  const file = join(dir, 'consumers.sqlite');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  deadLetterStoreContract(async () => new SqliteDeadLetterStore({ file }));
});

describe('SqliteDeadLetterStore over a table of an older version', () => {
  it('adds the source and event id keys, keeps the rows, and parks again by event id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liangxin-dead-letters-old-'));
    try {
      const db = new Database(join(dir, 'consumers.sqlite'));
      db.exec(`CREATE TABLE dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT, consumer TEXT NOT NULL, global_position INTEGER NOT NULL,
        event_type TEXT NOT NULL, event TEXT NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL,
        parked_at TEXT NOT NULL, last_attempt_at TEXT NOT NULL, UNIQUE (consumer, global_position))`);
      const old = deadLetterTestEvent(4);
      db.prepare(`INSERT INTO dead_letters (consumer, global_position, event_type, event, error, attempts, parked_at, last_attempt_at)
        VALUES ('registry', 4, ?, ?, 'old', 5, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')`).run(old.type, JSON.stringify(old));
      const store = new SqliteDeadLetterStore({ db });
      await store.park({ consumer: 'registry', event: old, error: 'again', attempts: 5 });
      expect(await store.list('registry')).toEqual([expect.objectContaining({ source: 'store', error: 'again', attempts: 10, event: old })]);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
