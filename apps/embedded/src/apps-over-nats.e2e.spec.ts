import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestMicroservice } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { EVENT_SOURCES, serviceRequestStreamId } from '@liangxin/contracts';
import { EvaluationServiceModule } from '@liangxin/evaluation-service';
import { SqliteEventStore } from '@liangxin/event-store';
import { FormationServiceModule } from '@liangxin/formation-service';
import { FundingServiceModule } from '@liangxin/funding-service';
import { type GatewayApp, startGatewayApp } from '@liangxin/gateway-api';
import { loadConfig, startServiceApp } from '@liangxin/platform';
import { SqliteReadModelStore } from '@liangxin/read-models';
import { generateCreditCode } from '@liangxin/registry-domain';
import { RegistryServiceModule } from '@liangxin/registry-service';
import { RequestsServiceModule } from '@liangxin/requests-service';
import { JetStreamClient, JetStreamConsumerProgress, JetStreamDeadLetters, JetStreamServer, SqliteCheckpointStore, StoreForwarder } from '@liangxin/transport';
import { NatsServerProcess } from '@liangxin/transport/testing';
import { FIVE_STANDARDS_RUBRIC } from './testing';

/**
 * Distributed mode as far as it runs on this machine: the five services and the gateway as separate Nest apps
 * that talk only through a real nats-server — commands by request/reply, events by JetStream, each service
 * forwarding its own streams from the store's log with a checkpoint and consuming the sources its main.ts names.
 * KurrentDB and MongoDB cannot run here, so one SQLite file stands in for the event store and one for the read
 * models; the adapters for both pass their contract suites where those servers are set.
 */
const SERVICES = [
  { name: 'registry', module: RegistryServiceModule, consumes: [] },
  { name: 'formation', module: FormationServiceModule, consumes: ['registry', 'formation'] },
  { name: 'funding', module: FundingServiceModule, consumes: ['formation', 'evaluation'] },
  { name: 'evaluation', module: EvaluationServiceModule, consumes: [] },
  { name: 'requests', module: RequestsServiceModule, consumes: [] },
] as const;
const DISTRICT = '430104';
/** the budget year the formation subsidy is paid from: the year in Beijing when the organisation is formed */
const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
const rubric = FIVE_STANDARDS_RUBRIC;

