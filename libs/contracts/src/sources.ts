import { EVALUATION_STREAM_PREFIX } from './evaluation';
import { FORMATION_STREAM_PREFIXES } from './formation';
import { FUNDING_STREAM_PREFIX } from './funding';
import { ENTERPRISE_STREAM_PREFIX } from './registry';
import { SERVICE_REQUEST_STREAM_PREFIX } from './requests';

/**
 * Which streams each service owns. A service forwards exactly these to other services, and a consumer
 * of a service's events follows (and backfills from) exactly these: the single list both sides agree on.
 */
export const EVENT_SOURCES = {
  registry: [ENTERPRISE_STREAM_PREFIX],
  formation: FORMATION_STREAM_PREFIXES,
  funding: [FUNDING_STREAM_PREFIX],
  evaluation: [EVALUATION_STREAM_PREFIX],
  requests: [SERVICE_REQUEST_STREAM_PREFIX],
} as const satisfies Record<string, readonly string[]>;

export type ServiceName = keyof typeof EVENT_SOURCES;
export const SERVICE_NAMES = Object.keys(EVENT_SOURCES) as ServiceName[];
