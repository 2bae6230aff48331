import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';

/** The one error shape every front end handles. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details: { field: string; reason: string }[];
  requestId?: string;
}

/** A rule broken inside a service, as it crosses the transport: `{ code, message, field, kind }`. */
interface RemoteDomainError {
  code: string;
  message: string;
  field?: string;
  kind?: 'invalid' | 'not_found' | 'conflict' | 'forbidden' | 'internal';
}

const statusByKind: Record<NonNullable<RemoteDomainError['kind']>, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  forbidden: HttpStatus.FORBIDDEN,
  internal: HttpStatus.INTERNAL_SERVER_ERROR,
};

const reasonPhrase = (status: number): string =>
  ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 503: 'Service Unavailable' })[status] ??
  (status >= 500 ? 'Internal Server Error' : 'Error');

/** Finds `{code, message}` in what a transport rethrew (RpcException, plain object, Error with fields). */
export function asRemoteDomainError(error: unknown): RemoteDomainError | undefined {
  const candidates: unknown[] = [error];
  if (error && typeof error === 'object') {
    const e = error as { error?: unknown; getError?: () => unknown; response?: unknown };
    candidates.push(e.error, typeof e.getError === 'function' ? e.getError() : undefined);
  }
  for (const c of candidates) {
    if (c && typeof c === 'object' && typeof (c as RemoteDomainError).code === 'string' && typeof (c as RemoteDomainError).message === 'string') {
      const found = c as RemoteDomainError;
      if (found.kind && found.kind in statusByKind) return found;
      if (found.code === 'CONCURRENCY_CONFLICT') return { ...found, kind: 'conflict' };
    }
  }
  return undefined;
}

export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse() as string | { message?: string | string[]; details?: ErrorBody['details'] };
    const message = typeof response === 'string' ? response : Array.isArray(response.message) ? response.message.join('; ') : (response.message ?? error.message);
    const details = typeof response === 'object' && Array.isArray(response.details) ? response.details : [];
    return { statusCode: status, error: reasonPhrase(status), message, details };
  }
  const parserError = error as { type?: string; status?: number; message?: string };
  if (parserError?.type === 'entity.too.large') {
    return { statusCode: 413, error: reasonPhrase(413), message: 'Request body is too large', details: [{ field: 'body', reason: 'exceeds the size limit' }] };
  }
  if (parserError?.type === 'entity.parse.failed') {
    return { statusCode: 400, error: reasonPhrase(400), message: 'Request body is not valid JSON', details: [{ field: 'body', reason: 'malformed JSON' }] };
  }
  const domain = asRemoteDomainError(error);
  if (domain) {
    const status = statusByKind[domain.kind ?? 'invalid'];
    return { statusCode: status, error: domain.code, message: domain.message, details: domain.field ? [{ field: domain.field, reason: domain.message }] : [] };
  }
  return { statusCode: 500, error: reasonPhrase(500), message: 'Something went wrong on our side; the request was not applied. Please retry.', details: [] };
}

@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request & { id?: string }>();
    const body = { ...toErrorBody(exception), requestId: request.id };
    if (body.statusCode >= 500) this.logger.error(`${request.method} ${request.url} [${request.id}]`, exception instanceof Error ? exception.stack : String(exception));
    response.status(body.statusCode).json(body);
  }
}
