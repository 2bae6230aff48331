import type Database from 'better-sqlite3';
import type { RecordedEvent } from '@liangxin/contracts';
import { DEFAULT_DEAD_LETTER_SOURCE, type DeadLetter, type DeadLetterStore, type ParkRequest } from './dead-letter-store';
import { resolveSqliteTarget, type SqliteTarget } from './sqlite-database';

interface DeadLetterRow {
  id: number;
  consumer: string;
  source: string;
  event: string;
  error: string;
  attempts: number;
  parked_at: string;
  last_attempt_at: string;
}

const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: row.id,
  consumer: row.consumer,
  source: row.source,
  event: JSON.parse(row.event) as RecordedEvent,
  error: row.error,
  attempts: row.attempts,
  parkedAt: row.parked_at,
  lastAttemptAt: row.last_attempt_at,
});

/** Dead letters as rows of a `dead_letters` table, one per (consumer, source, event id). */
export class SqliteDeadLetterStore implements DeadLetterStore {
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;

  constructor(target: SqliteTarget) {
    const { db, owned } = resolveSqliteTarget(target);
    this.db = db;
    this.ownsDb = owned;
    db.exec(`CREATE TABLE IF NOT EXISTS dead_letters (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      consumer TEXT NOT NULL,
      source TEXT NOT NULL DEFAULT '${DEFAULT_DEAD_LETTER_SOURCE}',
      event_id TEXT,
      global_position INTEGER NOT NULL,
      event_type TEXT NOT NULL,
      event TEXT NOT NULL,
      error TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      parked_at TEXT NOT NULL,
      last_attempt_at TEXT NOT NULL
    )`);
    const columns = (db.prepare('PRAGMA table_info(dead_letters)').all() as Array<{ name: string }>).map((c) => c.name);
    // a table of an older version was keyed by (consumer, global_position): add the source and event id keys
    if (!columns.includes('source')) db.exec(`ALTER TABLE dead_letters ADD COLUMN source TEXT NOT NULL DEFAULT '${DEFAULT_DEAD_LETTER_SOURCE}'`);
    if (!columns.includes('event_id')) db.exec('ALTER TABLE dead_letters ADD COLUMN event_id TEXT');
    db.exec(`UPDATE dead_letters SET event_id = json_extract(event, '$.eventId') WHERE event_id IS NULL;
      CREATE UNIQUE INDEX IF NOT EXISTS dead_letters_by_event ON dead_letters (consumer, source, event_id)`);
  }

  async park({ consumer, source = DEFAULT_DEAD_LETTER_SOURCE, event, error, attempts }: ParkRequest): Promise<DeadLetter> {
    const now = new Date().toISOString();
    const row = this.db
      .prepare(
        `INSERT INTO dead_letters (consumer, source, event_id, global_position, event_type, event, error, attempts, parked_at, last_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (consumer, source, event_id) DO UPDATE SET
           error = excluded.error,
           attempts = dead_letters.attempts + excluded.attempts,
           last_attempt_at = excluded.last_attempt_at
         RETURNING *`,
      )
      .get(consumer, source, event.eventId, event.globalPosition, event.type, JSON.stringify(event), error, attempts, now, now) as DeadLetterRow;
    return toDeadLetter(row);
  }

  async list(consumer?: string): Promise<DeadLetter[]> {
    const rows = (
      consumer === undefined
        ? this.db.prepare('SELECT * FROM dead_letters ORDER BY id').all()
        : this.db.prepare('SELECT * FROM dead_letters WHERE consumer = ? ORDER BY id').all(consumer)
    ) as DeadLetterRow[];
    return rows.map(toDeadLetter);
  }

  async get(id: number): Promise<DeadLetter | undefined> {
    const row = this.db.prepare('SELECT * FROM dead_letters WHERE id = ?').get(id) as DeadLetterRow | undefined;
    return row && toDeadLetter(row);
  }

  async recordFailedRetry(id: number, error: string, attempts: number): Promise<void> {
    this.db
      .prepare('UPDATE dead_letters SET error = ?, attempts = ?, last_attempt_at = ? WHERE id = ?')
      .run(error, attempts, new Date().toISOString(), id);
  }

  async remove(id: number): Promise<void> {
    this.db.prepare('DELETE FROM dead_letters WHERE id = ?').run(id);
  }

  async close(): Promise<void> {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}
