import { type DynamicModule, type INestMicroservice, type LoggerService, type LogLevel, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import type { EventStore } from '@liangxin/event-store';
import { WireErrorFilter } from '@liangxin/transport';
import type { LiangxinConfig } from './config';
import { InfrastructureModule } from './infrastructure.module';

/** A root module per service, so each service is its own Nest app whichever process it runs in. */
export function serviceRootModule(name: string, imports: Array<Type | DynamicModule>): Type {
  const root = class {};
  Object.defineProperty(root, 'name', { value: `${name[0].toUpperCase()}${name.slice(1)}RootModule` });
  Module({ imports })(root);
  return root;
}

export interface ServiceAppOptions {
  name: string;
  module: Type | DynamicModule;
  config: LiangxinConfig;
  eventStore: EventStore;
  strategy: CustomTransportStrategy;
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Starts one service (registry, formation, funding, evaluation) as a Nest microservice on the given
 * transport strategy: in-process in the embedded default, JetStream in distributed mode. The service
 * module is the same in both; only the strategy and the store adapter differ.
 */
export async function startServiceApp(options: ServiceAppOptions): Promise<INestMicroservice> {
  const root = serviceRootModule(options.name, [InfrastructureModule.forRoot({ config: options.config, eventStore: options.eventStore }), options.module]);
  const app = await NestFactory.createMicroservice(root, { strategy: options.strategy, logger: options.logger });
  // Broken rules must reach the caller with their code and field, and dead letters must record the real cause.
  app.useGlobalFilters(new WireErrorFilter());
  await app.listen();
  return app;
}
