import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { ClientProxy } from '@nestjs/microservices';
import { type HealthProbe, OpsModule } from '@liangxin/platform';
import type { AuditTrail, LiveProjections, ReadModelStore, TimeTravel } from '@liangxin/read-models';
import type { Registry } from 'prom-client';
import type { DeadLetterAdmin } from '@liangxin/transport';
import { AdminAudit } from './admin/admin-audit';
import { AdminController } from './admin/admin.controller';
import { DEAD_LETTERS, DeadLettersController } from './admin/dead-letters.controller';
import { JobsService } from './admin/jobs.service';
import { AuthGuard } from './auth/auth.guard';
import { TokenService } from './auth/tokens';
import { COMMAND_CLIENT, CommandSender } from './commands/command-sender';
import { EnterpriseCommandsController } from './enterprises/enterprise-commands.controller';
import { LedgerController } from './enterprises/ledger.controller';
import { EVALUATION_CONTROLLERS } from './evaluation';
import { ImportJobs } from './imports/import-jobs.service';
import { ImportsController } from './imports/imports.controller';
import { FUNDING_CONTROLLERS } from './funding';
import { ORG_COMMAND_CONTROLLERS } from './orgs';
import { REQUESTS_CONTROLLERS } from './requests';
import { STATISTICS_CONTROLLERS } from './statistics';
import { GATEWAY_SETTINGS, type GatewaySettings } from './gateway-settings';
import { LiveUpdatesController } from './ops/live-updates.controller';
import { DeclaredQueryInterceptor } from './read-side/declared-query.interceptor';
import { QueriesController } from './read-side/queries.controller';
import type { ProjectionRebuilder } from './read-side/projections';
import type { SettledPositions } from './read-side/settled/settled-position';
import { AUDIT_TRAIL, PROJECTION_REBUILDER, PROJECTION_RUNNER, READ_MODEL_STORE, SETTLED_POSITIONS, TIME_TRAVEL } from './read-side/tokens';

/** Every controller the gateway serves: the OpenAPI tests build their document from this list, so a new route cannot miss them. */
export const GATEWAY_CONTROLLERS = [
  EnterpriseCommandsController,
  LedgerController,
  QueriesController,
  AdminController,
  DeadLettersController,
  LiveUpdatesController,
  ...ORG_COMMAND_CONTROLLERS,
  ...FUNDING_CONTROLLERS,
  ...EVALUATION_CONTROLLERS,
  ...REQUESTS_CONTROLLERS,
  ...STATISTICS_CONTROLLERS,
  ImportsController,
];

/** What the app opens (by mode) and hands to the gateway. */
export interface GatewayDependencies {
  settings: GatewaySettings;
  tokens: TokenService;
  /** sends commands to the services: in-process or NATS request/reply */
  commands: ClientProxy;
  readModels: ReadModelStore;
  projections: LiveProjections;
  /** settled reads (X-Consistency: settled); without it they answer 503 */
  settledPositions?: SettledPositions;
  rebuildProjections: ProjectionRebuilder;
  timeTravel: TimeTravel;
  audit: AuditTrail;
  health: HealthProbe[];
  deadLetters: DeadLetterAdmin;
  metrics: Registry;
}

/** The HTTP edge: REST API, OpenAPI, auth, live updates, health and metrics. The dashboard is served beside it. */
@Module({})
export class GatewayApiModule {
  static forRoot(deps: GatewayDependencies): DynamicModule {
    return {
      module: GatewayApiModule,
      imports: [OpsModule.forRoot({ probes: deps.health, metrics: deps.metrics })],
      controllers: GATEWAY_CONTROLLERS,
      providers: [
        { provide: GATEWAY_SETTINGS, useValue: deps.settings },
        { provide: TokenService, useValue: deps.tokens },
        { provide: COMMAND_CLIENT, useValue: deps.commands },
        { provide: READ_MODEL_STORE, useValue: deps.readModels },
        { provide: PROJECTION_RUNNER, useValue: deps.projections },
        ...(deps.settledPositions ? [{ provide: SETTLED_POSITIONS, useValue: deps.settledPositions }] : []),
        { provide: PROJECTION_REBUILDER, useValue: deps.rebuildProjections },
        { provide: TIME_TRAVEL, useValue: deps.timeTravel },
        { provide: AUDIT_TRAIL, useValue: deps.audit },
        { provide: DEAD_LETTERS, useValue: deps.deadLetters },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: DeclaredQueryInterceptor },
        CommandSender,
        JobsService,
        ImportJobs,
        AdminAudit,
      ],
    };
  }
}
