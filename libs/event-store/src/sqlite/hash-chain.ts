import { hash } from 'node:crypto';
import type { EventRow } from './schema';

/**
 * Hashes are chained as hex strings (one-shot crypto.hash over a string is several times faster than a
 * Hash object per row) and stored as 32-byte blobs.
 * This is the hash of the (non-existent) row before the first one, in the global chain and in every stream chain.
 */
export const GENESIS_HASH = '';
export const toStoredHash = (hex: string): Buffer => Buffer.from(hex, 'hex');
export const fromStoredHash = (stored: Buffer | unknown): string =>
  Buffer.isBuffer(stored) ? stored.toString('hex') : String(stored);

type HashedContent = Omit<EventRow, 'hash' | 'stream_hash'>;

const field = (value: string | number | null): string => {
  const text = value === null ? '' : String(value);
  return `${value === null ? '-' : text.length}:${text}`;
};

/**
 * The stored columns in a fixed order, each prefixed by its length so no two rows share an encoding.
 * `data` and `metadata` are hashed as the exact JSON text stored, so any changed byte changes the hash.
 * (Length prefixes rather than JSON.stringify: re-escaping the JSON columns cost a third of append time.)
 */
export const canonicalContent = (row: HashedContent): string =>
  field(row.global_position) +
  field(row.event_id) +
  field(row.stream_id) +
  field(row.stream_version) +
  field(row.type) +
  field(row.schema_version) +
  field(row.data) +
  field(row.metadata) +
  field(row.occurred_at) +
  field(row.recorded_at) +
  field(row.command_id);

/** Link of the global chain: covers the row's whole content. */
export const chainHash = (previousHash: string, content: string): string => hash('sha256', `${previousHash}\n${content}`, 'hex');

/**
 * Link of a stream's chain: covers the row through its global hash (which already covers the content),
 * so the second chain costs a hash of 64 bytes rather than of the whole row.
 */
export const streamChainHash = (previousStreamHash: string, globalHash: string): string =>
  hash('sha256', `${previousStreamHash}\n${globalHash}`, 'hex');
