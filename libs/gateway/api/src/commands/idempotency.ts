import { createHash } from 'node:crypto';
import { RemoteCommandError, type WireError } from '@liangxin/transport';

/** JSON with every object's keys sorted: the same request always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What the client asked: the command, its target (path parameters) and its body as sent. Not the payload the
 * gateway builds, which adds what it read meanwhile (a caseload, a district) and would differ on an honest retry.
 */
export const commandFingerprint = (pattern: string, params: unknown, body: unknown): string =>
  createHash('sha256').update(canonicalJson([pattern, params ?? {}, body ?? null])).digest('hex');

export const IDEMPOTENCY_KEY_REUSED: Readonly<WireError> = Object.freeze({
  code: 'IDEMPOTENCY_KEY_REUSED',
  message: 'This Idempotency-Key was already used for a different request; send a new key for a new request.',
  field: 'Idempotency-Key',
  kind: 'unprocessable',
});

/** keys remembered by one gateway; the oldest forgotten first (the services still compare within a stream) */
const REMEMBERED_KEYS = 100_000;

/**
 * The fingerprints of recent command ids, in this gateway's memory: catches a key reused for a command on
 * another stream or another service, which no single stream's history shows. A command refused with a
 * broken rule appended nothing, so its key is released for the corrected request.
 */
export class IdempotencyKeys {
  private readonly fingerprints = new Map<string, string>();

  /** remembers the command id's fingerprint, or throws IDEMPOTENCY_KEY_REUSED if it was used for another request */
  claim(commandId: string, fingerprint: string): void {
    const earlier = this.fingerprints.get(commandId);
    if (earlier !== undefined && earlier !== fingerprint) throw new RemoteCommandError({ ...IDEMPOTENCY_KEY_REUSED });
    this.fingerprints.delete(commandId);
    this.fingerprints.set(commandId, fingerprint);
    if (this.fingerprints.size > REMEMBERED_KEYS) this.fingerprints.delete(this.fingerprints.keys().next().value as string);
  }

  release(commandId: string, fingerprint: string): void {
    if (this.fingerprints.get(commandId) === fingerprint) this.fingerprints.delete(commandId);
  }
}
