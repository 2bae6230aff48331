/** Registry streams: one per enterprise, named by its credit code. */
export const ENTERPRISE_STREAM_PREFIX = 'enterprise-';
export const enterpriseStreamId = (creditCode: string): string => ENTERPRISE_STREAM_PREFIX + creditCode;
export const creditCodeOfStream = (streamId: string): string | undefined =>
  streamId.startsWith(ENTERPRISE_STREAM_PREFIX) ? streamId.slice(ENTERPRISE_STREAM_PREFIX.length) : undefined;
