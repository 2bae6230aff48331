// Decisions per second of the formation service in embedded mode (SQLite store, reactions appended with their
// expected versions and command ids), beside the raw store append rate for the same number of events, in one run.
// Run: node -r ./tools/register.js bench/formation-store.bench.ts [enterprises=40000] [live|catch-up]
import 'reflect-metadata'; // the contracts carry class-validator DTOs, whose decorators read design-time types
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { creditCodeCheckCharacter, enterpriseStreamId, type NewEvent, type RecordedEvent, type RegistryEvent } from '@liangxin/contracts';
import { SqliteEventStore } from '@liangxin/event-store';
import { DEFAULT_FORMATION_POLICY } from '@liangxin/formation-domain';
import { FormationEngine } from '@liangxin/formation-service';

const enterprises = Number(process.argv[2] ?? 40_000);
const district = '430104';
const chains = ['electronics', 'biomedicine', 'new-materials', 'robotics', 'software', 'logistics'];

// deterministic pseudo-random numbers, so every run measures the same district
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
const codeOf = (n: number) => {
  const first17 = `91${district}${String(n).padStart(9, '0')}`;
  return first17 + creditCodeCheckCharacter(first17);
};

const registry: { streamId: string; event: NewEvent<RegistryEvent> }[] = [];
const codes: string[] = [];
const metadata = { actor: 'bench:registrar' };
for (let i = 0; i < enterprises; i++) {
  const creditCode = codeOf(i + 1);
  codes.push(creditCode);
  const roll = random();
  const full = roll < 0.55 ? 0 : roll < 0.85 ? 1 + Math.floor(random() * 2) : 3 + Math.floor(random() * 20);
  registry.push({
    streamId: enterpriseStreamId(creditCode),
    event: {
      type: 'EnterpriseRegistered',
      schemaVersion: 1,
      data: { creditCode, district, name: `E${i}`, kind: 'enterprise', employees: Math.floor(random() * 300), fullMembers: full, probationaryMembers: random() < 0.3 ? 1 : 0, industryChain: pick(chains), park: `park-${i % 12}` },
      metadata,
    },
  });
}
for (let i = 0; i < enterprises / 2; i++) {
  const creditCode = pick(codes);
  const event: NewEvent<RegistryEvent> =
    random() < 0.85
      ? { type: 'MemberCountChanged', schemaVersion: 1, data: { creditCode, district, fullMembers: Math.floor(random() * 5), probationaryMembers: Math.floor(random() * 2), previousFullMembers: 0, previousProbationaryMembers: 0, reason: 'correction' }, metadata }
      : { type: 'OperatingStatusChanged', schemaVersion: 1, data: { creditCode, district, status: random() < 0.7 ? 'abnormal' : 'normal', previousStatus: 'normal' }, metadata };
  registry.push({ streamId: enterpriseStreamId(creditCode), event });
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'liangxin-formation-bench-'));
  try {
    const store = SqliteEventStore.open({ file: join(dir, 'events.sqlite'), durability: 'os' });
    // 'live' (default): the service was running before the registry wrote, so each event is reacted to as it comes.
    // 'catch-up': the service starts on a full registry, so each enterprise is reconciled once on its first event.
    const mode = process.argv[3] === 'catch-up' ? 'catch-up' : 'live';
    const engine = new FormationEngine(store, DEFAULT_FORMATION_POLICY);
    if (mode === 'live') await engine.withPlacement(async () => undefined);
    // the registry's history, written before the clock starts
    for (let i = 0; i < registry.length; i += 1_000)
      await Promise.all(registry.slice(i, i + 1_000).map(({ streamId, event }) => store.append(streamId, [event], { expected: 'any' })));
    const history = (await store.readAll({ streamPrefixes: ['enterprise-'], limit: registry.length + 1 })) as RecordedEvent<RegistryEvent>[];

    const before = await store.headPosition();
    const started = process.hrtime.bigint();
    for (const event of history) await engine.onRegistryEvent(event);
    const serviceSeconds = seconds(started);
    const formationEvents = (await store.headPosition()) - before;
    const formationAppends = new Set((await store.readAll({ after: before, limit: formationEvents + 1 })).map((e) => e.metadata.commandId)).size;

    // the raw rate: the same number of events appended in batches of 1 000 to fresh streams
    const raw: NewEvent = { type: 'BenchEvent', schemaVersion: 1, data: { orgId: 'joint-430104-1', district, automatic: true, policyVersion: '2025.1' }, metadata: { actor: 'bench' } };
    const rawStarted = process.hrtime.bigint();
    for (let written = 0, batch = 0; written < formationEvents; written += 1_000, batch++)
      await store.append(`bench-${batch}`, Array.from({ length: Math.min(1_000, formationEvents - written) }, () => raw), { expected: 'no_stream' });
    const rawSeconds = seconds(rawStarted);
    await store.close();

    const decisionsPerSecond = history.length / serviceSeconds;
    const serviceEventsPerSecond = formationEvents / serviceSeconds;
    const rawEventsPerSecond = formationEvents / rawSeconds;
    console.log(`formation service, embedded (SQLite, durability os), one district of ${enterprises} enterprises, ${mode}`);
    console.log(`  registry events reacted to : ${history.length} (state built from the store ${engine.rebuildCount} time(s))`);
    console.log(`  formation events appended  : ${formationEvents} in ${formationAppends} appends`);
    console.log(`  service                    : ${serviceSeconds.toFixed(2)} s, ${Math.round(decisionsPerSecond)} decisions/s, ${Math.round(serviceEventsPerSecond)} events/s`);
    console.log(`  raw store, batches of 1000 : ${rawSeconds.toFixed(2)} s, ${Math.round(rawEventsPerSecond)} events/s`);
    console.log(`  service / raw (events/s)   : ${(serviceEventsPerSecond / rawEventsPerSecond).toFixed(3)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
