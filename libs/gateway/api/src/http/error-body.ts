import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { isStoreUnreachable, isWireError, RemoteCommandError, STORE_UNAVAILABLE_MESSAGE, type WireError, type WireErrorKind } from '@liangxin/transport';
import type { Request, Response } from 'express';
import { TimeoutError } from 'rxjs';

/** The one error shape every front end handles. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details: { field: string; reason: string }[];
  requestId?: string;
}

const statusByKind: Record<WireErrorKind, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  forbidden: HttpStatus.FORBIDDEN,
  internal: HttpStatus.INTERNAL_SERVER_ERROR,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

const reasonPhrase = (status: number): string =>
  (
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      409: 'Conflict',
      413: 'Payload Too Large',
      415: 'Unsupported Media Type',
      422: 'Unprocessable Entity',
      429: 'Too Many Requests',
      503: 'Service Unavailable',
    } as Record<number, string>
  )[status] ??
  (status >= 500 ? 'Internal Server Error' : 'Error');

/** A broken rule (or an unreachable service) as the transport delivered it. */
export function asWireError(error: unknown): WireError | undefined {
  if (error instanceof RemoteCommandError) return error.getError() as WireError;
  return isWireError(error) ? error : undefined;
}

/** The router's own refusal of a path segment that is not percent-encoded UTF-8 (it names no field of its own). */
const UNDECODABLE_PATH = /^Failed to decode param/;
const undecodablePath = (message: string): ErrorBody => ({
  statusCode: 400,
  error: reasonPhrase(400),
  message: 'A part of the address is not valid percent-encoded UTF-8',
  details: [{ field: 'path', reason: message }],
});

export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof URIError && UNDECODABLE_PATH.test(error.message)) return undecodablePath(error.message);
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse() as string | { message?: string | string[]; details?: ErrorBody['details'] };
    const message = typeof response === 'string' ? response : Array.isArray(response.message) ? response.message.join('; ') : (response.message ?? error.message);
    const details = typeof response === 'object' && Array.isArray(response.details) ? response.details : [];
    if (status === 400 && details.length === 0 && UNDECODABLE_PATH.test(message)) return undecodablePath(message);
    return { statusCode: status, error: reasonPhrase(status), message, details };
  }
  const parserError = error as { type?: string; status?: number; message?: string };
  if (parserError?.type === 'entity.too.large') {
    return { statusCode: 413, error: reasonPhrase(413), message: 'Request body is too large', details: [{ field: 'body', reason: 'exceeds the size limit' }] };
  }
  if (parserError?.type === 'entity.parse.failed') {
    return { statusCode: 400, error: reasonPhrase(400), message: 'Request body is not valid JSON', details: [{ field: 'body', reason: 'malformed JSON' }] };
  }
  if (parserError?.type === 'entity.too.deep') {
    return { statusCode: 400, error: reasonPhrase(400), message: parserError.message ?? 'Request body is nested too deeply', details: [{ field: 'body', reason: 'nested too deeply' }] };
  }
  if (parserError?.type === 'charset.unsupported' || parserError?.type === 'encoding.unsupported') {
    return { statusCode: 415, error: reasonPhrase(415), message: parserError.message ?? 'Unsupported body encoding', details: [{ field: 'content-type', reason: 'send JSON in UTF-8' }] };
  }
  // anything else the body parser refused (a request aborted mid-body, a wrong length): the client's fault, said plainly
  if (typeof parserError?.type === 'string' && typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return { statusCode: parserError.status, error: reasonPhrase(parserError.status), message: 'The request body could not be read', details: [{ field: 'body', reason: parserError.type }] };
  }
  const wire = asWireError(error);
  if (wire) {
    const status = statusByKind[wire.kind];
    return { statusCode: status, error: wire.code, message: wire.message, details: wire.field ? [{ field: wire.field, reason: wire.message }] : [] };
  }
  if (isStoreUnreachable(error)) {
    return { statusCode: 503, error: reasonPhrase(503), message: STORE_UNAVAILABLE_MESSAGE, details: [] };
  }
  if (error instanceof TimeoutError) {
    return { statusCode: 503, error: reasonPhrase(503), message: 'The service did not answer in time; the request may not have been applied. Retry with the same Idempotency-Key.', details: [] };
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
