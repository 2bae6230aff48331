import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@liangxin/event-store';
import { AuditTrail } from './audit/audit-trail';
import { projectionContentHash } from './content-hash';
import { allProjections, COVERAGE, type Coverage, coverageProjection, ENTERPRISE_STATUS, enterpriseStatusProjection, type EnterpriseStatus } from './projections';
import { rebuildProjections, type RebuildProgress } from './rebuild/rebuild';
import { ProjectionRunner } from './runner/projection-runner';
import { UnitOfWork } from './runner/unit-of-work';
import { SqliteReadModelStore } from './store/sqlite-read-model-store';
import { appendLoad } from './testing/append-load';
import { type GeneratedEvent, generateLoad } from './testing/generate-events';
import { TimeTravel } from './time-travel/time-travel';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('read models over the real SQLite event store, after a randomised load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liangxin-read-models-'));
  const events = SqliteEventStore.open({ file: join(dir, 'events.db'), durability: 'os', pollIntervalMs: 20 });
  const store = SqliteReadModelStore.open(dir);
  const projections = allProjections();
  const coverage = projections.find((p) => p.name === 'coverage') ?? coverageProjection();
  const runner = new ProjectionRunner(events, store, projections, { batchSize: 250, snapshotEvery: 700, pollIntervalMs: 20 });
  const everything: GeneratedEvent[] = [...generateLoad({ seed: 42, events: 6_050 })];
  const load = everything.slice(0, -50);
  const late = everything.slice(-50);
  const half = Math.floor(load.length / 2);
  const captured: { position: number; timestamp: string; coverage: Map<string, Coverage>; enterprises: Map<string, EnterpriseStatus> } = {
    position: 0,
    timestamp: '',
    coverage: new Map(),
    enterprises: new Map(),
  };

  beforeAll(async () => {
    await runner.start();
    await appendLoad(events, load.slice(0, half));
    captured.position = await events.headPosition();
    await runner.waitForPosition(captured.position);
    for (const d of await store.find<Coverage>(COVERAGE)) captured.coverage.set(d.id, d.body);
    for (const d of (await store.find<EnterpriseStatus>(ENTERPRISE_STATUS)).slice(0, 200)) captured.enterprises.set(d.id, d.body);
    await sleep(5);
    captured.timestamp = new Date().toISOString();
    await sleep(5);
    await appendLoad(events, load.slice(half));
    await runner.waitForPosition(await events.headPosition());
  });

  afterAll(async () => {
    await runner.stop();
    await events.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('produces coverage that adds up in every district', async () => {
    const districts = await store.find<Coverage>(COVERAGE, { scope: 'district' });
    expect(districts.length).toBeGreaterThan(1);
    for (const { body } of districts) {
      expect(body.organisational + body.work + body.none).toBe(body.enterprises);
      expect(body.withMembers).toBeLessThanOrEqual(body.enterprises);
    }
    const statuses = await store.find<EnterpriseStatus>(ENTERPRISE_STATUS, { district: districts[0].body.key });
    const counted = statuses.filter((s) => s.body.operatingStatus !== 'deregistered');
    expect(districts[0].body.enterprises).toBe(counted.length);
    expect(districts[0].body.organisational).toBe(counted.filter((s) => s.body.coverage === 'organisational').length);
    expect(districts[0].body.uncoveredLarge).toEqual(
      counted.filter((s) => s.body.mustBeOrganisationallyCovered && s.body.coverage !== 'organisational').map((s) => s.id),
    );
  });

  it('answers time travel (by position and by timestamp) exactly as the live projection answered then', async () => {
    const travel = new TimeTravel(events, store);
    const ids = [...captured.coverage.keys()];
    const byPosition = await travel.documentsAsOf<Coverage>(coverage, COVERAGE, ids, { position: captured.position });
    expect(Object.fromEntries(byPosition)).toEqual(Object.fromEntries(captured.coverage));
    expect(await travel.positionAt(coverage, captured.timestamp)).toBe(captured.position);
    const byTime = await travel.documentAsOf<Coverage>(coverage, COVERAGE, ids[0], { timestamp: captured.timestamp });
    expect(byTime).toEqual(captured.coverage.get(ids[0]));
    const enterpriseIds = [...captured.enterprises.keys()];
    const enterprises = await travel.documentsAsOf<EnterpriseStatus>(enterpriseStatusProjection, ENTERPRISE_STATUS, enterpriseIds, { position: captured.position });
    expect(Object.fromEntries(enterprises)).toEqual(Object.fromEntries(captured.enterprises));
    expect((await store.nearestSnapshot('coverage', { position: captured.position }))?.position).toBeGreaterThan(0);
  });

  it('treats a redelivered event as a no-op', async () => {
    const redelivered = await events.readAll({ after: 0, limit: 3_000 });
    for (const projection of projections) {
      const unit = new UnitOfWork((collection, id) => store.get(collection, id));
      for (const event of redelivered) await projection.apply(event, unit);
      expect(unit.changes()).toEqual([]);
    }
  });

  it('rebuilds every projection from scratch beside the live ones, swaps while being read, and ends identical', async () => {
    const before = await Promise.all(projections.map((p) => projectionContentHash(store, p)));
    const progress: RebuildProgress[] = [];
    let reading = true;
    let readsDuringRebuild = 0;
    const reader = (async () => {
      while (reading) {
        const districts = await store.find<Coverage>(COVERAGE, { scope: 'district' });
        expect(districts.length).toBeGreaterThan(1);
        readsDuringRebuild += 1;
        await sleep(0);
      }
    })();
    // small flushes and a small cache, so documents are flushed, evicted and read back many times over
    const result = await rebuildProjections(events, store, projections, {
      batchSize: 500,
      flushEvery: 1_000,
      snapshotEvery: 700,
      cacheDocuments: 300,
      maxDirtyDocuments: 2_000,
      onProgress: (p) => progress.push(p),
    });
    reading = false;
    await reader;
    expect(readsDuringRebuild).toBeGreaterThan(0);
    expect(result.events).toBe(await events.headPosition());
    expect(progress.at(-1)).toMatchObject({ phase: 'swapped', done: result.events, total: result.events });
    expect(progress.length).toBeGreaterThan(5);
    const after = await Promise.all(projections.map((p) => projectionContentHash(store, p)));
    expect(after).toEqual(before);

    // the rebuilt generation's snapshots answer time travel exactly as the live projection answered then
    const travel = new TimeTravel(events, store);
    const byPosition = await travel.documentsAsOf<Coverage>(coverage, COVERAGE, [...captured.coverage.keys()], { position: captured.position });
    expect(Object.fromEntries(byPosition)).toEqual(Object.fromEntries(captured.coverage));
    const enterprises = await travel.documentsAsOf<EnterpriseStatus>(enterpriseStatusProjection, ENTERPRISE_STATUS, [...captured.enterprises.keys()], {
      position: captured.position,
    });
    expect(Object.fromEntries(enterprises)).toEqual(Object.fromEntries(captured.enterprises));
    const nearest = (await store.nearestSnapshot('coverage', { position: captured.position }))?.position ?? 0;
    expect(nearest).toBeGreaterThan(0);
    expect(nearest % 1_000).toBe(0);
  });

  it('rebuilds while events keep arriving, and the live runner keeps feeding the swapped-in generation', async () => {
    const appending = appendLoad(events, late, 5);
    await rebuildProjections(events, store, projections, { batchSize: 500, snapshotEvery: 700 });
    await appending;
    const head = await events.headPosition();
    await runner.waitForPosition(head);
    expect(await store.checkpoint('coverage')).toBe(head);
    const live = await Promise.all(projections.map((p) => projectionContentHash(store, p)));
    await rebuildProjections(events, store, projections, { batchSize: 500 });
    expect(await Promise.all(projections.map((p) => projectionContentHash(store, p)))).toEqual(live);
  });

  it('gives the audit trail of an enterprise with who did what and the causation chain', async () => {
    const organised = (await store.find<EnterpriseStatus>(ENTERPRISE_STATUS, { coverage: 'organisational', mode: 'standalone' }))[0];
    expect(organised).toBeDefined();
    const trail = await new AuditTrail(events, store).forEnterprise(organised.id);
    expect(trail[0]).toMatchObject({ type: 'EnterpriseRegistered', metadata: { actor: 'system:market-regulator' }, causationChain: [] });
    const positions = trail.map((e) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    const formed = trail.find((e) => e.type === 'OrgFormed');
    expect(formed?.causationChain[0]).toMatchObject({ position: expect.any(Number) });
    const cause = formed?.causationChain[0];
    expect(cause && 'type' in cause ? cause.type : undefined).toMatch(/EnterpriseRegistered|MemberCountChanged|OrgDissolved|OperatingStatusChanged/);
    const orgTrail = await new AuditTrail(events, store).forOrganisation(organised.body.orgId as string);
    expect(orgTrail[0].type).toBe('OrgFormed');
  });
});
