import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@liangxin/contracts';
import { SqliteDeadLetterStore } from './sqlite-dead-letter-store';

const event = (globalPosition: number): RecordedEvent => ({
  type: 'EnterpriseRegistered',
  schemaVersion: 1,
  data: { creditCode: '91350100M000100Y43' },
  eventId: `e-${globalPosition}`,
  streamId: 'enterprise-91350100M000100Y43',
  streamVersion: 0,
  globalPosition,
  occurredAt: '2024-01-01T00:00:00.000Z',
  recordedAt: '2024-01-01T00:00:00.000Z',
  metadata: { actor: 'system:test' },
});

describe('SqliteDeadLetterStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liangxin-dead-letters-'));
  const file = join(dir, 'consumers.sqlite');
  let store: SqliteDeadLetterStore;
  beforeEach(() => (store = new SqliteDeadLetterStore({ file })));
  afterEach(() => store.close());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parks an event with its consumer, error and attempts, and lists it after reopening', async () => {
    const parked = await store.park({ consumer: 'formation', event: event(5), error: 'boom', attempts: 3 });
    await store.close();
    store = new SqliteDeadLetterStore({ file });
    const [listed] = await store.list('formation');
    expect(listed).toEqual(parked);
    expect(listed).toMatchObject({ consumer: 'formation', error: 'boom', attempts: 3, event: event(5) });
  });

  it('parking the same event again for the same consumer updates it instead of duplicating', async () => {
    await store.park({ consumer: 'funding', event: event(7), error: 'first', attempts: 3 });
    await store.park({ consumer: 'funding', event: event(7), error: 'second', attempts: 3 });
    await store.park({ consumer: 'evaluation', event: event(7), error: 'other consumer', attempts: 1 });
    const funding = await store.list('funding');
    expect(funding).toHaveLength(1);
    expect(funding[0]).toMatchObject({ error: 'second', attempts: 6 });
    expect(await store.list('evaluation')).toHaveLength(1);
  });

  it('records failed retries and removes a letter once retried successfully', async () => {
    const parked = await store.park({ consumer: 'registry', event: event(9), error: 'x', attempts: 2 });
    await store.recordFailedRetry(parked.id, 'still broken', 3);
    expect(await store.get(parked.id)).toMatchObject({ error: 'still broken', attempts: 3 });
    await store.remove(parked.id);
    expect(await store.get(parked.id)).toBeUndefined();
  });
});
