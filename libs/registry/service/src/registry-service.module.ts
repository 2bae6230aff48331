import { Module } from '@nestjs/common';
import { RegistryCommandsController } from './registry-commands.controller';

/** The enterprise register (apps/registry): commands in, registry events out through the store's log. */
@Module({ controllers: [RegistryCommandsController] })
export class RegistryServiceModule {}

/** Stream prefixes whose events this service owns (and forwards to other services). */
export { ENTERPRISE_STREAM_PREFIX as REGISTRY_SOURCE_PREFIX } from '@liangxin/contracts';
