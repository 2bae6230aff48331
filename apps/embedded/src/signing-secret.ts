import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file in DATA_DIR that keeps the embedded system's token-signing secret across restarts. */
export const SIGNING_SECRET_FILE = 'jwt-secret';

/**
 * JWT_SECRET when set; otherwise the secret kept in DATA_DIR, made on the first start (readable by its owner only),
 * so tokens issued before a restart still verify after it. Only the embedded mode does this: a distributed gateway
 * must be given its secret (several instances share it).
 */
export function signingSecret(dataDir: string, configured: string | undefined): string {
  if (configured) return configured;
  const file = join(dataDir, SIGNING_SECRET_FILE);
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return kept;
  }
  const made = randomBytes(32).toString('base64url');
  writeFileSync(file, `${made}\n`, { mode: 0o600 });
  return made;
}
