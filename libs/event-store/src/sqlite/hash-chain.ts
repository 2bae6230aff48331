import { createHash } from 'node:crypto';
import type { EventRow } from './schema';

/** Hash of the (non-existent) row before the first one, in the global chain and in every stream chain. */
export const GENESIS_HASH = '';

type HashedContent = Omit<EventRow, 'hash' | 'stream_hash'>;

/**
 * The stored columns in a fixed order. `data` and `metadata` are hashed as the exact JSON text stored,
 * so any changed byte of the row changes the hash.
 */
export const canonicalContent = (row: HashedContent): string =>
  JSON.stringify([
    row.global_position,
    row.event_id,
    row.stream_id,
    row.stream_version,
    row.type,
    row.schema_version,
    row.data,
    row.metadata,
    row.occurred_at,
    row.recorded_at,
    row.command_id,
  ]);

export const chainHash = (previousHash: string, content: string): string =>
  createHash('sha256').update(previousHash).update('\n').update(content).digest('hex');
