import type { INestMicroservice } from '@nestjs/common';
import {
  type CommandEnvelope,
  type CommandReply,
  creditCodeCheckCharacter,
  enterpriseStreamId,
  FormationCommands,
  formationEnterpriseStreamId,
  type OrgEvent,
  orgStreamId,
  type RecordedEvent,
  type RegistryEvent,
  PARENT_DISSOLVED,
  CONCURRENT_PLACEMENT_CYCLE,
} from '@liangxin/contracts';
import { fold } from '@liangxin/event-sourcing';
import { type EventStore, SqliteEventStore } from '@liangxin/event-store';
import { caseloadOf as placementCaseload, coverageOf, DEFAULT_FORMATION_POLICY, orgDecider } from '@liangxin/formation-domain';
import { loadConfig, startServiceApp, SYSTEM_SCOPE } from '@liangxin/platform';
import { InProcessBus, InProcessClient, InProcessServer, RemoteCommandError, SqliteCheckpointStore, SqliteDeadLetterStore } from '@liangxin/transport';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { FormationEngine } from './formation-engine';
import { FORMATION_CONSUMER, FormationServiceModule } from './formation-service.module';
import { loadPlacement } from './placement-store';

const DISTRICT = '430104';
const OTHER_DISTRICT = '430105';
const codeOf = (n: number, district = DISTRICT) => {
  const first17 = `91${district}${String(n).padStart(9, '0')}`;
  return first17 + creditCodeCheckCharacter(first17);
};

type Instance = { app: INestMicroservice; bus: InProcessBus; client: InProcessClient; consumer: string };

