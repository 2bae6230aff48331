import { randomFillSync } from 'node:crypto';

const random = Buffer.alloc(10);

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made close in time sort
 * close together, so the unique index on event ids grows at its end instead of touching a random page for
 * every insert (with random v4 ids that cost most of a small commit's write volume).
 */
export const timeOrderedUuid = (now = Date.now()): string => {
  randomFillSync(random);
  const time = now.toString(16).padStart(12, '0');
  const rand = random.toString('hex');
  const variant = ((random[2] & 0x3f) | 0x80).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${rand.slice(0, 3)}-${variant}${rand.slice(6, 8)}-${rand.slice(8, 20)}`;
};
