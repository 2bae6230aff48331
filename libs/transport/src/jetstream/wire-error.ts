import { ArgumentsHost, Catch, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { isDomainError } from '@liangxin/event-sourcing';
import { throwError, type Observable } from 'rxjs';

export type WireErrorKind = 'invalid' | 'not_found' | 'conflict' | 'forbidden' | 'internal' | 'unavailable';

/** How a failed command travels back to the caller: enough for the gateway to pick a status and a field. */
export interface WireError {
  code: string;
  message: string;
  field?: string;
  kind: WireErrorKind;
}

export type CommandReply<T = unknown> = { data: T } | { error: WireError };

const KINDS: readonly WireErrorKind[] = ['invalid', 'not_found', 'conflict', 'forbidden', 'internal', 'unavailable'];

const isWireError = (value: unknown): value is WireError =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as WireError).code === 'string' &&
  typeof (value as WireError).message === 'string' &&
  KINDS.includes((value as WireError).kind);

/** Whatever a handler threw (or Nest's exception layer turned it into), as a WireError. */
export const toWireError = (error: unknown): WireError => {
  if (isDomainError(error)) {
    return { code: error.code, message: error.message, kind: error.kind, ...(error.field ? { field: error.field } : {}) };
  }
  if (error instanceof RpcException) return toWireError(error.getError());
  if (isWireError(error)) return { code: error.code, message: error.message, kind: error.kind, ...(error.field ? { field: error.field } : {}) };
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'INTERNAL', message: (error as { message: string }).message, kind: 'internal' };
  }
  return { code: 'INTERNAL', message: String(error), kind: 'internal' };
};

/**
 * Nest's default RPC filter hides every error but RpcException behind "Internal server error". Register
 * this one (`app.useGlobalFilters(new WireErrorFilter())`) so DomainErrors reach the caller with their
 * code, field and kind, and dead letters record what actually went wrong.
 */
@Catch()
export class WireErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => toWireError(exception));
  }
}

/** A command failed on the service that handled it; carries the remote code, field and kind. */
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
}
