import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { isDomainError } from '@liangxin/event-sourcing';
import { isConcurrencyError } from '@liangxin/event-store';
import { throwError, type Observable } from 'rxjs';

/** A broken rule as it crosses a transport: what the gateway turns into an HTTP status. */
export interface RemoteErrorBody {
  code: string;
  message: string;
  field?: string;
  kind?: 'invalid' | 'not_found' | 'conflict' | 'forbidden';
}

/** The reply a handler's domain error becomes on the wire, the same on NATS and in-process. */
export interface RemoteErrorReply {
  error: RemoteErrorBody;
}

export const isRemoteErrorReply = (value: unknown): value is RemoteErrorReply =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as RemoteErrorReply).error === 'object' &&
  (value as RemoteErrorReply).error !== null &&
  typeof (value as RemoteErrorReply).error.code === 'string';

/** Turns what a handler threw into the wire reply, or undefined when it is not a rule being broken. */
export function toRemoteErrorReply(error: unknown): RemoteErrorReply | undefined {
  if (isDomainError(error)) {
    return { error: { code: error.code, message: error.message, field: error.field, kind: error.kind } };
  }
  if (isConcurrencyError(error)) {
    const message = error instanceof Error ? error.message : 'The record changed meanwhile; reload and retry';
    return { error: { code: 'CONCURRENCY_CONFLICT', message, kind: 'conflict' } };
  }
  if (error instanceof RpcException && isRemoteErrorReply(error.getError())) return error.getError() as RemoteErrorReply;
  if (isRemoteErrorReply(error)) return error;
  return undefined;
}

/**
 * Nest's default RPC filter replies "Internal server error" to anything that is not an RpcException,
 * which would hide a DomainError's code from the caller. Register this filter on every microservice
 * (`app.useGlobalFilters(new RpcDomainErrorFilter())`): broken rules go out as `{ error: {...} }`;
 * anything else is logged and rethrown as it was, so event consumers record the real cause.
 */
@Catch()
export class RpcDomainErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('RpcDomainErrorFilter');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const reply = toRemoteErrorReply(exception);
    if (reply) return throwError(() => reply);
    if (exception instanceof RpcException) return throwError(() => exception.getError());
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return throwError(() => exception);
  }
}

/**
 * What a client caller receives for a failed request: an RpcException whose error is
 * `{ code, message, field, kind }` for a broken rule, or a generic internal error otherwise
 * (internal details stay in the server's log, as they would across a network).
 */
export function toCallerError(error: unknown): RpcException {
  if (error instanceof RpcException && !isRemoteErrorReply(error.getError())) return error;
  const reply = toRemoteErrorReply(error);
  if (reply) return new RpcException({ ...reply.error });
  return new RpcException({ code: 'INTERNAL', message: 'Internal server error' });
}