describe('formation service as a Nest microservice over the in-process transport and SQLite', () => {
  let dir: string;
  let store: SqliteEventStore;
  let checkpoints: SqliteCheckpointStore;
  let deadLetters: SqliteDeadLetterStore;
  let instances: Instance[] = [];
  let commandCount = 0;

  async function startInstance(consumer = FORMATION_CONSUMER, eventStore: EventStore = store, maxDeliveries = 3): Promise<Instance> {
    const bus = new InProcessBus();
    const client = new InProcessClient(bus);
    const server = new InProcessServer({ consumer, store, checkpoints, deadLetters, bus, maxDeliveries, retryBackoffMs: 1, checkpointEvery: 1 });
    const app = await startServiceApp({ name: 'formation', module: FormationServiceModule, config: loadConfig({ DATA_DIR: dir }), eventStore, strategy: server, logger: false });
    const instance = { app, bus, client, consumer };
    instances.push(instance);
    return instance;
  }

  async function stopInstances(): Promise<void> {
    for (const instance of instances) await instance.app.close();
    instances = [];
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liangxin-formation-'));
    store = SqliteEventStore.open({ file: join(dir, 'events.sqlite'), durability: 'os', pollIntervalMs: 5 });
    checkpoints = new SqliteCheckpointStore({ file: join(dir, 'consumers.sqlite') });
    deadLetters = new SqliteDeadLetterStore({ file: join(dir, 'consumers.sqlite') });
  });

  afterEach(async () => {
    await stopInstances();
    await store.close();
    await checkpoints.close();
    await deadLetters.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const register = async (creditCode: string, fullMembers: number, probationaryMembers = 0, extra: object = {}) =>
    (
      await store.append(
        enterpriseStreamId(creditCode),
        [
          {
            type: 'EnterpriseRegistered',
            schemaVersion: 1,
            data: { creditCode, district: creditCode.slice(2, 8), name: `E ${creditCode}`, kind: 'enterprise', employees: 20, fullMembers, probationaryMembers, ...extra },
            metadata: { actor: 'officer:registrar', correlationId: `registration-${creditCode}` },
          },
        ],
        { expected: 'no_stream' },
      )
    ).events[0];

  const changeMembers = async (creditCode: string, fullMembers: number) =>
    (
      await store.append(
        enterpriseStreamId(creditCode),
        [
          {
            type: 'MemberCountChanged',
            schemaVersion: 1,
            data: { creditCode, district: creditCode.slice(2, 8), fullMembers, probationaryMembers: 0, previousFullMembers: 0, previousProbationaryMembers: 0, reason: 'correction' },
            metadata: { actor: 'officer:registrar' },
          },
        ],
        { expected: 'stream_exists' },
      )
    ).events[0];

  const caughtUp = async (...consumers: string[]) => {
    const head = await store.headPosition();
    for (const instance of instances) if (consumers.length === 0 || consumers.includes(instance.consumer)) await instance.bus.waitUntilApplied(instance.consumer, head, 10_000);
  };

  /** Sends as the gateway would; `asOfficerOf` in the payload stands for the caller's token (an officer of those districts), else the system acts. */
  const send = <R extends object = object>(instance: Instance, pattern: string, { asOfficerOf, ...payload }: { asOfficerOf?: string[]; [field: string]: unknown }, commandId = `cmd-${++commandCount}`, actor = 'officer:zhang') =>
    firstValueFrom(
      instance.client.send<CommandReply<R>, CommandEnvelope<object>>(pattern, {
        payload,
        scope: asOfficerOf ? { role: 'officer', districts: asOfficerOf } : SYSTEM_SCOPE,
        metadata: { actor, commandId },
      }),
    );

  const refusal = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(RemoteCommandError);
      return (error as RemoteCommandError).code;
    }
    throw new Error('the command was accepted');
  };

  /**
   * An organisation holds enterprises of its own district only, so enterprises an officer groups by hand are first
   * grouped by the automatic rules (joint branches): the officer dissolves those branches to re-form them.
   */
  const dissolveAutomaticBranchesOf = async (instance: Instance, codes: string[]) => {
    const { state } = await loadPlacement(store, DEFAULT_FORMATION_POLICY);
    const orgIds = new Set(codes.flatMap((code) => state.enterprises.get(code)?.orgId ?? []));
    for (const orgId of orgIds) await send(instance, FormationCommands.DissolveOrg, { orgId, reason: '重新组建' });
  };

  // the placement claims that precede every placement are the subject of formation-races.int.spec.ts; these tests look at the outcomes
  const formationEvents = async () => (await store.readAll({ streamPrefixes: ['org-', 'formation-'] })).filter((e) => e.type !== 'EnterprisePlacementClaimed');
  const orgState = async (orgId: string) => fold(orgDecider, await store.readStream<OrgEvent>(orgStreamId(orgId)));
  const comparable = (events: RecordedEvent[]) => events.map((e) => ({ streamId: e.streamId, type: e.type, data: e.data, actor: e.metadata.actor, policyVersion: e.metadata.policyVersion }));

  it('forms a standalone branch once for a registration with 3+ full members, recording policy version, causation and correlation', async () => {
    const instance = await startInstance();
    const code = codeOf(1);
    const registered = await register(code, 4, 1);
    await caughtUp();

    const formed = (await formationEvents()).filter((e) => e.type === 'OrgFormed');
    expect(formed).toHaveLength(1);
    expect(formed[0].streamId).toBe(orgStreamId(`standalone-${code}-1`));
    expect(formed[0].data).toMatchObject({ mode: 'standalone', fullMembers: 4, probationaryMembers: 1, automatic: true, policyVersion: DEFAULT_FORMATION_POLICY.version });
    expect(formed[0].metadata).toMatchObject({
      actor: 'system:formation',
      policyVersion: DEFAULT_FORMATION_POLICY.version,
      district: DISTRICT,
      causationId: registered.eventId,
      correlationId: `registration-${code}`,
    });

    // the same event handled again, and all of history again after a lost checkpoint: nothing new
    const head = await store.headPosition();
    await instance.app.get(FormationEngine).onRegistryEvent(registered as RecordedEvent<RegistryEvent>);
    await stopInstances();
    await checkpoints.save(FORMATION_CONSUMER, { position: 0 });
    await startInstance();
    await caughtUp();
    expect(await store.headPosition()).toBe(head);
    expect(await deadLetters.list(FORMATION_CONSUMER)).toEqual([]);
  });

  it('groups 1-member enterprises of a district into a joint branch once it reaches 3 full members, at most 5 enterprises', async () => {
    const instance = await startInstance();
    const codes = Array.from({ length: 6 }, (_, i) => codeOf(10 + i));
    const registrations: RecordedEvent[] = [];
    for (const code of codes.slice(0, 2)) registrations.push(await register(code, 1));
    await caughtUp();
    expect((await formationEvents()).filter((e) => e.type === 'OrgFormed')).toEqual([]);
    expect((await store.readStream(formationEnterpriseStreamId(codes[0]))).map((e) => e.type)).toEqual(['EnterpriseAwaitingJointBranch', 'WorkCoverageNeeded']);

    for (const code of codes.slice(2)) registrations.push(await register(code, 1));
    await caughtUp();

    const formed = (await formationEvents()).filter((e) => e.type === 'OrgFormed');
    expect(formed).toHaveLength(1);
    expect(formed[0].data).toMatchObject({ mode: 'joint', fullMembers: 3 });
    const orgId = (formed[0].data as { orgId: string }).orgId;
    const org = await orgState(orgId);
    expect(org.exists && [...org.enterprises.keys()].sort()).toEqual(codes.slice(0, 5).sort());
    const { state } = await loadPlacement(store, DEFAULT_FORMATION_POLICY);
    expect(coverageOf(state, codes[5]).kind).toBe('awaiting-joint');

    // idempotency: every registry event handled a second time changes nothing
    const head = await store.headPosition();
    for (const event of registrations) await instance.app.get(FormationEngine).onRegistryEvent(event as RecordedEvent<RegistryEvent>);
    expect(await store.headPosition()).toBe(head);
  });

  it('never puts a sixth enterprise in a joint branch when two process-manager instances and officers race for the last place', async () => {
    const a = await startInstance('formation-a');
    const b = await startInstance('formation-b');
    const members = Array.from({ length: 4 }, (_, i) => codeOf(20 + i));
    for (const code of members) await register(code, 1);
    const noMembers = Array.from({ length: 4 }, (_, i) => codeOf(30 + i));
    for (const code of noMembers) await register(code, 0);
    await caughtUp();
    const orgId = ((await formationEvents()).find((e) => e.type === 'OrgFormed')?.data as { orgId: string }).orgId;
    expect((await orgState(orgId)).exists).toBe(true);

    const latecomers = Array.from({ length: 3 }, (_, i) => codeOf(40 + i));
    const outcomes = await Promise.allSettled([
      ...latecomers.map((code) => register(code, 1)),
      ...noMembers.map((code, i) => send(i % 2 === 0 ? a : b, FormationCommands.AddEnterprise, { orgId, creditCode: code })),
    ]);
    await caughtUp();

    const org = await orgState(orgId);
    expect(org.exists && org.enterprises.size).toBe(5);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => (o.reason as RemoteCommandError).code);
    expect(refused.length).toBeGreaterThanOrEqual(noMembers.length - 1);
    expect(refused.every((code) => ['JOINT_TOO_MANY_ENTERPRISES', 'CONCURRENCY_CONFLICT'].includes(code))).toBe(true);
    // no enterprise is in two live organisations, and both instances' consumers finished without dead letters
    const { state } = await loadPlacement(store, DEFAULT_FORMATION_POLICY);
    const memberships = new Map<string, number>();
    for (const o of state.orgs.values()) if (!o.dissolved) for (const code of o.enterprises.keys()) memberships.set(code, (memberships.get(code) ?? 0) + 1);
    expect([...memberships.values()].every((n) => n === 1)).toBe(true);
    expect(await deadLetters.list('formation-a')).toEqual([]);
    expect(await deadLetters.list('formation-b')).toEqual([]);
  });

  describe('crash between two appends of one reaction', () => {
    /** A standalone branch whose enterprise drops to 1 member: dissolve (org stream), then wait for a joint branch (enterprise stream). */
    const scenario = async () => {
      const code = codeOf(50);
      await register(code, 3);
      await caughtUp();
      await changeMembers(code, 1);
      await caughtUp();
      return comparable(await formationEvents());
    };

    /** The store, except that appends to enterprise coverage streams fail while `failing` is true. */
    const failingStore = (control: { failing: boolean; failures: number }): EventStore =>
      new Proxy(store, {
        get(target, property) {
          if (property === 'append')
            return (streamId: string, ...rest: Parameters<EventStore['append']> extends [string, ...infer R] ? R : never) => {
              if (control.failing && streamId.startsWith('formation-enterprise-')) {
                control.failures += 1;
                control.failing = false;
                return Promise.reject(new Error('disk full (simulated)'));
              }
              return target.append(streamId, ...rest);
            };
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });

    it('finishes the reaction on redelivery, with the same result as without the crash', async () => {
      await startInstance();
      const withoutCrash = await scenario();
      await stopInstances();
      await store.close();
      rmSync(join(dir, 'events.sqlite'), { force: true });
      store = SqliteEventStore.open({ file: join(dir, 'events.sqlite'), durability: 'os', pollIntervalMs: 5 });
      await checkpoints.save(FORMATION_CONSUMER, { position: 0 });

      const control = { failing: false, failures: 0 };
      await startInstance(FORMATION_CONSUMER, failingStore(control));
      const code = codeOf(50);
      await register(code, 3);
      await caughtUp();
      control.failing = true;
      await changeMembers(code, 1);
      await caughtUp();

      expect(control.failures).toBe(1);
      expect(comparable(await formationEvents())).toEqual(withoutCrash);
      expect(withoutCrash.map((e) => e.type)).toEqual(['OrgFormed', 'OrgDissolved', 'EnterpriseAwaitingJointBranch', 'WorkCoverageNeeded']);
    });

    it('converges after a restart from a checkpoint saved before the half-applied event', async () => {
      const control = { failing: false, failures: 0 };
      // one delivery only: the failed event is parked, as after a crash nobody retried it
      await startInstance(FORMATION_CONSUMER, failingStore(control), 1);
      const code = codeOf(50);
      await register(code, 3);
      await caughtUp();
      const beforeChange = await store.headPosition();
      control.failing = true;
      await changeMembers(code, 1);
      await caughtUp();
      expect((await formationEvents()).map((e) => e.type)).toEqual(['OrgFormed', 'OrgDissolved']);

      await stopInstances();
      await checkpoints.save(FORMATION_CONSUMER, { position: beforeChange });
      await startInstance();
      await caughtUp();
      const afterRestart = comparable(await formationEvents());
      expect(afterRestart.map((e) => e.type)).toEqual(['OrgFormed', 'OrgDissolved', 'EnterpriseAwaitingJointBranch', 'WorkCoverageNeeded']);
      const { state } = await loadPlacement(store, DEFAULT_FORMATION_POLICY);
      expect(coverageOf(state, code).kind).toBe('awaiting-joint');
    });
  });

  describe('officer commands', () => {
    it('forms in a chosen mode, keeps the automatic rules off its enterprises, merges and dissolves, recording the officer', async () => {
      const instance = await startInstance();
      const [e1, e2, e3, e4] = [codeOf(60), codeOf(61), codeOf(62), codeOf(63)];
      await register(e1, 2);
      await register(e2, 1);
      await register(e3, 2);
      await register(e4, 1);
      await caughtUp();
      await dissolveAutomaticBranchesOf(instance, [e1, e2, e3, e4]);

      const shared = await send<{ orgId: string }>(instance, FormationCommands.FormOrg, { mode: 'building-shared', name: '楼宇联合党支部', enterprises: [e1, e2] });
      const sharedId = shared.result?.orgId ?? '';
      const formed = (await store.readStream(orgStreamId(sharedId)))[0];
      expect(formed.data).toMatchObject({ mode: 'building-shared', district: DISTRICT, fullMembers: 3, automatic: false });
      expect(formed.metadata).toMatchObject({ actor: 'officer:zhang' });

      // the enterprise is already in an organisation: a clear code, nothing appended
      const head = await store.headPosition();
      expect(await refusal(send(instance, FormationCommands.FormOrg, { mode: 'area-combined', name: 'x', enterprises: [e1, e3] }))).toBe('ENTERPRISE_IN_ANOTHER_ORG');
      expect(await refusal(send(instance, FormationCommands.DissolveOrg, { orgId: sharedId, reason: 'x', asOfficerOf: ['999999'] }))).toBe('OUTSIDE_YOUR_DISTRICTS');
      expect(await store.headPosition()).toBe(head);

      // a registry change of a member is recounted in the officer's organisation, not moved out of it
      await changeMembers(e2, 2);
      await caughtUp();
      expect((await store.readStream(orgStreamId(sharedId))).map((e) => e.type)).toEqual(['OrgFormed', 'OrgMembersRecounted']);

      const area = await send<{ orgId: string }>(instance, FormationCommands.FormOrg, { mode: 'area-unified', name: '区域统建党支部', enterprises: [e3, e4] });
      const areaId = area.result?.orgId ?? '';
      await send(instance, FormationCommands.MergeOrgs, { intoOrgId: sharedId, mergedOrgId: areaId, reason: '同一楼宇' });
      const survivor = await orgState(sharedId);
      expect(survivor.exists && [...survivor.enterprises.keys()].sort()).toEqual([e1, e2, e3, e4].sort());
      const absorbed = await store.readStream(orgStreamId(areaId));
      expect(absorbed.at(-1)).toMatchObject({ type: 'OrgDissolved', data: { reason: 'merged', mergedInto: sharedId }, metadata: { actor: 'officer:zhang' } });

      await send(instance, FormationCommands.AssignSecretary, { orgId: sharedId, person: { personId: 'p-1', name: '李书记' } });
      const reply = await send(instance, FormationCommands.DissolveOrg, { orgId: sharedId, reason: '企业迁出' });
      expect(reply.position).toBe(await store.headPosition());
      expect((await orgState(sharedId)).exists && (await orgState(sharedId))).toMatchObject({ dissolved: true, secretary: { personId: 'p-1' } });
      expect(await refusal(send(instance, FormationCommands.DissolveOrg, { orgId: 'nope', reason: 'x' }))).toBe('ORG_NOT_FOUND');
    });

    it('builds the organisation tree: a committee without enterprises, placements read from real streams, a cycle refused with nothing appended', async () => {
      const instance = await startInstance();
      const [e1, e2] = [codeOf(70), codeOf(71)];
      await register(e1, 3);
      await register(e2, 4);
      await caughtUp();
      const [s1, s2] = [`standalone-${e1}-1`, `standalone-${e2}-1`];
      expect((await orgState(s1)).exists && (await orgState(s2)).exists).toBe(true);

      const form = async (name: string, level: string, district = DISTRICT) =>
        (await send<{ orgId: string }>(instance, FormationCommands.FormOrg, { mode: 'industry-chain-joint', name, district, enterprises: [], level })).result?.orgId ?? '';
      const chain = await form('工程机械产业链党委', 'primary-committee');
      const park = await form('园区党委', 'primary-committee');
      expect((await store.readStream(orgStreamId(chain)))[0].data).toMatchObject({ enterprises: [], fullMembers: 0, level: 'primary-committee', umbrella: true });
      expect(await refusal(send(instance, FormationCommands.FormOrg, { mode: 'industry-chain-joint', name: 'x', district: DISTRICT, enterprises: [] }))).toBe('NO_ENTERPRISES');

      const place = (orgId: string, parentOrgId: string | null, extra: object = {}, commandId?: string) =>
        send(instance, FormationCommands.ChangeOrgParent, { orgId, parentOrgId, reason: '产业链党委统一管理', ...extra }, commandId);
      await place(s1, park);
      await place(s2, chain);
      await place(park, chain, {}, 'place-park');
      expect(await orgState(park)).toMatchObject({ parentOrgId: chain });
      // the same command again: the earlier answer, nothing appended
      const before = await store.headPosition();
      expect(await place(park, chain, {}, 'place-park')).toMatchObject({ idempotentReplay: true });
      expect(await store.headPosition()).toBe(before);

      // chain → park → s1: the chain under the park, or under s1, would make it its own ancestor
      expect(await refusal(place(chain, park))).toBe('PARENT_CYCLE');
      expect(await refusal(place(chain, s1))).toBe('PARENT_CYCLE');
      expect(await refusal(place(park, s2))).toBe('PARENT_LEVEL_TOO_LOW');
      expect(await refusal(place(s1, s1))).toBe('PARENT_IS_ITSELF');
      expect(await refusal(place(s1, 'nope'))).toBe('PARENT_NOT_FOUND');
      expect(await refusal(place('nope', chain))).toBe('ORG_NOT_FOUND');
      // both the organisation and its new parent must be in the caller's districts
      const elsewhere = await form('外区综合党委', 'primary-committee', OTHER_DISTRICT);
      expect(await refusal(place(s1, elsewhere, { asOfficerOf: [DISTRICT] }))).toBe('OUTSIDE_YOUR_DISTRICTS');
      expect(await refusal(place(s1, chain, { asOfficerOf: [OTHER_DISTRICT] }))).toBe('OUTSIDE_YOUR_DISTRICTS');
      expect(await store.headPosition()).toBe(before + 1);

      await place(park, null);
      expect((await orgState(park)).exists && (await orgState(park))).not.toHaveProperty('parentOrgId');
      expect((await store.readStream(orgStreamId(park))).at(-1)).toMatchObject({
        type: 'OrgParentChanged',
        data: { parentOrgId: null, previousParentOrgId: chain },
        metadata: { actor: 'officer:zhang', reason: '产业链党委统一管理' },
      });
      // forming under a parent reads it too: a live one of its level or above, in the caller's districts
      const underChain = await send<{ orgId: string }>(instance, FormationCommands.FormOrg, { mode: 'area-unified', name: '片区党总支', district: DISTRICT, enterprises: [], level: 'general-branch', parentOrgId: chain });
      expect(await orgState(underChain.result?.orgId ?? '')).toMatchObject({ parentOrgId: chain, level: 'general-branch' });
      expect(await refusal(send(instance, FormationCommands.FormOrg, { mode: 'area-unified', name: 'x', district: DISTRICT, enterprises: [], level: 'primary-committee', parentOrgId: s1 }))).toBe('PARENT_LEVEL_TOO_LOW');
      expect(await refusal(send(instance, FormationCommands.FormOrg, { mode: 'area-unified', name: 'x', district: DISTRICT, enterprises: [], level: 'general-branch', parentOrgId: 'nope' }))).toBe('PARENT_NOT_FOUND');
      expect(await refusal(send(instance, FormationCommands.FormOrg, { mode: 'area-unified', name: 'x', district: DISTRICT, enterprises: [], level: 'general-branch', parentOrgId: elsewhere, asOfficerOf: [DISTRICT] }))).toBe(
        'OUTSIDE_YOUR_DISTRICTS',
      );
      // detached, the chain may now go under the park
      await place(chain, park);
      expect(await orgState(chain)).toMatchObject({ parentOrgId: park });
    });

    it('dissolving an organisation moves those beneath it up the tree, caused by the dissolution, once however often the command is retried', async () => {
      const instance = await startInstance();
      const [e1, e2] = [codeOf(72), codeOf(73)];
      await register(e1, 3);
      await register(e2, 5);
      await caughtUp();
      const [s1, s2] = [`standalone-${e1}-1`, `standalone-${e2}-1`];
      const form = async (name: string, level: string, parentOrgId?: string) =>
        (await send<{ orgId: string }>(instance, FormationCommands.FormOrg, { mode: 'industry-chain-joint', name, district: DISTRICT, enterprises: [], level, ...(parentOrgId && { parentOrgId }) })).result
          ?.orgId ?? '';
      const county = await form('两新综合党委', 'primary-committee');
      const chain = await form('产业链党委', 'primary-committee', county);
      for (const child of [s1, s2]) await send(instance, FormationCommands.ChangeOrgParent, { orgId: child, parentOrgId: chain, reason: '产业链党委统一管理' });

      const dissolve = () => send(instance, FormationCommands.DissolveOrg, { orgId: chain, reason: '产业链调整' }, 'dissolve-chain');
      const reply = await dissolve();
      const dissolution = (await store.readStream(orgStreamId(chain))).at(-1);
      expect(dissolution).toMatchObject({ type: 'OrgDissolved' });
      for (const child of [s1, s2]) {
        expect(await orgState(child)).toMatchObject({ parentOrgId: county, dissolved: false });
        expect((await store.readStream(orgStreamId(child))).at(-1)).toMatchObject({
          type: 'OrgParentChanged',
          data: { parentOrgId: county, previousParentOrgId: chain, reason: PARENT_DISSOLVED, automatic: true },
          metadata: { actor: 'system:formation', causationId: dissolution?.eventId, correlationId: 'dissolve-chain' },
        });
      }
      // the reply's position covers the moves, so a read that waits for it sees the tree as it now is
      expect(reply.position).toBe(await store.headPosition());
      const head = await store.headPosition();
      expect(await dissolve()).toMatchObject({ idempotentReplay: true });
      expect(await store.headPosition()).toBe(head);

      // merged away: the one beneath goes under the organisation that absorbed its parent
      const [e3, e4, e5, e6] = [codeOf(74), codeOf(75), codeOf(76), codeOf(77)];
      for (const [code, full] of [[e3, 2], [e4, 1], [e5, 2], [e6, 1]] as const) await register(code, full);
      await caughtUp();
      await dissolveAutomaticBranchesOf(instance, [e3, e4, e5, e6]);
      const formWith = async (mode: string, enterprises: string[]) => (await send<{ orgId: string }>(instance, FormationCommands.FormOrg, { mode, name: mode, enterprises })).result?.orgId ?? '';
      const survivor = await formWith('building-shared', [e3, e4]);
      const absorbed = await formWith('area-unified', [e5, e6]);
      await send(instance, FormationCommands.ChangeOrgParent, { orgId: s1, parentOrgId: absorbed, reason: '区域统建' });
      await send(instance, FormationCommands.MergeOrgs, { intoOrgId: survivor, mergedOrgId: absorbed, reason: '同一楼宇' });
      expect(await orgState(s1)).toMatchObject({ parentOrgId: survivor });
      expect((await store.readStream(orgStreamId(s1))).at(-1)).toMatchObject({ data: { previousParentOrgId: absorbed, reason: PARENT_DISSOLVED } });
    });

    describe('two officers moving organisations crosswise at the same instant on two formation instances', () => {
      // The other instance's move is appended by the test itself, right before or right after this instance's own
      // append of the placement: the interleaving a real race gives, where each move passed its check on what it read.
      const withCrosswiseMove = (streamId: string, other: { orgId: string; parentOrgId: string }, when: 'before' | 'after') => {
        let done = false;
        const crosswise = () =>
          store.append(
            orgStreamId(other.orgId),
            [
              {
                type: 'OrgParentChanged',
                schemaVersion: 2,
                data: { orgId: other.orgId, district: DISTRICT, parentOrgId: other.parentOrgId, previousParentOrgId: null, reason: '另一名组织员同时调整', automatic: false },
                metadata: { actor: 'officer:li', commandId: 'crosswise-move' },
              },
            ],
            { expected: 'stream_exists' },
          );
        return new Proxy(store, {
          get(target, property, receiver) {
            if (property !== 'append') return Reflect.get(target, property, receiver);
            return async (...args: Parameters<EventStore['append']>) => {
              const placing = !done && args[0] === streamId && args[1][0]?.type === 'OrgParentChanged';
              if (placing && when === 'before') await crosswise();
              const result = await target.append(...args);
              if (placing && when === 'after') await crosswise();
              done ||= placing;
              return result;
            };
          },
        });
      };
      const committees = async (instance: Instance) => {
        const form = async (name: string) =>
          (await send<{ orgId: string }>(instance, FormationCommands.FormOrg, { mode: 'industry-chain-joint', name, district: DISTRICT, enterprises: [], level: 'primary-committee' })).result
            ?.orgId ?? '';
        return [await form('产业链党委'), await form('园区党委')];
      };
      const isOwnAncestor = async (orgId: string) => {
        const seen: string[] = [];
        for (let state = await orgState(orgId); state.exists && state.parentOrgId && !seen.includes(state.parentOrgId); state = await orgState(state.parentOrgId)) seen.push(state.parentOrgId);
        return seen.includes(orgId);
      };

      it('undoes this officer’s move when the other’s landed first, and says so; the tree keeps no cycle', async () => {
        const first = await startInstance();
        const [chain, park] = await committees(first);
        await stopInstances();
        const racing = await startInstance(FORMATION_CONSUMER, withCrosswiseMove(orgStreamId(chain), { orgId: park, parentOrgId: chain }, 'before'));

        const head = await store.headPosition();
        const move = () => send(racing, FormationCommands.ChangeOrgParent, { orgId: chain, parentOrgId: park, reason: '产业链党委归口园区' }, 'move-chain');
        expect(await refusal(move())).toBe('PLACEMENT_CYCLE_UNDONE');
        expect(await isOwnAncestor(chain)).toBe(false);
        expect(await orgState(park)).toMatchObject({ parentOrgId: chain });
        expect(await orgState(chain)).not.toHaveProperty('parentOrgId');
        const [placed, undone] = (await store.readStream(orgStreamId(chain))).slice(-2);
        expect(placed).toMatchObject({ type: 'OrgParentChanged', data: { parentOrgId: park }, metadata: { actor: 'officer:zhang' } });
        expect(undone).toMatchObject({
          type: 'OrgParentChanged',
          data: { parentOrgId: null, previousParentOrgId: park, reason: CONCURRENT_PLACEMENT_CYCLE, automatic: true },
          metadata: { actor: 'system:formation', causationId: placed.eventId },
        });
        // the other officer's move (written past the tree stream, as an instance of the older code would), this officer's tree
        // decision and move, and the undo: nothing else; a retry of the command gets the same answer
        expect(await store.headPosition()).toBe(head + 4);
        expect(await refusal(move())).toBe('PLACEMENT_CYCLE_UNDONE');
        expect(await store.headPosition()).toBe(head + 4);
      });

      it('undoes the later move when both instances stopped before looking: the placements reach this service as events', async () => {
        const instance = await startInstance();
        const [chain, park] = await committees(instance);
        const move = (orgId: string, parentOrgId: string, commandId: string) =>
          store.append(
            orgStreamId(orgId),
            [
              {
                type: 'OrgParentChanged',
                schemaVersion: 2,
                data: { orgId, district: DISTRICT, parentOrgId, previousParentOrgId: null, reason: '两名组织员同时调整', automatic: false },
                metadata: { actor: 'officer:li', commandId, correlationId: commandId },
              },
            ],
            { expected: 'stream_exists' },
          );
        await move(park, chain, 'park-under-chain');
        const later = (await move(chain, park, 'chain-under-park')).events[0];
        await caughtUp();
        await caughtUp();
        expect(await isOwnAncestor(chain)).toBe(false);
        expect(await orgState(park)).toMatchObject({ parentOrgId: chain });
        expect((await store.readStream(orgStreamId(chain))).at(-1)).toMatchObject({
          type: 'OrgParentChanged',
          data: { parentOrgId: null, previousParentOrgId: park, reason: CONCURRENT_PLACEMENT_CYCLE, automatic: true },
          metadata: { actor: 'system:formation', causationId: later.eventId, correlationId: 'chain-under-park' },
        });
        // every move and the undo delivered: nothing more is appended
        const head = await store.headPosition();
        await instance.bus.waitUntilApplied(instance.consumer, head, 10_000);
        expect(await store.headPosition()).toBe(head);
      });

      it('undoes the other officer’s move when it landed after this one; this officer’s move stands', async () => {
        const first = await startInstance();
        const [chain, park] = await committees(first);
        await stopInstances();
        const racing = await startInstance(FORMATION_CONSUMER, withCrosswiseMove(orgStreamId(chain), { orgId: park, parentOrgId: chain }, 'after'));

        const reply = await send(racing, FormationCommands.ChangeOrgParent, { orgId: chain, parentOrgId: park, reason: '产业链党委归口园区' });
        expect(await orgState(chain)).toMatchObject({ parentOrgId: park });
        expect(await orgState(park)).not.toHaveProperty('parentOrgId');
        const [crosswise, undone] = (await store.readStream(orgStreamId(park))).slice(-2);
        expect(crosswise).toMatchObject({ metadata: { actor: 'officer:li' } });
        expect(undone).toMatchObject({ data: { parentOrgId: null, previousParentOrgId: chain, reason: CONCURRENT_PLACEMENT_CYCLE }, metadata: { causationId: crosswise.eventId } });
        expect(reply.position).toBe(await store.headPosition());
      });
    });

    it('proposes an organisation, refuses its approval by the proposer, and forms it when another officer approves, on the counts of that day', async () => {
      const instance = await startInstance();
      const [e1, e2, e3] = [codeOf(80), codeOf(81), codeOf(82)];
      await register(e1, 2);
      await register(e2, 1);
      await register(e3, 1);
      await caughtUp();
      await dissolveAutomaticBranchesOf(instance, [e1, e2, e3]);
      const proposal = { mode: 'building-shared', name: '科创大厦联合党支部', enterprises: [e1, e2], note: '同一楼宇' };
      const proposed = await send<{ orgId: string }>(instance, FormationCommands.ProposeOrg, proposal, 'propose-1', 'officer:li');
      const orgId = proposed.result?.orgId ?? '';
      expect((await store.readStream(orgStreamId(orgId))).map((e) => e.type)).toEqual(['OrgProposed']);
      expect(await orgState(orgId)).toMatchObject({ exists: false, proposal: { rejected: false, data: { proposedBy: 'officer:li', note: '同一楼宇' } } });
      expect(await refusal(send(instance, FormationCommands.ProposeOrg, { ...proposal, enterprises: [e2, e3] }))).toBe('BELOW_MINIMUM_FULL_MEMBERS');

      const head = await store.headPosition();
      expect(await refusal(send(instance, FormationCommands.ApproveOrgProposal, { orgId }, 'approve-self', 'officer:li'))).toBe('APPROVER_IS_PROPOSER');
      expect(await refusal(send(instance, FormationCommands.ApproveOrgProposal, { orgId, asOfficerOf: ['430199'] }))).toBe('OUTSIDE_YOUR_DISTRICTS');
      expect(await store.headPosition()).toBe(head);

      // a member joined e2 meanwhile: the approval counts four full members, not the three proposed
      await changeMembers(e2, 2);
      await caughtUp();
      const approved = await send(instance, FormationCommands.ApproveOrgProposal, { orgId, note: '同意组建' }, 'approve-1', 'officer:wang');
      const stream = await store.readStream(orgStreamId(orgId));
      expect(stream.map((e) => e.type)).toEqual(['OrgProposed', 'OrgFormed']);
      expect(stream[1]).toMatchObject({ data: { fullMembers: 4, automatic: false }, metadata: { actor: 'officer:wang', reason: '同意组建' } });
      expect(await send(instance, FormationCommands.ApproveOrgProposal, { orgId }, 'approve-1', 'officer:wang')).toMatchObject({ position: approved.position, idempotentReplay: true });
      expect(await refusal(send(instance, FormationCommands.ApproveOrgProposal, { orgId }, 'approve-2', 'officer:wang'))).toBe('ORG_ALREADY_EXISTS');

      // the placement state knows the approved organisation at its true stream version: a registry change of a member
      // is recounted in it (an automatic append that expects that version), not refused as a conflict
      await changeMembers(e1, 3);
      await caughtUp();
      expect((await store.readStream(orgStreamId(orgId))).map((e) => e.type)).toEqual(['OrgProposed', 'OrgFormed', 'OrgMembersRecounted']);

      // a rejection records the reason; a rejected proposal cannot be approved
      const other = await send<{ orgId: string }>(instance, FormationCommands.ProposeOrg, { ...proposal, name: '另一个支部', enterprises: [e3], publicUnit: true }, 'propose-2', 'officer:li');
      const otherId = other.result?.orgId ?? '';
      await send(instance, FormationCommands.RejectOrgProposal, { orgId: otherId, reason: '不属于公有制单位' }, 'reject-1', 'officer:wang');
      expect((await store.readStream(orgStreamId(otherId))).at(-1)).toMatchObject({ type: 'OrgProposalRejected', data: { reason: '不属于公有制单位', rejectedBy: 'officer:wang' } });
      expect(await refusal(send(instance, FormationCommands.ApproveOrgProposal, { orgId: otherId }, 'approve-3', 'officer:wang'))).toBe('PROPOSAL_REJECTED');
      expect(await refusal(send(instance, FormationCommands.ApproveOrgProposal, { orgId: 'nothing-proposed' }))).toBe('PROPOSAL_NOT_FOUND');
    });

    it('assigns work coverage once per command id, in the caller’s districts only, and frees it when the enterprise forms its branch', async () => {
      const instance = await startInstance();
      const code = codeOf(70);
      const wang = { personId: 'p-wang', name: '王指导员' };
      await register(code, 0);
      await caughtUp();
      const assignment = { creditCode: code, coveredBy: 'liaison', assignee: wang, reason: '挂点联系' };
      expect(await refusal(send(instance, FormationCommands.AssignWorkCoverage, { ...assignment, asOfficerOf: [OTHER_DISTRICT] }))).toBe('OUTSIDE_YOUR_DISTRICTS');
      const first = await send(instance, FormationCommands.AssignWorkCoverage, assignment, 'assign-wang');
      const retried = await send(instance, FormationCommands.AssignWorkCoverage, assignment, 'assign-wang');
      expect(retried).toMatchObject({ position: first.position, idempotentReplay: true });
      // the same command id from another district's officer is refused, not answered as a replay
      expect(await refusal(send(instance, FormationCommands.AssignWorkCoverage, { ...assignment, asOfficerOf: [OTHER_DISTRICT] }, 'assign-wang'))).toBe('OUTSIDE_YOUR_DISTRICTS');
      const coverage = await store.readStream(formationEnterpriseStreamId(code));
      expect(coverage.map((e) => e.type)).toEqual(['WorkCoverageNeeded', 'WorkCoverageAssigned']);
      expect(coverage[1]).toMatchObject({
        data: { assignee: wang, coveredBy: 'liaison', reason: 'no-party-members', automatic: false, policyVersion: DEFAULT_FORMATION_POLICY.version },
        metadata: { actor: 'officer:zhang', reason: '挂点联系', district: DISTRICT },
      });
      expect(placementCaseload((await loadPlacement(store, DEFAULT_FORMATION_POLICY)).state, wang.personId)).toEqual([code]);
      await changeMembers(code, 3);
      await caughtUp();
      expect(await refusal(send(instance, FormationCommands.AssignWorkCoverage, { ...assignment, coveredBy: 'instructor' }))).toBe('ENTERPRISE_ORGANISATIONALLY_COVERED');
      const { state } = await loadPlacement(store, DEFAULT_FORMATION_POLICY);
      expect(placementCaseload(state, wang.personId)).toEqual([]);
      expect(await refusal(send(instance, FormationCommands.AssignWorkCoverage, { ...assignment, creditCode: codeOf(71) }))).toBe('ENTERPRISE_NOT_REGISTERED');
    });
  });
});
