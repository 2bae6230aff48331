import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import type { EventStore } from '@liangxin/event-store';
import type { LiangxinConfig } from './config';
import { EVENT_STORE, LIANGXIN_CONFIG } from './tokens';

/**
 * Hands the adapters opened at start (by mode) to every module of one Nest app.
 * The same service module runs unchanged over SQLite or KurrentDB because it only sees the port.
 */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(options: { config: LiangxinConfig; eventStore: EventStore; providers?: Provider[] }): DynamicModule {
    const providers: Provider[] = [
      { provide: LIANGXIN_CONFIG, useValue: options.config },
      { provide: EVENT_STORE, useValue: options.eventStore },
      ...(options.providers ?? []),
    ];
    return { module: InfrastructureModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }
}
