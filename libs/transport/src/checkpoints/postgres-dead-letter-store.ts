import type { Pool } from 'pg';
import type { RecordedEvent } from '@liangxin/contracts';
import { DEFAULT_DEAD_LETTER_SOURCE, type DeadLetter, type DeadLetterStore, type ParkRequest } from './dead-letter-store';
import { createTablesOnce, resolvePostgresTarget, type PostgresTarget } from './postgres-consumer-state';

const DEAD_LETTERS_LOCK_KEY = 7_301_518_840_102;

interface DeadLetterRow {
  id: string;
  consumer: string;
  source: string;
  event: RecordedEvent;
  error: string;
  attempts: number;
  parked_at: string;
  last_attempt_at: string;
}

const COLUMNS = `id, consumer, source, event, error, attempts,
  to_char(parked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS parked_at,
  to_char(last_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_attempt_at`;

const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: Number(row.id),
  consumer: row.consumer,
  source: row.source,
  event: row.event,
  error: row.error,
  attempts: row.attempts,
  parkedAt: row.parked_at,
  lastAttemptAt: row.last_attempt_at,
});

/** Dead letters as rows of a `dead_letters` table, one per (consumer, source, event id), the event as jsonb. */
export class PostgresDeadLetterStore implements DeadLetterStore {
  private constructor(
    private readonly pool: Pool,
    private readonly owned: boolean,
  ) {}

  static async open(target: PostgresTarget): Promise<PostgresDeadLetterStore> {
    const { pool, owned } = await resolvePostgresTarget(target);
    try {
      await createTablesOnce(
        pool,
        DEAD_LETTERS_LOCK_KEY,
        `CREATE TABLE IF NOT EXISTS dead_letters (
           id              bigserial   PRIMARY KEY,
           consumer        text        NOT NULL,
           source          text        NOT NULL DEFAULT '${DEFAULT_DEAD_LETTER_SOURCE}',
           event_id        text,
           global_position bigint      NOT NULL,
           event_type      text        NOT NULL,
           event           jsonb       NOT NULL,
           error           text        NOT NULL,
           attempts        integer     NOT NULL,
           parked_at       timestamptz NOT NULL,
           last_attempt_at timestamptz NOT NULL);
         -- a table of an older version was keyed by (consumer, global_position): add the source and event id keys
         ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT '${DEFAULT_DEAD_LETTER_SOURCE}';
         ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS event_id text;
         ALTER TABLE dead_letters DROP CONSTRAINT IF EXISTS dead_letters_consumer_global_position_key;
         UPDATE dead_letters SET event_id = event->>'eventId' WHERE event_id IS NULL;
         CREATE UNIQUE INDEX IF NOT EXISTS dead_letters_by_event ON dead_letters (consumer, source, event_id)`,
      );
    } catch (error) {
      if (owned) await pool.end();
      throw error;
    }
    return new PostgresDeadLetterStore(pool, owned);
  }

  async park({ consumer, source = DEFAULT_DEAD_LETTER_SOURCE, event, error, attempts }: ParkRequest): Promise<DeadLetter> {
    const { rows } = await this.pool.query<DeadLetterRow>(
      `INSERT INTO dead_letters (consumer, source, event_id, global_position, event_type, event, error, attempts, parked_at, last_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, now(), now())
       ON CONFLICT (consumer, source, event_id) DO UPDATE SET
         error = excluded.error,
         attempts = dead_letters.attempts + excluded.attempts,
         last_attempt_at = excluded.last_attempt_at
       RETURNING ${COLUMNS}`,
      [consumer, source, event.eventId, event.globalPosition, event.type, JSON.stringify(event), error, attempts],
    );
    return toDeadLetter(rows[0]);
  }

  async list(consumer?: string): Promise<DeadLetter[]> {
    const { rows } =
      consumer === undefined
        ? await this.pool.query<DeadLetterRow>(`SELECT ${COLUMNS} FROM dead_letters ORDER BY id`)
        : await this.pool.query<DeadLetterRow>(`SELECT ${COLUMNS} FROM dead_letters WHERE consumer = $1 ORDER BY id`, [consumer]);
    return rows.map(toDeadLetter);
  }

  async get(id: number): Promise<DeadLetter | undefined> {
    const { rows } = await this.pool.query<DeadLetterRow>(`SELECT ${COLUMNS} FROM dead_letters WHERE id = $1`, [id]);
    return rows[0] && toDeadLetter(rows[0]);
  }

  async recordFailedRetry(id: number, error: string, attempts: number): Promise<void> {
    await this.pool.query('UPDATE dead_letters SET error = $1, attempts = $2, last_attempt_at = now() WHERE id = $3', [error, attempts, id]);
  }

  async remove(id: number): Promise<void> {
    await this.pool.query('DELETE FROM dead_letters WHERE id = $1', [id]);
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.owned) await this.pool.end();
  }
}
