import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { RecordedEvent } from '@liangxin/contracts';
import { ConcurrencyError, isConcurrencyError } from '../port';
import { anEvent, eventually } from '../testing';
import { SqliteEventStore } from './sqlite-event-store';

// The store commits in a worker thread: what must hold across that boundary.
const dir = mkdtempSync(join(tmpdir(), 'liangxin-commit-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `store-${++files}.db`);

const rejectionOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(
  () => {
    throw new Error('expected a rejection');
  },
  (error: unknown) => error,
);

describe('SQLite store committing in a worker thread', () => {
  it('keeps turning the main event loop while a commit syncs to disk', async () => {
    const store = SqliteEventStore.open({ file: freshFile(), durability: 'fsync' });
    let turns = 0;
    let counting = true;
    const countTurn = () => {
      if (!counting) return;
      turns += 1;
      setImmediate(countTurn);
    };
    setImmediate(countTurn);
    // committed on the main thread, these 1 000 events would hold the loop from the first turn to the end
    await store.append('org-big', Array.from({ length: 1000 }, (_, i) => anEvent('MemberJoined', { i })), { expected: 'no_stream' });
    counting = false;
    expect(turns).toBeGreaterThan(1);
    await store.close();
  });

  it('rejects a failed expectation with a ConcurrencyError of the main thread, fields and all', async () => {
    const store = SqliteEventStore.open({ file: freshFile(), durability: 'os' });
    await store.append('org-1', [anEvent('OrgFormed')], { expected: 'no_stream' });
    const error = await rejectionOf(store.append('org-1', [anEvent('MemberJoined')], { expected: 5 }));
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(isConcurrencyError(error)).toBe(true);
    expect(error).toMatchObject({ streamId: 'org-1', expected: 5, actual: 0, code: 'CONCURRENCY_CONFLICT' });
    await store.close();
  });

  it('rejects a failed insert with better-sqlite3\'s SqliteError and its code', async () => {
    const store = SqliteEventStore.open({ file: freshFile(), durability: 'os' });
    const eventId = '00000000-0000-4000-8000-00000000000a';
    await store.append('s-1', [{ ...anEvent(), eventId }], { expected: 'any' });
    const error = await rejectionOf(store.append('s-2', [{ ...anEvent(), eventId }], { expected: 'any' }));
    expect(error).toBeInstanceOf(Database.SqliteError);
    expect(error).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    await store.close();
  });

  it('gives back the caller\'s own data objects, with the commandId folded into the stored metadata', async () => {
    const store = SqliteEventStore.open({ file: freshFile(), durability: 'os' });
    const event = anEvent('GrantPaid', { amount: 5000 });
    const result = await store.append('funding-1', [event], { expected: 'no_stream', commandId: 'pay-7' });
    expect(result.events[0].data).toBe(event.data);
    expect(result.events[0].metadata).toEqual({ actor: 'test', commandId: 'pay-7' });
    expect(await store.readStream('funding-1')).toEqual(result.events);
    await store.close();
  });

  it('wakes a live subscription once the worker has committed (not by polling)', async () => {
    const store = SqliteEventStore.open({ file: freshFile(), durability: 'fsync', pollIntervalMs: 600_000 });
    const seen: RecordedEvent[] = [];
    let caughtUp = false;
    const subscription = store.subscribeToAll({ onCaughtUp: () => (caughtUp = true) }, (event) => {
      seen.push(event);
    });
    await eventually(() => caughtUp, 'the subscription to reach the (empty) head');
    const appended = await store.append('org-9', [anEvent('OrgFormed')], { expected: 'no_stream' });
    await eventually(() => seen.length === 1, 'the appended event to reach the subscription');
    expect(seen[0].eventId).toBe(appended.events[0].eventId);
    await subscription.stop();
    await store.close();
  });

  it('close() waits for the commit in flight and the appends queued behind it, then refuses new ones', async () => {
    const file = freshFile();
    const store = SqliteEventStore.open({ file, durability: 'fsync' });
    const inFlightAndQueued = Array.from({ length: 20 }, (_, i) => store.append(`org-${i % 4}`, [anEvent('Tick', { i })], { expected: 'any' }));
    await store.close();
    const results = await Promise.all(inFlightAndQueued);
    expect(results.map((r) => r.lastPosition).sort((a, b) => a - b)).toEqual([...Array(20).keys()].map((i) => i + 1));
    await expect(store.append('org-0', [anEvent()], { expected: 'any' })).rejects.toThrow(/closed/);

    const reopened = SqliteEventStore.open({ file, durability: 'os' });
    expect(await reopened.headPosition()).toBe(20);
    expect((await reopened.verify()).ok).toBe(true);
    await reopened.close();
  });

  it('fails only the group that could not get the write lock from another process; the worker commits on after', async () => {
    const file = freshFile();
    const store = SqliteEventStore.open({ file, durability: 'os', busyTimeoutMs: 20 });
    await store.append('org-1', [anEvent('OrgFormed')], { expected: 'no_stream' });
    const adminCli = new Database(file);
    adminCli.exec('BEGIN IMMEDIATE');
    const blocked = await rejectionOf(store.append('org-1', [anEvent('MemberJoined')], { expected: 0 }));
    expect(blocked).toBeInstanceOf(Database.SqliteError);
    expect(blocked).toMatchObject({ code: 'SQLITE_BUSY' });
    adminCli.exec('ROLLBACK');
    adminCli.close();

    const retried = await store.append('org-1', [anEvent('MemberJoined')], { expected: 0 });
    expect(retried.lastPosition).toBe(2);
    expect(await store.verify()).toEqual({ ok: true, eventsChecked: 2 });
    await store.close();
  });

  it('keeps the process alive while an append is in flight, and not after: a store left open does not hang the process', async () => {
    const file = freshFile();
    const root = resolve(__dirname, '../../../..');
    const child = spawn(process.execPath, ['-r', join(root, 'tools/register.js'), join(__dirname, 'unclosed-store.fixture.ts'), file], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exitCode = await new Promise<number | null>((resolveExit, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => resolveExit(code));
    });
    expect(exitCode).toBe(0);
    const reopened = SqliteEventStore.open({ file, durability: 'os' });
    expect((await reopened.readStream('org-left-open')).map((e) => e.data)).toEqual([0, 1, 2, 3, 4].map((version) => ({ version })));
    await reopened.close();
  });

  it('open() throws when the worker cannot open the database, instead of falling back to the main thread', () => {
    const notADatabase = freshFile();
    writeFileSync(notADatabase, 'this is not an SQLite file, but it is long enough to have a header of one'.repeat(20));
    expect(() => SqliteEventStore.open({ file: notADatabase, durability: 'os' })).toThrow(/commit worker .* did not start: file is not a database/);
  });
});
