import { Module } from '@nestjs/common';
import { SERVICE_REQUEST_STREAM_PREFIX } from '@liangxin/contracts';
import { RequestsCommandsController } from './requests-commands.controller';

/**
 * Service requests (apps/requests): an enterprise brings a need, the district accepts it, works on it
 * and resolves it, and the enterprise confirms or reopens it. Needs EVENT_STORE from the platform's
 * InfrastructureModule. It consumes no other service's events.
 */
@Module({ controllers: [RequestsCommandsController] })
export class RequestsServiceModule {}

/** Stream prefix whose events this service owns (and forwards to other services). */
export const REQUESTS_SOURCE_PREFIX = SERVICE_REQUEST_STREAM_PREFIX;

/** Durable consumer name of the requests service's event subscription (its checkpoint is kept under it). */
export const REQUESTS_CONSUMER = 'requests';