describe('the five services and the gateway as separate apps over a real nats-server (JetStream), driven over HTTP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liangxin-apps-over-nats-'));
  const config = loadConfig({ DATA_DIR: dir, MAX_DELIVERIES: '3' });
  let nats: NatsServerProcess;
  let connection: NatsConnection;
  let store: SqliteEventStore;
  let checkpoints: SqliteCheckpointStore;
  let readModels: SqliteReadModelStore;
  let commands: JetStreamClient;
  let gateway: GatewayApp;
  const forwarders: StoreForwarder[] = [];
  const services: INestMicroservice[] = [];
  const tokens = { admin: '', officer: '', enterprise: '' };
  const code = generateCreditCode(DISTRICT, 501);

  beforeAll(async () => {
    nats = await NatsServerProcess.start();
    store = SqliteEventStore.open({ file: join(dir, 'events.sqlite'), durability: 'os', pollIntervalMs: 20 });
    checkpoints = new SqliteCheckpointStore({ file: join(dir, 'consumers.sqlite') });
    connection = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const source = (name: keyof typeof EVENT_SOURCES) => ({ name, store, streamPrefixes: EVENT_SOURCES[name] });
    for (const { name, module, consumes } of SERVICES) {
      const forwarder = new StoreForwarder({ source: source(name), connection, checkpoints, publishTimeoutMs: 1_000, retryDelayMs: 100 });
      await forwarder.start();
      forwarders.push(forwarder);
      const strategy = new JetStreamServer({ servers: nats.url, service: name, sources: consumes.map(source), checkpoints, maxDeliveries: 3, pullExpiresMs: 1_000 });
      services.push(await startServiceApp({ name, module, config, eventStore: store, strategy, logger: false }));
    }
    readModels = SqliteReadModelStore.open(dir, 'read-models.sqlite');
    commands = new JetStreamClient({ servers: nats.url, timeoutMs: 5_000 });
    await commands.connect();
    gateway = await startGatewayApp({
      config,
      eventStore: store,
      readModels,
      commands,
      deadLetters: new JetStreamDeadLetters(connection),
      consumerProgress: new JetStreamConsumerProgress(connection),
      transportHealth: { name: 'transport', check: async () => ({ nats: connection.isClosed() ? 'closed' : 'connected' }) },
      port: 0,
      logger: false,
    });
    tokens.admin = gateway.tokens.adminToken;
    const issue = async (principal: object) => (await call('POST', '/api/admin/tokens', tokens.admin, principal)).body['token'] as string;
    tokens.officer = await issue({ subject: 'nats-officer', role: 'officer', districts: [DISTRICT] });
    tokens.enterprise = await issue({ subject: 'nats-enterprise', role: 'enterprise', creditCode: code });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    for (const service of services.reverse()) await service.close();
    for (const forwarder of forwarders) await forwarder.stop();
    await commands?.close();
    await connection?.close();
    await readModels?.close();
    await checkpoints?.close();
    await store?.close();
    await nats?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(method: string, path: string, token: string, json?: object, extraHeaders: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> & { position?: number } }> {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json && { 'content-type': 'application/json' }), ...extraHeaders },
      body: json && JSON.stringify(json),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {} };
  }

  /** what other services do in reaction arrives later than any reply: read until it shows */
  async function eventually<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('registers an enterprise; formation forms its branch and funding pays the formation subsidy, each reacting to events over JetStream', async () => {
    expect((await call('POST', '/api/funding/budgets', tokens.officer, { district: DISTRICT, year: YEAR, amountFen: 50_000_00 })).status).toBe(201);
    const registered = await call('POST', '/api/enterprises', tokens.officer, { creditCode: code, name: '长沙远程装备有限公司', kind: 'enterprise', employees: 60, fullMembers: 3, probationaryMembers: 1 });
    expect(registered.status).toBe(201);

    const orgId = await eventually('the branch formed by the formation service', async () => {
      const enterprise = await call('GET', `/api/enterprises/${code}`, tokens.officer);
      return (enterprise.body['orgId'] as string | null) ?? undefined;
    });
    const formed = (await store.readAll({ types: ['OrgFormed'] })).find((e) => (e.data as { orgId: string }).orgId === orgId);
    expect(formed?.metadata).toMatchObject({ actor: 'system:formation', causationId: (await store.readStream(`enterprise-${code}`))[0].eventId });

    const grants = await eventually('the formation subsidy paid by the funding service', async () => {
      const funding = await call('GET', `/api/funding/orgs/${orgId}`, tokens.officer);
      return funding.status === 200 ? (funding.body['grants'] as { item: string; status: string }[]) : undefined;
    });
    expect(grants).toEqual([expect.objectContaining({ item: 'formation', status: 'paid' })]);
    // paid once, though JetStream may deliver the OrgFormed more than once
    expect(await store.readAll({ types: ['SubsidyGranted'] })).toEqual([expect.objectContaining({ data: expect.objectContaining({ orgId, item: 'formation' }) })]);
  });

  it('shows, in the read that follows a registration with X-Consistency: settled, the branch formation formed and the subsidy funding paid over JetStream', async () => {
    const settledCode = generateCreditCode(DISTRICT, 502);
    const registered = await call('POST', '/api/enterprises', tokens.officer, { creditCode: settledCode, name: '长沙结算装备有限公司', kind: 'enterprise', employees: 60, fullMembers: 4, probationaryMembers: 0 });
    expect(registered.status).toBe(201);
    const settled = { 'X-Min-Position': String(registered.body.position), 'X-Consistency': 'settled' };

    const enterprise = await call('GET', `/api/enterprises/${settledCode}`, tokens.officer, undefined, settled);
    expect(enterprise).toMatchObject({ status: 200, body: { coverage: 'organisational', orgMode: 'standalone', orgId: expect.any(String) } });
    const funding = await call('GET', `/api/funding/orgs/${String(enterprise.body['orgId'])}`, tokens.officer, undefined, settled);
    expect(funding).toMatchObject({ status: 200, body: { grants: [expect.objectContaining({ item: 'formation', status: 'paid' })] } });
  });

  it('rates the organisation in the evaluation service, and funding learns over JetStream that its secretary may be paid', async () => {
    const orgId = (await call('GET', `/api/enterprises/${code}`, tokens.officer)).body['orgId'] as string;
    expect((await call('PUT', '/api/evaluation/rubric', tokens.admin, rubric)).status).toBe(200);
    const assessed = await call('POST', '/api/evaluation/assessments', tokens.officer, { orgId, district: DISTRICT, year: YEAR, rubricId: 'five-standards', scores: { 'organisation-life': 80, 'role-played': 90 } });
    expect(assessed).toMatchObject({ status: 201, body: { stars: 5, passed: true } });
    await eventually('the pass reaching funding', async () => {
      const funding = await call('GET', `/api/funding/orgs/${orgId}`, tokens.officer);
      return (funding.body['secretaryPostEligibleYears'] as number[] | undefined)?.includes(YEAR) ? true : undefined;
    });
  });

  it('takes a service request from the enterprise to the officer through the requests service', async () => {
    const submitted = await call('POST', '/api/requests', tokens.enterprise, { creditCode: code, category: 'hiring', description: '招聘20名技工' });
    expect(submitted.status).toBe(201);
    const requestId = submitted.body['requestId'] as string;
    const accepted = await call('POST', `/api/requests/${requestId}/accept`, tokens.officer, { owner: { kind: 'service-group', id: 'group-1', name: '第一服务组' }, dueDate: `${YEAR + 1}-01-31` });
    expect(accepted.status).toBe(200);
    expect((await store.readStream(serviceRequestStreamId(requestId))).map((e) => e.type)).toEqual(['RequestSubmitted', 'RequestAccepted']);
  });

  it('answers a refusal from a service over NATS with its code and field, and bad input at the edge with 400; nothing appended', async () => {
    const head = await store.headPosition();
    const again = await call('POST', '/api/enterprises', tokens.officer, { creditCode: code, name: '重复登记', kind: 'enterprise', employees: 1, fullMembers: 0, probationaryMembers: 0 });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ details: [{ field: 'creditCode' }] });
    const bad = await call('POST', '/api/enterprises', tokens.officer, { creditCode: code, name: '', kind: 'enterprise', employees: -1, fullMembers: 0, probationaryMembers: 0 });
    expect(bad.status).toBe(400);
    expect((bad.body['details'] as { field: string }[]).map((d) => d.field)).toEqual(expect.arrayContaining(['name', 'employees']));
    expect(await store.headPosition()).toBe(head);
  });

  it('answers a settled read with 503 while a service that follows events is down: nobody can say what it would still append', async () => {
    const funding = services.splice(SERVICES.findIndex((service) => service.name === 'funding'), 1)[0];
    await funding.close();
    const downCode = generateCreditCode(DISTRICT, 503);
    const registered = await call('POST', '/api/enterprises', tokens.officer, { creditCode: downCode, name: '长沙停机装备有限公司', kind: 'enterprise', employees: 60, fullMembers: 4, probationaryMembers: 0 });
    expect(registered.status).toBe(201);
    const read = await call('GET', `/api/enterprises/${downCode}`, tokens.officer, undefined, { 'X-Min-Position': String(registered.body.position), 'X-Consistency': 'settled' });
    expect(read.status).toBe(503);
    expect(read.body).toMatchObject({ message: expect.stringContaining('"funding"'), details: [{ field: 'X-Consistency' }] });
  }, 30_000);
});
