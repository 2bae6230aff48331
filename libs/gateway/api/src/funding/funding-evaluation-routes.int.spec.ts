import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { type NewEvent, orgStreamId } from '@liangxin/contracts';
// The routes are tested against the real services behind them, as the embedded app runs them.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { EvaluationServiceModule } from '@liangxin/evaluation-service';
import { SqliteEventStore } from '@liangxin/event-store';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { FUNDING_CONSUMER, FundingServiceModule } from '@liangxin/funding-service';
import { loadConfig, startServiceApp } from '@liangxin/platform';
import { evaluationProjection, fundingProjection, ProjectionRunner, SqliteReadModelStore } from '@liangxin/read-models';
import { InProcessBus, InProcessClient, InProcessServer, SqliteCheckpointStore, SqliteDeadLetterStore } from '@liangxin/transport';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthGuard } from '../auth/auth.guard';
import { TokenService } from '../auth/tokens';
import { COMMAND_CLIENT, CommandSender } from '../commands/command-sender';
import { EVALUATION_CONTROLLERS } from '../evaluation/evaluation.controller';
import { configureHttpApp } from '../http/configure';
import { PROJECTION_RUNNER, READ_MODEL_STORE } from '../read-side/tokens';
import { FUNDING_CONTROLLERS } from './funding.controller';

const DISTRICT = '430104';

const orgFormed = (orgId: string): NewEvent => ({
  type: 'OrgFormed',
  schemaVersion: 1,
  occurredAt: '2024-06-01T02:00:00.000Z',
  data: {
    orgId,
    district: DISTRICT,
    automatic: true,
    name: `${orgId} 党支部`,
    mode: 'standalone',
    level: 'branch',
    committeeSize: 0,
    enterprises: [{ creditCode: '91430104MA4L000001', fullMembers: 3, probationaryMembers: 0 }],
    fullMembers: 3,
    probationaryMembers: 0,
  },
  metadata: { actor: 'system:formation', district: DISTRICT },
});

const rubric = {
  rubricId: 'five-standards',
  name: '五化',
  criteria: [
    { id: 'organisation-life', label: '组织生活正常化', weight: 1 },
    { id: 'role-played', label: '作用发挥', weight: 1 },
  ],
  starThresholds: [50, 60, 70, 80, 90],
  passScore: 60,
};

