import {
  type ActorScope,
  type CommandEnvelope,
  creditCodeCheckCharacter,
  enterpriseStreamId,
  formationEnterpriseStreamId,
  type OrgEvent,
  orgStreamId,
  type RecordedEvent,
  type RegistryEvent,
} from '@liangxin/contracts';
import { fold } from '@liangxin/event-sourcing';
import { type EventStore, PostgresEventStore, SqliteEventStore } from '@liangxin/event-store';
import { createTemporaryPostgresDatabase } from '@liangxin/event-store/testing';
import { DEFAULT_FORMATION_POLICY, orgDecider } from '@liangxin/formation-domain';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormationCommandsController } from './formation-commands.controller';
import { FormationEngine } from './formation-engine';
import { OrganisationTreeGuard } from './organisation-tree-guard';

const DISTRICT = '430104';
const ROUNDS = 100;
/** 100 rounds on a shared 2-core machine: PostgreSQL rounds with rebuilds of the placement state take a while */
const RACE_TIMEOUT_MS = 600_000;
const scope: ActorScope = { role: 'officer', districts: [DISTRICT] };

/** One formation instance: its own engine (its own in-memory placement) and command handlers, over the shared store. */
const instance = (store: EventStore, policy = DEFAULT_FORMATION_POLICY) => {
  const engine = new FormationEngine(store, policy);
  return { engine, commands: new FormationCommandsController(store, engine, new OrganisationTreeGuard(store, engine)) };
};

const envelope = <P>(payload: P, commandId: string): CommandEnvelope<P> =>
  ({ payload, scope, metadata: { actor: 'officer:zhang', commandId, correlationId: commandId } }) as CommandEnvelope<P>;

const refusalCode = (outcome: PromiseSettledResult<unknown>) => (outcome.status === 'rejected' ? (outcome.reason as { code?: string }).code : undefined);

