import { readModelStoreContract } from '../testing';
import { SqliteReadModelStore } from './sqlite-read-model-store';

describe('SqliteReadModelStore (contract)', () => {
  readModelStoreContract(() => SqliteReadModelStore.open('', ':memory:'));
});

describe('SqliteReadModelStore.commitAll', () => {
  it('is one transaction: a refused commit leaves every projection as it was', async () => {
    const store = SqliteReadModelStore.open('', ':memory:');
    await store.register('first', ['first.items']);
    await store.register('second', ['second.items']);
    await expect(
      store.commitAll([
        { projection: 'first', changes: [{ collection: 'first.items', id: 'a', body: { v: 1 }, position: 1 }], checkpoint: 1 },
        { projection: 'second', changes: [{ collection: 'first.items', id: 'b', body: { v: 1 }, position: 1 }], checkpoint: 1 },
      ]),
    ).rejects.toThrow(/may not write first.items/);
    expect(await store.get('first.items', 'a')).toBeUndefined();
    expect(await store.checkpoint('first')).toBe(0);
    await store.close();
  });
});
