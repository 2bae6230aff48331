import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { ErrorBody } from './error-body';

type Detail = ErrorBody['details'][number];

/** Keys that name a prototype rather than data: refused like any unknown field, at any depth. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Thrown from the JSON parser's verify hook: answered as 400 naming `body` (see `toErrorBody`). */
export class JsonTooDeepError extends Error {
  readonly status = 400;
  readonly type = 'entity.too.deep';
  readonly expose = true;

  constructor(readonly maxDepth: number) {
    super(`JSON body nested deeper than ${maxDepth} levels`);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x7b, 0x5b]);
const CLOSERS = new Set([0x7d, 0x5d]);

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`, read without parsing it (so a body
 * 20 000 levels deep never reaches a recursive validator). Brackets inside strings do not count.
 */
export function nestsDeeperThan(codeAt: (index: number) => number, length: number, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < length; index++) {
    const code = codeAt(index);
    if (inString) {
      if (code === BACKSLASH) index++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) inString = true;
    else if (OPENERS.has(code)) {
      if (++depth > maxDepth) return true;
    } else if (CLOSERS.has(code)) depth--;
  }
  return false;
}

/** body-parser's `verify` hook: refuses a body nested deeper than `maxDepth` before it is parsed. */
export const jsonDepthVerifier =
  (maxDepth: number) =>
  (_request: IncomingMessage, _response: unknown, raw: Buffer, encoding: string): void => {
    // in UTF-8 no byte of a multi-byte character looks like a bracket or a quote; other charsets are decoded first
    const utf8 = /^utf-?8$/i.test(encoding);
    const text = utf8 ? undefined : new TextDecoder(encoding).decode(raw);
    const deep = text === undefined ? nestsDeeperThan((i) => raw[i], raw.length, maxDepth) : nestsDeeperThan((i) => text.charCodeAt(i), text.length, maxDepth);
    if (deep) throw new JsonTooDeepError(maxDepth);
  };

/**
 * What a parsed JSON body must not contain whatever the route: prototype keys (the validation pipe would
 * drop them silently) and numbers past 2^53 − 1 (JSON.parse has already rounded them: 2^53 + 1 arrives as 2^53).
 * The body is at most `maxJsonDepth` deep here, so recursion is safe.
 */
export function unsafeJsonDetails(value: unknown, path = '', found: Detail[] = []): Detail[] {
  if (typeof value === 'number' && !(Math.abs(value) <= Number.MAX_SAFE_INTEGER)) {
    found.push({ field: path || 'body', reason: `must be a number between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}` });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => unsafeJsonDetails(item, path ? `${path}.${index}` : String(index), found));
  } else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      const field = path ? `${path}.${key}` : key;
      if (PROTOTYPE_KEYS.has(key)) found.push({ field, reason: `property ${key} should not exist` });
      else unsafeJsonDetails((value as Record<string, unknown>)[key], field, found);
    }
  }
  return found;
}

const answer = (request: Request & { id?: string }, response: Response, status: number, error: string, message: string, details: Detail[]) =>
  response.status(status).json({ statusCode: status, error, message, details, requestId: request.id });

/** Refuses a parsed body holding prototype keys or inexact numbers, naming each field. */
export function refuseUnsafeJson(request: Request & { id?: string }, response: Response, next: NextFunction): void {
  const details = request.body === undefined ? [] : unsafeJsonDetails(request.body).slice(0, 20);
  if (details.length === 0) return next();
  answer(request, response, 400, 'Bad Request', details.map((d) => `${d.field}: ${d.reason}`).join('; '), details);
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The one route taking a file (a register to import) as multipart/form-data instead of JSON. */
export const UPLOAD_PATH = '/api/imports';

const carriesBody = (request: Request): boolean => request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;

/** A write's body is JSON or nothing: a form or text body is answered 415 instead of reaching a route as `{}`. */
export function requireJsonBodies(request: Request & { id?: string }, response: Response, next: NextFunction): void {
  if (!WRITE_METHODS.has(request.method) || !carriesBody(request) || request.is('application/json')) return next();
  if (request.method === 'POST' && request.path === UPLOAD_PATH && request.is('multipart/form-data')) return next();
  answer(request, response, 415, 'Unsupported Media Type', 'Send the request body as JSON (Content-Type: application/json)', [
    { field: 'content-type', reason: `must be application/json, got ${request.headers['content-type'] ?? 'none'}` },
  ]);
}

/** Who a request is, for the limits: its token (hashed: a 16 kB header must not cost 16 kB of memory), else its address. */
export function callerKey(request: Request): string {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
  const queryToken = typeof request.query?.['access_token'] === 'string' ? (request.query['access_token'] as string) : undefined;
  const token = bearer ?? queryToken;
  return token ? `token:${createHash('sha256').update(token).digest('base64url')}` : `address:${request.socket.remoteAddress ?? 'unknown'}`;
}

/** Callers remembered at most; beyond, those whose bucket has refilled are forgotten (they lose nothing). */
const MAX_TRACKED_CALLERS = 10_000;

/**
 * A token bucket per caller, in this process's memory: `burst` writes at once, refilled at `perSecond`.
 * Each gateway instance counts alone (README, Configuration).
 */
export class WriteRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** takes one write from the caller's bucket: 0 if allowed, else the seconds to wait */
  take(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > MAX_TRACKED_CALLERS) this.forgetRefilled(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }

  private forgetRefilled(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(key);
      if (this.buckets.size <= MAX_TRACKED_CALLERS / 2) return;
    }
    // all busy: drop the least recently seen
    while (this.buckets.size > MAX_TRACKED_CALLERS) this.buckets.delete(this.buckets.keys().next().value as string);
  }

  middleware() {
    return (request: Request & { id?: string }, response: Response, next: NextFunction): void => {
      if (!WRITE_METHODS.has(request.method)) return next();
      const waitSeconds = this.take(callerKey(request));
      if (waitSeconds === 0) return next();
      response.setHeader('Retry-After', String(waitSeconds));
      answer(request, response, 429, 'Too Many Requests', `Too many writes with this token; retry in ${waitSeconds} s`, [
        { field: 'authorization', reason: `at most ${this.perSecond} writes per second per token (bursts of ${this.burst})` },
      ]);
    };
  }
}

/** Caps the live-update (SSE) connections held open, per token and in total; past either cap: 429. */
export class StreamConnectionCap {
  private readonly byCaller = new Map<string, number>();
  private total = 0;

  constructor(
    readonly perToken: number,
    readonly overall: number,
  ) {}

  get open(): number {
    return this.total;
  }

  middleware() {
    return (request: Request & { id?: string }, response: Response, next: NextFunction): void => {
      const key = callerKey(request);
      const mine = this.byCaller.get(key) ?? 0;
      if (mine >= this.perToken || this.total >= this.overall) {
        const reason = mine >= this.perToken ? `at most ${this.perToken} live-update connections per token` : `the server holds its maximum of ${this.overall} live-update connections`;
        answer(request, response, 429, 'Too Many Requests', `Too many live-update connections: close one first (${reason})`, [{ field: 'authorization', reason }]);
        return;
      }
      this.byCaller.set(key, mine + 1);
      this.total++;
      response.once('close', () => {
        this.total--;
        const left = (this.byCaller.get(key) ?? 1) - 1;
        if (left > 0) this.byCaller.set(key, left);
        else this.byCaller.delete(key);
      });
      next();
    };
  }
}