describe.each([
  ['SQLite', 'sqlite'],
  ['PostgreSQL', 'postgres'],
] as const)('two formation instances racing over one %s store', (_name, kind) => {
  let store: EventStore;
  let cleanup: () => Promise<void>;
  let serial = 0;

  beforeAll(async () => {
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'liangxin-formation-races-'));
      store = SqliteEventStore.open({ file: join(dir, 'events.sqlite'), durability: 'os', pollIntervalMs: 5 });
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    } else {
      const database = await createTemporaryPostgresDatabase('formation_races');
      store = await PostgresEventStore.connect({ connectionString: database.url });
      cleanup = database.drop;
    }
  });

  afterAll(async () => {
    await store.close();
    await cleanup();
  });

  const register = async (fullMembers: number): Promise<RecordedEvent<RegistryEvent>> => registerIn(fullMembers);
  const registerIn = async (fullMembers: number): Promise<RecordedEvent<RegistryEvent>> => {
    serial += 1;
    const first17 = `91${DISTRICT}${String(serial).padStart(9, '0')}`;
    const creditCode = first17 + creditCodeCheckCharacter(first17);
    const event = {
      type: 'EnterpriseRegistered',
      schemaVersion: 1,
      data: { creditCode, district: DISTRICT, name: `企业${serial}`, kind: 'enterprise', employees: 10, fullMembers, probationaryMembers: 0, industryChain: `chain-${serial}` },
      metadata: { actor: 'registrar' },
    };
    const { events } = await store.append(enterpriseStreamId(creditCode), [event as never], { expected: 'no_stream' });
    return events[0] as RecordedEvent<RegistryEvent>;
  };
  const codeOf = (registered: RecordedEvent<RegistryEvent>) => registered.data.creditCode;
  const orgsHolding = async (creditCode: string, orgIds: readonly string[]) => {
    const holding: string[] = [];
    for (const orgId of orgIds) {
      const org = fold(orgDecider, await store.readStream<OrgEvent>(orgStreamId(orgId)));
      if (org.exists && !org.dissolved && org.enterprises.has(creditCode)) holding.push(orgId);
    }
    return holding;
  };
  const formOrg = async (commands: FormationCommandsController, creditCode: string, id: string) =>
    (await commands.formOrg(envelope({ mode: 'area-combined', name: `区域合建${id}`, enterprises: [creditCode] }, `form-${id}`) as never)).result?.orgId ?? '';

  it(`the same enterprise added by officers on two instances to two organisations: exactly one wins, ${ROUNDS} rounds`, async () => {
    const [first, second] = [instance(store), instance(store)];
    const winners = { first: 0, second: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const x = await formOrg(first.commands, codeOf(await register(3)), `x-${kind}-${round}`);
      const y = await formOrg(second.commands, codeOf(await register(3)), `y-${kind}-${round}`);
      const contested = codeOf(await register(1));
      const outcomes = await Promise.allSettled([
        first.commands.addEnterprise(envelope({ orgId: x, creditCode: contested }, `add-x-${kind}-${round}`) as never),
        second.commands.addEnterprise(envelope({ orgId: y, creditCode: contested }, `add-y-${kind}-${round}`) as never),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(outcomes.map(refusalCode).filter(Boolean)).toEqual(['ENTERPRISE_IN_ANOTHER_ORG']);
      expect(await orgsHolding(contested, [x, y])).toEqual([outcomes[0].status === 'fulfilled' ? x : y]);
      winners[outcomes[0].status === 'fulfilled' ? 'first' : 'second'] += 1;
    }
    // nothing undone: no organisation ever lost an enterprise
    expect(await store.readAll({ types: ['EnterpriseLeftOrg', 'OrgDissolved'], limit: 10 })).toEqual([]);
    expect(winners.first + winners.second).toBe(ROUNDS);
  }, RACE_TIMEOUT_MS);

  it(`an officer's add on one instance against the automatic rules on another: one organisation holds the enterprise, ${ROUNDS} rounds`, async () => {
    const [officers, rules] = [instance(store), instance(store)];
    const outcomesSeen = { officer: 0, rules: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const x = await formOrg(officers.commands, codeOf(await register(3)), `rx-${kind}-${round}`);
      // a joint branch the rules formed, with room, in the contested enterprise's industry chain
      const a = await register(1);
      const b = await register(2);
      await rules.engine.onRegistryEvent(a);
      await rules.engine.onRegistryEvent(b);
      const contested = await register(1);
      const jointOf = async () => (await store.readAll({ types: ['OrgFormed'] })).filter((e) => (e.data as { mode: string }).mode === 'joint').map((e) => (e.data as { orgId: string }).orgId);
      const outcomes = await Promise.allSettled([
        officers.commands.addEnterprise(envelope({ orgId: x, creditCode: codeOf(contested) }, `radd-${kind}-${round}`) as never),
        rules.engine.onRegistryEvent(contested),
      ]);
      expect(outcomes[1].status).toBe('fulfilled'); // a lost race is the rules' to take back silently, not an error
      const holding = await orgsHolding(codeOf(contested), [x, ...(await jointOf())]);
      expect(holding).toHaveLength(1);
      if (outcomes[0].status === 'fulfilled') {
        expect(holding).toEqual([x]);
        outcomesSeen.officer += 1;
      } else {
        expect(refusalCode(outcomes[0])).toBe('ENTERPRISE_IN_ANOTHER_ORG');
        expect(holding[0]).not.toBe(x);
        outcomesSeen.rules += 1;
      }
    }
    expect(await store.readAll({ types: ['EnterpriseLeftOrg'], limit: 10 })).toEqual([]);
    expect(outcomesSeen.officer + outcomesSeen.rules).toBe(ROUNDS);
  }, RACE_TIMEOUT_MS);

  it(`two assignments of one person at the caseload limit on two instances: exactly one takes the last place, ${ROUNDS} rounds`, async () => {
    const policy = { ...DEFAULT_FORMATION_POLICY, maxWorkCoverageCaseload: 2 };
    const [first, second] = [instance(store, policy), instance(store, policy)];
    for (let round = 0; round < ROUNDS; round++) {
      const person = { personId: `p-${kind}-${round}`, name: `联络员${round}` };
      const codes: string[] = [];
      for (let i = 0; i < 3; i++) {
        const registered = await register(0);
        await first.engine.onRegistryEvent(registered);
        await second.engine.onRegistryEvent(registered);
        codes.push(codeOf(registered));
      }
      const assign = (on: typeof first, creditCode: string, id: string) =>
        on.commands.assignWorkCoverage(envelope({ creditCode, coveredBy: 'liaison', assignee: person }, `${id}-${kind}-${round}`) as never);
      await assign(first, codes[0], 'assign-0');
      const outcomes = await Promise.allSettled([assign(first, codes[1], 'assign-1'), assign(second, codes[2], 'assign-2')]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(outcomes.map(refusalCode).filter(Boolean)).toEqual(['CASELOAD_EXCEEDED']);
      let covered = 0;
      for (const code of codes) {
        const last = (await store.readStream(formationEnterpriseStreamId(code))).at(-1);
        if (last?.type === 'WorkCoverageAssigned' && (last.data as { assignee?: { personId: string } }).assignee?.personId === person.personId) covered += 1;
      }
      expect(covered).toBe(2);
    }
  }, RACE_TIMEOUT_MS);

  it(`crosswise moves in the organisation tree on two instances (A under B, B under A): one wins, the other is refused, nothing undone, ${ROUNDS} rounds`, async () => {
    const [first, second] = [instance(store), instance(store)];
    const umbrella = async (id: string) =>
      (await first.commands.formOrg(envelope({ mode: 'area-combined', name: `综合党委${id}`, district: DISTRICT, enterprises: [], level: 'general-branch' }, `form-${id}`) as never)).result?.orgId ?? '';
    const parentOf = async (orgId: string) => {
      const org = fold(orgDecider, await store.readStream<OrgEvent>(orgStreamId(orgId)));
      return org.exists ? org.parentOrgId : undefined;
    };
    for (let round = 0; round < ROUNDS; round++) {
      const a = await umbrella(`ta-${kind}-${round}`);
      const b = await umbrella(`tb-${kind}-${round}`);
      const outcomes = await Promise.allSettled([
        first.commands.changeOrgParent(envelope({ orgId: a, parentOrgId: b, reason: '调整隶属关系' }, `move-a-${kind}-${round}`) as never),
        second.commands.changeOrgParent(envelope({ orgId: b, parentOrgId: a, reason: '调整隶属关系' }, `move-b-${kind}-${round}`) as never),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(outcomes.map(refusalCode).filter(Boolean)).toEqual(['PARENT_CYCLE']);
      expect([await parentOf(a), await parentOf(b)]).toEqual(outcomes[0].status === 'fulfilled' ? [b, undefined] : [undefined, a]);
    }
    const moves = await store.readAll({ types: ['OrgParentChanged'], limit: 10 * ROUNDS });
    expect(moves.filter((e) => (e.data as { automatic: boolean }).automatic)).toEqual([]);
  }, RACE_TIMEOUT_MS);
});
