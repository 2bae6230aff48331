/** Every service-request stream id starts with this prefix. */
export const SERVICE_REQUEST_STREAM_PREFIX = 'service-request-';

/** One stream per request: the consistency boundary of its lifecycle. */
export const serviceRequestStreamId = (requestId: string): string => `${SERVICE_REQUEST_STREAM_PREFIX}${requestId}`;

export const parseServiceRequestStreamId = (streamId: string): string | undefined =>
  streamId.startsWith(SERVICE_REQUEST_STREAM_PREFIX) && streamId.length > SERVICE_REQUEST_STREAM_PREFIX.length ? streamId.slice(SERVICE_REQUEST_STREAM_PREFIX.length) : undefined;
