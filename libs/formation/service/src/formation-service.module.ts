import { type DynamicModule, Module } from '@nestjs/common';
import { EVENT_SOURCES, REGISTRY_EVENT_TYPES } from '@liangxin/contracts';
import type { FormationPolicy } from '@liangxin/formation-domain';
import { FormationCommandsController } from './formation-commands.controller';
import { FORMATION_POLICY, FormationEngine } from './formation-engine';
import { FormationReactionsController } from './formation-reactions.controller';
import { OrganisationTreeGuard } from './organisation-tree-guard';

/**
 * Party-organisation formation (apps/formation): the process manager applying the automatic rules to registry
 * events, and the officers' commands on organisations. Needs EVENT_STORE from the platform's InfrastructureModule.
 * Applies DEFAULT_FORMATION_POLICY unless `withPolicy` names another.
 */
@Module({ controllers: [FormationReactionsController, FormationCommandsController], providers: [FormationEngine, OrganisationTreeGuard] })
export class FormationServiceModule {
  static withPolicy(policy: FormationPolicy): DynamicModule {
    return { module: FormationServiceModule, providers: [{ provide: FORMATION_POLICY, useValue: policy }] };
  }
}

/** Stream prefixes whose events this service owns (and forwards to other services). */
export const FORMATION_SOURCE_PREFIXES = EVENT_SOURCES.formation;

/** Event types the service consumes: the registry's, and its own moves in the organisation tree (to undo a cycle two instances made). */
export const FORMATION_CONSUMED_EVENT_TYPES = [...REGISTRY_EVENT_TYPES, 'OrgParentChanged'] as const;

/** Durable consumer name of the formation service's event subscription (its checkpoint is kept under it). */
export const FORMATION_CONSUMER = 'formation';
