import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { isDomainError } from '@liangxin/event-sourcing';
import { isConcurrencyError } from '@liangxin/event-store';
import { throwError, type Observable } from 'rxjs';

/** `unprocessable`: well-formed, but it cannot be applied as sent (an Idempotency-Key already used for another request). */
export type WireErrorKind = 'invalid' | 'not_found' | 'conflict' | 'unprocessable' | 'forbidden' | 'internal' | 'unavailable';

/**
 * How a failed command travels back to its caller, the same over JetStream and in-process: enough
 * for the gateway to pick an HTTP status (kind) and point at the input at fault (field).
 */
export interface WireError {
  code: string;
  message: string;
  field?: string;
  kind: WireErrorKind;
}

/** The body of a command reply on NATS. */
export type CommandReply<T = unknown> = { data: T } | { error: WireError };

/** What a caller learns of a failure nobody foresaw: the details stay in the server's log and dead letters. */
export const INTERNAL_ERROR: Readonly<WireError> = Object.freeze({ code: 'INTERNAL', message: 'Internal server error', kind: 'internal' });

const CONCURRENCY_CONFLICT_MESSAGE = 'Someone else changed this record at the same moment; reload it and try again';

const KINDS: readonly WireErrorKind[] = ['invalid', 'not_found', 'conflict', 'unprocessable', 'forbidden', 'internal', 'unavailable'];

export const isWireError = (value: unknown): value is WireError =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as WireError).code === 'string' &&
  typeof (value as WireError).message === 'string' &&
  KINDS.includes((value as WireError).kind);

const wireError = (code: string, message: string, kind: WireErrorKind, field?: string): WireError =>
  field ? { code, message, field, kind } : { code, message, kind };

/** The failure as the caller may see it, or undefined when it is not one meant for the caller. */
const toKnownWireError = (error: unknown): WireError | undefined => {
  if (isDomainError(error)) return wireError(error.code, error.message, error.kind, error.field);
  if (error instanceof RpcException) {
    const body = error.getError();
    // a handler that throws an RpcException with a code means it for the caller, kind or not
    if (typeof body === 'object' && body !== null && !isWireError(body)) {
      const { code, message, field } = body as Partial<WireError>;
      if (typeof code === 'string' && typeof message === 'string') return wireError(code, message, 'invalid', field);
    }
    return toKnownWireError(body);
  }
  if (isWireError(error)) return wireError(error.code, error.message, error.kind, error.field);
  if (isConcurrencyError(error)) return wireError('CONCURRENCY_CONFLICT', CONCURRENCY_CONFLICT_MESSAGE, 'conflict');
  if (isStoreUnreachable(error)) return wireError('STORE_UNAVAILABLE', STORE_UNAVAILABLE_MESSAGE, 'unavailable');
  return undefined;
};

/** Socket errors, and PostgreSQL's connection-exception (08…) and operator-intervention (57P0…) classes. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const UNREACHABLE_MESSAGE = /^Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect/;

export const STORE_UNAVAILABLE_MESSAGE = 'The record cannot be reached right now (the database is restarting or unreachable); the request may not have been applied. Retry with the same Idempotency-Key.';

/**
 * The store (a database server) could not be reached: a passing outage, not a fault of the request nor a bug, so the
 * caller hears 503 and retries, rather than 500.
 */
export const isStoreUnreachable = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (typeof code === 'string' && UNREACHABLE_CODES.has(code)) || (typeof message === 'string' && UNREACHABLE_MESSAGE.test(message));
};

/**
 * Whatever a handler threw, as its caller receives it: a broken rule keeps its code, field and kind;
 * a lost optimistic-concurrency race is a retryable conflict; anything else is INTERNAL_ERROR.
 */
export const toWireError = (error: unknown): WireError => toKnownWireError(error) ?? { ...INTERNAL_ERROR };

/** `No service answered "<pattern>"`: the request found nobody to handle it, or no answer in time. */
export const serviceUnavailable = (pattern: string, reason: string): WireError =>
  wireError('SERVICE_UNAVAILABLE', `No service answered "${pattern}": ${reason}`, 'unavailable');

/** The real text of an error, for the server's log and for dead letters (never for a caller). */
export const describeError = (error: unknown): string => {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  if (isWireError(error)) return `${error.code}${error.field ? ` (${error.field})` : ''}: ${error.message}`;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
};

/**
 * Register on every microservice app, whichever transport it uses
 * (`app.useGlobalFilters(new WireErrorFilter())`). Nest's default RPC filter turns every error but an
 * RpcException into "Internal server error", hiding a DomainError's code from the caller. This one
 * sends broken rules on as WireErrors, and logs anything else and rethrows it as it was, so that an
 * event consumer parks the real cause in its dead letters; the transports show callers only
 * INTERNAL_ERROR for it.
 */
@Catch()
export class WireErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('WireErrorFilter');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const known = toKnownWireError(exception);
    if (known) return throwError(() => known);
    this.logger.error(describeError(exception));
    return throwError(() => exception);
  }
}

/** What both clients rethrow for a failed request: an RpcException whose getError() is the WireError. */
export class RemoteCommandError extends RpcException {
  readonly code: string;
  readonly field?: string;
  readonly kind: WireErrorKind;

  constructor(readonly wire: WireError) {
    super(wire);
    this.code = wire.code;
    this.field = wire.field;
    this.kind = wire.kind;
    this.message = wire.message;
    this.name = 'RemoteCommandError';
  }

  override getError(): WireError {
    return this.wire;
  }
}

/** Whatever a request failed with, as the caller's RemoteCommandError. */
export const toRemoteCommandError = (error: unknown): RemoteCommandError =>
  error instanceof RemoteCommandError ? error : new RemoteCommandError(toWireError(error));
