// Decisions per second of the formation process manager, in memory, over one generated district.
// Run: node -r ./tools/register.js bench/formation.bench.ts [enterprises=40000]
import 'reflect-metadata'; // the contracts carry class-validator DTOs, whose decorators read design-time types
import type { RegistryEvent } from '@liangxin/contracts';
import { DEFAULT_FORMATION_POLICY, initialPlacementState, react } from '@liangxin/formation-domain';
import { generateCreditCode } from '@liangxin/registry-domain';

const enterprises = Number(process.argv[2] ?? 40_000);
const district = '430104';
const chains = ['electronics', 'biomedicine', 'new-materials', 'robotics', 'software', 'logistics'];

// deterministic pseudo-random numbers, so every run measures the same district
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];

const events: { event: RegistryEvent; version: number }[] = [];
const versions = new Map<string, number>();
const codes: string[] = [];
const push = (event: RegistryEvent) => {
  const v = (versions.get(event.data.creditCode) ?? -1) + 1;
  versions.set(event.data.creditCode, v);
  events.push({ event, version: v });
};
for (let i = 0; i < enterprises; i++) {
  const creditCode = generateCreditCode(district, i * 7_919 + 1);
  codes.push(creditCode);
  const roll = random();
  const full = roll < 0.55 ? 0 : roll < 0.85 ? 1 + Math.floor(random() * 2) : 3 + Math.floor(random() * 20);
  push({
    type: 'EnterpriseRegistered',
    schemaVersion: 1,
    data: { creditCode, district, name: `E${i}`, kind: 'enterprise', employees: Math.floor(random() * 300), fullMembers: full, probationaryMembers: random() < 0.3 ? 1 : 0, industryChain: pick(chains), park: `park-${i % 12}` },
  });
}
// a year of changes: member counts moving both ways, some enterprises going abnormal or deregistered
for (let i = 0; i < enterprises / 2; i++) {
  const creditCode = pick(codes);
  if (random() < 0.85) {
    push({ type: 'MemberCountChanged', schemaVersion: 1, data: { creditCode, district, fullMembers: Math.floor(random() * 5), probationaryMembers: Math.floor(random() * 2), previousFullMembers: 0, previousProbationaryMembers: 0, reason: 'correction' } });
  } else {
    push({ type: 'OperatingStatusChanged', schemaVersion: 1, data: { creditCode, district, status: random() < 0.7 ? 'abnormal' : 'normal', previousStatus: 'normal' } });
  }
}

const run = () => {
  const state = initialPlacementState();
  let formationEvents = 0;
  const started = process.hrtime.bigint();
  for (const { event, version } of events) for (const append of react(state, event, version, DEFAULT_FORMATION_POLICY)) formationEvents += append.events.length;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const live = [...state.orgs.values()].filter((o) => !o.dissolved);
  return { seconds, formationEvents, standalone: live.filter((o) => o.mode === 'standalone').length, joint: live.filter((o) => o.mode === 'joint').length };
};

run(); // warm-up
const runs = [run(), run(), run()].sort((a, b) => a.seconds - b.seconds);
const median = runs[1];
console.log(`formation process manager, in memory, one district of ${enterprises} enterprises`);
console.log(`  registry events reacted to : ${events.length}`);
console.log(`  formation events decided   : ${median.formationEvents}`);
console.log(`  organisations at the end   : ${median.standalone} standalone, ${median.joint} joint`);
console.log(`  median of 3 runs           : ${median.seconds.toFixed(3)} s`);
console.log(`  decisions per second       : ${Math.round(events.length / median.seconds).toLocaleString('en')} registry events/s (${Math.round(median.formationEvents / median.seconds).toLocaleString('en')} formation events/s)`);
