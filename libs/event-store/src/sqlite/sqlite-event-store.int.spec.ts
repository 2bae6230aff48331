import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract, openTemporarySqliteStore } from '../testing';
import { SqliteEventStore } from './sqlite-event-store';

const dir = mkdtempSync(join(tmpdir(), 'liangxin-sqlite-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
describeEventStoreContract('SQLite (fsync)', () =>
  SqliteEventStore.open({ file: join(dir, `store-${++n}.db`), durability: 'fsync' }),
);

const temporaryStores: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(temporaryStores.map((dispose) => dispose())));
describeEventStoreContract('SQLite (os durability, via openTemporarySqliteStore)', () => {
  const { store, dispose } = openTemporarySqliteStore();
  temporaryStores.push(dispose);
  return store;
});

describe('SqliteEventStore.openReader (a thread that follows the log another store writes)', () => {
  it('reads what the writer appends, live, and refuses to append', async () => {
    const file = join(dir, 'reader.db');
    const writer = SqliteEventStore.open({ file, durability: 'os' });
    const reader = SqliteEventStore.openReader({ file, pollIntervalMs: 10 });
    try {
      const seen: string[] = [];
      const subscription = reader.subscribeToAll({ after: 0 }, (event) => void seen.push(event.type));
      const { lastPosition, events } = await writer.append('s-1', [{ type: 'Opened', schemaVersion: 1, data: {}, metadata: { actor: 'test' } }], { expected: 'no_stream' });
      expect(await reader.headPosition()).toBe(lastPosition);
      expect((await reader.readAll()).map((e) => e.type)).toEqual(['Opened']);
      expect(await reader.readEvent(events[0].eventId)).toMatchObject({ streamId: 's-1', streamVersion: 0 });
      const deadline = Date.now() + 5_000;
      while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(seen).toEqual(['Opened']);
      await subscription.stop();
      await expect(reader.append('s-2', [{ type: 'Opened', schemaVersion: 1, data: {}, metadata: { actor: 'test' } }], { expected: 'any' })).rejects.toThrow(/reader/);
      expect(await writer.headPosition()).toBe(lastPosition);
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});
