import type { CheckpointStore } from './checkpoint-store';

/**
 * What every CheckpointStore must do, run against each implementation.
 * `open` returns a store over the same durable storage each time it is called, so the suite can
 * check that a save outlives the store object that made it.
 */
export function checkpointStoreContract(
  open: () => Promise<CheckpointStore & { close?: () => Promise<void> }>,
): void {
  const opened: Array<{ close?: () => Promise<void> }> = [];
  const openTracked = async () => {
    const store = await open();
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close?.();
  });

  const unique = (label: string) => `${label}-${process.hrtime.bigint()}`;

  it('has nothing for a name never saved', async () => {
    const store = await openTracked();
    await expect(store.load(unique('never'))).resolves.toBeUndefined();
  });

  it('returns the value last saved under a name', async () => {
    const store = await openTracked();
    const name = unique('consumer');
    await store.save(name, { position: 3 });
    await store.save(name, { position: 42 });
    await expect(store.load(name)).resolves.toEqual({ position: 42 });
  });

  it('keeps names apart', async () => {
    const store = await openTracked();
    const a = unique('a');
    const b = unique('b');
    await store.save(a, { position: 1 });
    await store.save(b, { position: 2 });
    await expect(store.load(a)).resolves.toEqual({ position: 1 });
    await expect(store.load(b)).resolves.toEqual({ position: 2 });
  });

  it('stores plain JSON values, not only objects', async () => {
    const store = await openTracked();
    const name = unique('scalar');
    await store.save(name, 7);
    await expect(store.load<number>(name)).resolves.toBe(7);
    await store.save(name, { nested: { list: [1, 'two', null] } });
    await expect(store.load(name)).resolves.toEqual({ nested: { list: [1, 'two', null] } });
  });

  it('a saved checkpoint survives reopening the store', async () => {
    const name = unique('durable');
    const first = await openTracked();
    await first.save(name, { position: 99 });
    await first.close?.();
    const second = await openTracked();
    await expect(second.load(name)).resolves.toEqual({ position: 99 });
  });
}
