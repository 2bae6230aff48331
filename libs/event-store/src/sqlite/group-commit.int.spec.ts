import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { isConcurrencyError, type ExpectedStreamState } from '../port';
import { anEvent } from '../testing';
import { SqliteEventStore } from './sqlite-event-store';

const dir = mkdtempSync(join(tmpdir(), 'liangxin-group-commit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `store-${++files}.db`);

describe('SQLite group commit', () => {
  it('commits appends issued together in one transaction, and a conflicting one fails alone', async () => {
    const store = SqliteEventStore.open({ file: freshFile(), durability: 'fsync' });
    await store.append('org-1', [anEvent('OrgFormed')], { expected: 'no_stream' });
    const before = store.stats();

    const outcomes = await Promise.allSettled([
      store.append('org-2', [anEvent('OrgFormed')], { expected: 'no_stream' }),
      store.append('org-1', [anEvent('Stale')], { expected: 'no_stream' }),
      store.append('org-1', [anEvent('MemberJoined')], { expected: 0 }),
      store.append('org-3', [anEvent('OrgFormed'), anEvent('MemberJoined')], { expected: 'no_stream' }),
    ]);

    const after = store.stats();
    expect(after.commits - before.commits).toBe(1);
    expect(after.appends - before.appends).toBe(4);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(isConcurrencyError((outcomes[1] as PromiseRejectedResult).reason)).toBe(true);
    expect((await store.readStream('org-1')).map((e) => e.type)).toEqual(['OrgFormed', 'MemberJoined']);
    expect((await store.readAll()).map((e) => e.globalPosition)).toEqual([1, 2, 3, 4, 5]);
    expect(await store.verify()).toEqual({ ok: true, eventsChecked: 5 });
    await store.close();
  });

  it('decides an idempotent retry inside the same group against the first attempt', async () => {
    const store = SqliteEventStore.open({ file: freshFile(), durability: 'os' });
    const [first, retry] = await Promise.all([
      store.append('funding-1', [anEvent('GrantPaid')], { expected: 'no_stream', commandId: 'pay-1' }),
      store.append('funding-1', [anEvent('GrantPaid')], { expected: 'no_stream', commandId: 'pay-1' }),
    ]);
    expect(store.stats().commits).toBe(1);
    expect(first.idempotentReplay).toBe(false);
    expect(retry.idempotentReplay).toBe(true);
    expect(retry.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
    expect(await store.readStream('funding-1')).toHaveLength(1);
    await store.close();
  });

  it('rolls back only the append whose insert fails (a reused eventId)', async () => {
    const store = SqliteEventStore.open({ file: freshFile(), durability: 'os' });
    const eventId = '00000000-0000-4000-8000-000000000001';
    await store.append('s-1', [{ ...anEvent(), eventId }], { expected: 'any' });
    const outcomes = await Promise.allSettled([
      store.append('s-2', [anEvent('Kept')], { expected: 'any' }),
      store.append('s-3', [anEvent('Lost'), { ...anEvent('Duplicate'), eventId }], { expected: 'any' }),
      store.append('s-4', [anEvent('Kept')], { expected: 'any' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.readAll()).map((e) => [e.globalPosition, e.streamId])).toEqual([
      [1, 's-1'], [2, 's-2'], [3, 's-4'],
    ]);
    expect((await store.verify()).ok).toBe(true);
    await store.close();
  });

  it('property: any interleaving of concurrent appends leaves gap-free streams in a consistent global order', async () => {
    const operation = fc.record({
      stream: fc.integer({ min: 0, max: 3 }),
      events: fc.integer({ min: 1, max: 3 }),
      expected: fc.oneof(fc.constant<ExpectedStreamState>('any'), fc.constant<ExpectedStreamState>('no_stream'), fc.integer({ min: 0, max: 4 })),
      awaitPendingAfter: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 30 }), async (operations) => {
        const store = SqliteEventStore.open({ file: freshFile(), durability: 'os' });
        try {
          let pending: Promise<unknown>[] = [];
          const acknowledged: { streamId: string; eventIds: string[] }[] = [];
          for (const op of operations) {
            const streamId = `formation-${op.stream}`;
            pending.push(
              store
                .append(streamId, Array.from({ length: op.events }, () => anEvent()), { expected: op.expected })
                .then((r) => acknowledged.push({ streamId, eventIds: r.events.map((e) => e.eventId) }))
                .catch((error) => {
                  if (!isConcurrencyError(error)) throw error;
                }),
            );
            if (op.awaitPendingAfter) {
              await Promise.all(pending);
              pending = [];
            }
          }
          await Promise.all(pending);

          const all = await store.readAll();
          expect(all.map((e) => e.globalPosition)).toEqual(all.map((_, i) => i + 1));
          const versionsByStream = new Map<string, number[]>();
          for (const event of all) {
            versionsByStream.set(event.streamId, [...(versionsByStream.get(event.streamId) ?? []), event.streamVersion]);
          }
          for (const versions of versionsByStream.values()) expect(versions).toEqual(versions.map((_, i) => i));
          const stored = new Map(all.map((e) => [e.eventId, e.streamId]));
          const acknowledgedIds = acknowledged.flatMap((a) => a.eventIds.map((id) => [id, a.streamId]));
          expect(acknowledgedIds.every(([id, streamId]) => stored.get(id) === streamId)).toBe(true);
          expect(acknowledgedIds).toHaveLength(all.length);
          expect((await store.verify()).ok).toBe(true);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('SQLite durability', () => {
  it('finds every acknowledged append after the writing process is SIGKILLed', async () => {
    const file = freshFile();
    const root = resolve(__dirname, '../../../..');
    const child = spawn(process.execPath, ['-r', join(root, 'tools/register.js'), join(__dirname, 'crash-writer.fixture.ts'), file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acknowledged: { streamId: string; version: number; eventId: string }[] = [];
    let buffered = '';
    await new Promise<void>((resolveKilled, reject) => {
      child.on('error', reject);
      child.on('exit', () => resolveKilled());
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const [, streamId, version, eventId] = line.split(' ');
          acknowledged.push({ streamId, version: Number(version), eventId });
        }
        if (acknowledged.length >= 300 && child.exitCode === null) child.kill('SIGKILL');
      });
    });
    expect(child.signalCode).toBe('SIGKILL');
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);

    const reopened = SqliteEventStore.open({ file, durability: 'fsync' });
    const stored = new Map((await reopened.readAll({ limit: 1_000_000 })).map((e) => [e.eventId, e]));
    const missing = acknowledged.filter((a) => stored.get(a.eventId)?.streamVersion !== a.version || stored.get(a.eventId)?.streamId !== a.streamId);
    expect(missing).toEqual([]);
    expect((await reopened.verify()).ok).toBe(true);
    await reopened.close();
  });
});

describe('SQLite tamper evidence', () => {
  it('verify() names the event in which a single stored byte was changed', async () => {
    const file = freshFile();
    const store = SqliteEventStore.open({ file, durability: 'os' });
    await store.append('enterprise-91350100M000100Y43', [anEvent('EnterpriseRegistered', { fullMembers: 3 })], { expected: 'no_stream' });
    await store.append('enterprise-91350100M000100Y43', [anEvent('MemberCountChanged', { fullMembers: 2 })], { expected: 0 });
    await store.append('org-7', [anEvent('OrgFormed')], { expected: 'no_stream' });
    expect(await store.verify()).toEqual({ ok: true, eventsChecked: 3 });
    const target = (await store.readAll())[1];

    const raw = new Database(file);
    raw.prepare(`UPDATE events SET data = replace(data, '"fullMembers":2', '"fullMembers":3') WHERE global_position = 2`).run();
    raw.close();

    expect(await store.verify()).toEqual({
      ok: false,
      eventsChecked: 1,
      brokenLink: { globalPosition: 2, streamId: target.streamId, eventId: target.eventId, reason: 'global_hash_mismatch' },
    });
    await store.close();
  });

  it('verify() notices a deleted event', async () => {
    const file = freshFile();
    const store = SqliteEventStore.open({ file, durability: 'os' });
    await store.append('org-1', [anEvent('A'), anEvent('B'), anEvent('C')], { expected: 'no_stream' });
    const raw = new Database(file);
    raw.prepare('DELETE FROM events WHERE global_position = 2').run();
    raw.close();
    expect(await store.verify()).toMatchObject({ ok: false, brokenLink: { globalPosition: 3, reason: 'global_position_gap' } });
    await store.close();
  });
});
