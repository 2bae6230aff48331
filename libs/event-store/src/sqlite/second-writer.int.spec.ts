import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@liangxin/contracts';
import { anEvent, eventually } from '../testing';
import { SqliteEventStore } from './sqlite-event-store';

// A second SqliteEventStore on the same file stands for a second process (an admin CLI): it has its own
// connections and the first store hears nothing of its appends except through the file.
describe('SQLite with a second writer on the same file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liangxin-second-writer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a live subscription sees events the other writer appended (by polling)', async () => {
    const file = join(dir, 'poll.db');
    const service = SqliteEventStore.open({ file, durability: 'os', pollIntervalMs: 20 });
    const adminCli = SqliteEventStore.open({ file, durability: 'os' });
    const seen: RecordedEvent[] = [];
    let caughtUp = false;
    const subscription = service.subscribeToAll({ onCaughtUp: () => (caughtUp = true) }, (event) => {
      seen.push(event);
    });
    await eventually(() => caughtUp, 'the subscription to reach the (empty) head');

    await adminCli.append('org-1', [anEvent('OrgDissolved')], { expected: 'any' });
    await eventually(() => seen.length === 1, 'the other writer\'s event to arrive');
    expect(seen[0]).toMatchObject({ type: 'OrgDissolved', globalPosition: 1 });

    await subscription.stop();
    await adminCli.close();
    await service.close();
  });

  it('a live subscription served from the store\'s in-memory tail still delivers exactly the file\'s log when another writer interleaves', async () => {
    const file = join(dir, 'tail.db');
    const service = SqliteEventStore.open({ file, durability: 'os', pollIntervalMs: 20 });
    const adminCli = SqliteEventStore.open({ file, durability: 'os' });
    const seen: RecordedEvent[] = [];
    const filtered: RecordedEvent[] = [];
    const all = service.subscribeToAll({}, (event) => {
      seen.push(event);
    });
    const onlyOrgA = service.subscribeToAll({ streamPrefixes: ['org-a'], types: ['FromService'] }, (event) => {
      filtered.push(event);
    });
    const appendedObjects: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      const result = await service.append('org-a', [anEvent('FromService', { i }), anEvent('Other', { i })], { expected: 'any' });
      appendedObjects.push(result.events[0].data);
      if (i % 3 === 0) await adminCli.append('org-a', [anEvent('FromService', { i, admin: true })], { expected: 'any' });
      await service.append('org-b', [anEvent('FromService', { i })], { expected: 'any' });
    }
    await eventually(() => seen.length === 34, 'every event to arrive');

    const log = await adminCli.readAll();
    expect(seen).toEqual(log);
    expect(filtered).toEqual(log.filter((e) => e.streamId === 'org-a' && e.type === 'FromService'));
    // subscribers get their own objects, never the ones the appender holds
    expect(seen[0].data).toEqual(appendedObjects[0]);
    expect(seen[0].data).not.toBe(appendedObjects[0]);

    await all.stop();
    await onlyOrgA.stop();
    await adminCli.close();
    await service.close();
  });

  it('two writers interleaving keep one gap-free log and intact hash chains', async () => {
    const file = join(dir, 'interleave.db');
    const first = SqliteEventStore.open({ file, durability: 'os' });
    const second = SqliteEventStore.open({ file, durability: 'os' });
    for (let i = 0; i < 20; i++) {
      await Promise.all([
        first.append('org-shared', [anEvent('FromFirst')], { expected: 'any' }),
        second.append('org-shared', [anEvent('FromSecond')], { expected: 'any' }),
        second.append(`org-second-${i % 3}`, [anEvent('FromSecond')], { expected: 'any' }),
      ]);
    }
    const all = await first.readAll();
    expect(all.map((e) => e.globalPosition)).toEqual(all.map((_, i) => i + 1));
    expect((await first.readStream('org-shared')).map((e) => e.streamVersion)).toEqual([...Array(40).keys()]);
    expect(await second.verify()).toEqual({ ok: true, eventsChecked: 60 });
    await first.close();
    await second.close();
  });
});