describe('funding and evaluation routes, over HTTP, in front of the real services', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liangxin-gateway-funding-'));
  const events = SqliteEventStore.open({ file: join(dir, 'events.sqlite'), durability: 'os', pollIntervalMs: 10 });
  const checkpoints = new SqliteCheckpointStore({ file: join(dir, 'consumers.sqlite') });
  const deadLetters = new SqliteDeadLetterStore({ file: join(dir, 'consumers.sqlite') });
  const readModels = SqliteReadModelStore.open(dir);
  const projections = new ProjectionRunner(events, readModels, [fundingProjection, evaluationProjection], { pollIntervalMs: 10 });
  const bus = new InProcessBus();
  const tokens = new TokenService({ adminToken: 'admin-secret-token-for-tests', jwtSecret: 'jwt-secret-for-tests' });
  const officer = tokens.issue({ subject: 'zhang', role: 'officer', districts: [DISTRICT] });
  const otherOfficer = tokens.issue({ subject: 'li', role: 'officer', districts: ['430105'] });
  const admin = tokens.adminToken;
  const services: INestMicroservice[] = [];
  let gateway: INestApplication;
  let base: string;

  beforeAll(async () => {
    const config = loadConfig({ DATA_DIR: dir });
    const serve = (name: string, module: typeof FundingServiceModule, consumer: string) =>
      startServiceApp({ name, module, config, eventStore: events, strategy: new InProcessServer({ consumer, store: events, checkpoints, deadLetters, bus }), logger: false });
    services.push(await serve('funding', FundingServiceModule, FUNDING_CONSUMER), await serve('evaluation', EvaluationServiceModule, 'evaluation'));
    await projections.start();

    const moduleRef = await Test.createTestingModule({
      controllers: [...FUNDING_CONTROLLERS, ...EVALUATION_CONTROLLERS],
      providers: [
        { provide: TokenService, useValue: tokens },
        { provide: COMMAND_CLIENT, useValue: new InProcessClient(bus) },
        { provide: READ_MODEL_STORE, useValue: readModels },
        { provide: PROJECTION_RUNNER, useValue: projections },
        { provide: APP_GUARD, useClass: AuthGuard },
        CommandSender,
      ],
    }).compile();
    gateway = moduleRef.createNestApplication({ logger: false });
    configureHttpApp(gateway);
    await gateway.listen(0, '127.0.0.1');
    base = await gateway.getUrl();
  });

  afterAll(async () => {
    await gateway.close();
    for (const service of services) await service.close();
    await projections.stop();
    await readModels.close();
    await checkpoints.close();
    await deadLetters.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(method: string, path: string, token: string, body?: object, headers: Record<string, string> = {}) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { position: number } };
  }
  const read = (path: string, token: string, minPosition: number) => call('GET', path, token, undefined, { 'x-min-position': String(minPosition) });

  it('allocates a budget, pays the formation subsidy by itself when an organisation is formed, and shows what is used and left', async () => {
    const allocated = await call('POST', '/api/funding/budgets', officer, { district: DISTRICT, year: 2024, amountFen: 25_000_00 });
    expect(allocated).toEqual({ status: 201, body: { position: expect.any(Number) } });

    const formed = await events.append(orgStreamId('org-1'), [orgFormed('org-1')], { expected: 'no_stream' });
    await bus.waitUntilApplied(FUNDING_CONSUMER, formed.lastPosition, 5_000);
    const head = await events.headPosition();

    const org = await read('/api/funding/orgs/org-1', officer, head);
    expect(org.status).toBe(200);
    expect(org.body).toMatchObject({ orgId: 'org-1', receivedFen: 10_000_00, grants: [{ item: 'formation', status: 'paid', justifiedBy: [formed.events[0].eventId] }] });
    const budgets = await read(`/api/funding/budgets?district=${DISTRICT}&year=2024`, officer, head);
    expect(budgets.body).toEqual([expect.objectContaining({ district: DISTRICT, year: 2024, allocatedFen: 25_000_00, usedFen: 10_000_00, leftFen: 15_000_00 })]);
  });

  it('refuses a grant beyond what is left with 409 BUDGET_EXCEEDED, and a district outside the officer’s with 403', async () => {
    const grant = { district: DISTRICT, year: 2024, orgId: 'org-1', item: 'venue_construction', venueScale: 'large', justifiedBy: ['inspection-1'] };
    const refused = await call('POST', '/api/funding/grants', officer, grant);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'BUDGET_EXCEEDED', details: [{ field: 'amountFen' }] });

    expect((await call('POST', '/api/funding/grants', otherOfficer, grant)).status).toBe(403);
    expect((await call('POST', '/api/funding/budgets', officer, { district: DISTRICT, year: 2024, amountFen: 1.5 })).status).toBe(400);
  });

  it('claws back a grant named in the path, returning the money to the budget', async () => {
    const paid = await call('POST', '/api/funding/grants', officer, { district: DISTRICT, year: 2024, orgId: 'org-1', item: 'member_activity', amountFen: 500_00, justifiedBy: ['activity-plan-3'] });
    expect(paid.status).toBe(201);
    const clawed = await call('POST', `/api/funding/grants/${String(paid.body['grantId'])}/claw-back`, officer, { district: DISTRICT, year: 2024, reason: 'activity cancelled', justifiedBy: ['cancellation-1'] });
    expect(clawed.status).toBe(200);

    const org = await read('/api/funding/orgs/org-1', officer, clawed.body.position);
    expect(org.body['grants']).toEqual(expect.arrayContaining([expect.objectContaining({ grantId: paid.body['grantId'], status: 'clawed_back', clawBackReason: 'activity cancelled' })]));
  });

  it('rates an organisation against the published rubric, summarises its district and makes its secretary eligible for the post subsidy', async () => {
    expect((await call('PUT', '/api/evaluation/rubric', officer, rubric)).status).toBe(403);
    const published = await call('PUT', '/api/evaluation/rubric', admin, rubric);
    expect(published).toMatchObject({ status: 200, body: { rubricId: 'five-standards', version: 1 } });

    const assessed = await call('POST', '/api/evaluation/assessments', officer, { orgId: 'org-1', district: DISTRICT, year: 2024, rubricId: 'five-standards', scores: { 'organisation-life': 80, 'role-played': 90 } });
    expect(assessed).toMatchObject({ status: 201, body: { totalScore: 85, stars: 5, passed: true } });

    const summary = await read(`/api/evaluation/districts/${DISTRICT}?year=2024`, officer, assessed.body.position);
    expect(summary.body).toMatchObject({ assessed: 1, passed: 1, passRate: 1, distribution: { '5': 1 } });
    const org = await read('/api/evaluation/orgs/org-1', officer, assessed.body.position);
    expect(org.body['years']).toEqual([expect.objectContaining({ year: 2024, stars: 5 })]);

    await bus.waitUntilApplied(FUNDING_CONSUMER, assessed.body.position, 5_000);
    const funding = await read('/api/funding/orgs/org-1', officer, await events.headPosition());
    expect(funding.body['secretaryPostEligibleYears']).toEqual([2024]);

    const corrected = await call('POST', '/api/evaluation/assessments/corrections', otherOfficer, { orgId: 'org-1', year: 2024, rubricId: 'five-standards', scores: { 'organisation-life': 10, 'role-played': 10 }, reason: 'x' });
    expect(corrected.status).toBe(403);
  });
});
