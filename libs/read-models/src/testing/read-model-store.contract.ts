import { type Generation, type ReadModelStore, StaleStagingError } from '../store/port';

/**
 * The behaviour every ReadModelStore adapter must have. Call inside a describe block:
 *   describeReadModelStoreContract(() => SqliteReadModelStore.open(dir, ':memory:'))
 */
export function readModelStoreContract(open: () => Promise<ReadModelStore> | ReadModelStore, cleanUp?: () => Promise<void>) {
  let store: ReadModelStore;
  let projection: string;
  let counter = 0;

  beforeEach(async () => {
    store = await open();
    projection = `contract-${Date.now().toString(36)}-${counter++}`;
    await store.register(projection, [`${projection}.items`, `${projection}.totals`]);
  });
  afterEach(async () => {
    await store.close();
    await cleanUp?.();
  });

  const items = () => `${projection}.items`;

  it('stores documents with the position of the event that wrote them, and finds them by field equality', async () => {
    await store.commit(
      projection,
      [
        { collection: items(), id: 'a', body: { district: '430100', active: true, size: 3 }, position: 1 },
        { collection: items(), id: 'b', body: { district: '430100', active: false, size: 5 }, position: 2 },
        { collection: items(), id: 'c', body: { district: '350100', active: true, size: 3, note: null }, position: 3 },
      ],
      3,
    );
    expect(await store.get(items(), 'a')).toEqual({ id: 'a', position: 1, body: { district: '430100', active: true, size: 3 } });
    expect(await store.get(items(), 'missing')).toBeUndefined();
    expect((await store.find(items(), { district: '430100' })).map((d) => d.id)).toEqual(['a', 'b']);
    expect((await store.find(items(), { district: '430100', active: true })).map((d) => d.id)).toEqual(['a']);
    expect((await store.find(items(), { size: 3 })).map((d) => d.id)).toEqual(['a', 'c']);
    expect((await store.find(items())).length).toBe(3);
    expect(await store.checkpoint(projection)).toBe(3);
  });

  it('answers finds by the fields it indexes (queriedBy) as without them: null, booleans and numbers too, in a rebuilt generation as well', async () => {
    const indexed = `${projection}-indexed`;
    const collection = `${indexed}.items`;
    const queriedBy = { [collection]: ['district', 'active', 'size', 'note'] };
    await store.register(indexed, [collection], queriedBy);
    await store.register(indexed, [collection], queriedBy); // again, as every start does
    const bodies = [
      { district: '430100', active: true, size: 3 },
      { district: '430100', active: false, size: 5, note: 'x' },
      { district: '350100', active: true, size: 3, note: null },
      { district: null, active: true, size: 3 },
    ];
    await store.commit(indexed, bodies.map((body, i) => ({ collection, id: `e${i}`, body, position: i + 1 })), bodies.length);
    const ids = async (where: Record<string, string | number | boolean | null>, generation?: Generation) => (await store.find(collection, where, generation)).map((d) => d.id);
    expect(await ids({ district: '430100' })).toEqual(['e0', 'e1']);
    expect(await ids({ district: '430100', active: true })).toEqual(['e0']);
    expect(await ids({ active: false })).toEqual(['e1']);
    expect(await ids({ size: 3 })).toEqual(['e0', 'e2', 'e3']);
    expect(await ids({ note: null })).toEqual(['e0', 'e2', 'e3']);
    expect(await ids({ district: null })).toEqual(['e3']);
    expect(await ids({ note: 'x', district: '430100' })).toEqual(['e1']);
    const next = await store.createGeneration(indexed, [collection], queriedBy);
    await store.commit(indexed, [{ collection, id: 'r', body: { district: '430100' }, position: 1 }], bodies.length, next);
    expect(await ids({ district: '430100' }, next)).toEqual(['r']);
    expect(await store.promoteGeneration(next)).toBe(true);
    expect(await ids({ district: '430100' })).toEqual(['r']);
  });

  it('refuses to index a field name that is not letters, digits and _', async () => {
    await expect(store.register(`${projection}-bad`, [`${projection}-bad.items`], { [`${projection}-bad.items`]: ["district') OR 1=1 --"] })).rejects.toThrow(/Cannot index/);
  });

  it('pages the documents of an id prefix in id order, after a cursor, with their total, leaving deleted ones out', async () => {
    const ids = ['430100/b/1', '430100/b/2', '430100/b/3', '430100/c/1', '430101/b/1', '4301000/x'];
    await store.commit(projection, ids.map((id, i) => ({ collection: items(), id, body: { n: i }, position: i + 1 })), ids.length);
    await store.commit(projection, [{ collection: items(), id: '430100/b/2', body: null, position: 10 }], 10);
    const first = await store.findPage(items(), { idPrefix: '430100/', limit: 2 });
    expect(first).toMatchObject({ total: 3 });
    expect(first.items.map((d) => d.id)).toEqual(['430100/b/1', '430100/b/3']);
    const second = await store.findPage(items(), { idPrefix: '430100/', after: '430100/b/3', limit: 2 });
    expect(second.items.map((d) => d.id)).toEqual(['430100/c/1']);
    expect((await store.findPage(items(), { idPrefix: '430100/b/', limit: 10 })).items.map((d) => d.body)).toEqual([{ n: 0 }, { n: 2 }]);
    expect(await store.findPage(items(), { idPrefix: '999999/', limit: 10 })).toEqual({ items: [], total: 0 });
  });

  it('ignores a redelivered or older change, and never moves the checkpoint back', async () => {
    await store.commit(projection, [{ collection: items(), id: 'a', body: { v: 2 }, position: 5 }], 5);
    await store.commit(projection, [{ collection: items(), id: 'a', body: { v: 1 }, position: 4 }], 4);
    await store.commit(projection, [{ collection: items(), id: 'a', body: { v: 3 }, position: 5 }], 5);
    expect(await store.get(items(), 'a')).toEqual({ id: 'a', position: 5, body: { v: 2 } });
    expect(await store.checkpoint(projection)).toBe(5);
  });

  it('deletes documents and does not resurrect them on redelivery of an older event', async () => {
    await store.commit(projection, [{ collection: items(), id: 'a', body: { v: 1 }, position: 1 }], 1);
    await store.commit(projection, [{ collection: items(), id: 'a', body: null, position: 2 }], 2);
    await store.commit(projection, [{ collection: items(), id: 'a', body: { v: 1 }, position: 1 }], 2);
    expect(await store.get(items(), 'a')).toBeUndefined();
    expect(await store.find(items())).toEqual([]);
  });

  it('builds a new generation beside the live one and swaps only once it has caught up', async () => {
    await store.commit(projection, [{ collection: items(), id: 'a', body: { v: 'old' }, position: 7 }], 7);
    const next = await store.createGeneration(projection, [items(), `${projection}.totals`]);
    await store.commit(projection, [{ collection: items(), id: 'a', body: { v: 'new' }, position: 6 }], 6, next);
    expect(await store.get(items(), 'a')).toMatchObject({ body: { v: 'old' } });
    expect(await store.get(items(), 'a', next)).toMatchObject({ body: { v: 'new' } });
    expect(await store.promoteGeneration(next)).toBe(false);
    await store.commit(projection, [], 7, next);
    expect(await store.promoteGeneration(next)).toBe(true);
    expect(await store.get(items(), 'a')).toMatchObject({ body: { v: 'new' }, position: 6 });
    expect(await store.checkpoint(projection)).toBe(7);
    await store.commit(projection, [{ collection: items(), id: 'b', body: { v: 'after swap' }, position: 8 }], 8);
    expect(await store.get(items(), 'b', next)).toMatchObject({ body: { v: 'after swap' } });
  });

  it('refuses a batch staged on a generation that was swapped out before it was committed', async () => {
    await store.commit(projection, [{ collection: items(), id: 'a', body: { v: 'live' }, position: 3 }], 3);
    const staged = { projection, changes: [{ collection: items(), id: 'a', body: { v: 'from the old generation' }, position: 4 }], checkpoint: 4 };
    const stagedOn = await store.stagingMark(projection);
    const next = await store.createGeneration(projection, [items(), `${projection}.totals`]);
    await store.commit(projection, [{ collection: items(), id: 'a', body: { v: 'rebuilt' }, position: 3 }], 3, next);
    expect(await store.promoteGeneration(next)).toBe(true);
    await expect(store.commitAll([{ ...staged, stagedOn }])).rejects.toBeInstanceOf(StaleStagingError);
    expect(await store.get(items(), 'a')).toMatchObject({ body: { v: 'rebuilt' } });
    expect(await store.checkpoint(projection)).toBe(3);
    await store.commitAll([{ ...staged, stagedOn: await store.stagingMark(projection) }]);
    expect(await store.get(items(), 'a')).toMatchObject({ body: { v: 'from the old generation' }, position: 4 });
  });

  it('keeps versioned snapshots and answers a document as of the nearest one', async () => {
    await store.commit(projection, [{ collection: items(), id: 'a', body: { v: 1 }, position: 1 }], 10);
    await store.snapshot(projection, 10, '2024-01-01T00:00:00.000Z');
    await store.commit(
      projection,
      [
        { collection: items(), id: 'a', body: { v: 2 }, position: 11 },
        { collection: items(), id: 'b', body: { v: 1 }, position: 12 },
      ],
      20,
    );
    await store.snapshot(projection, 20, '2024-02-01T00:00:00.000Z');
    await store.commit(projection, [{ collection: items(), id: 'a', body: null, position: 21 }], 30);
    await store.snapshot(projection, 30, '2024-03-01T00:00:00.000Z');

    expect(await store.nearestSnapshot(projection, { position: 25 })).toEqual({ position: 20, recordedAt: '2024-02-01T00:00:00.000Z' });
    expect(await store.nearestSnapshot(projection, { position: 5 })).toBeUndefined();
    expect(await store.nearestSnapshot(projection, { recordedAt: '2024-01-15T00:00:00.000Z' })).toMatchObject({ position: 10 });
    expect(await store.getAtSnapshot(items(), 'a', 10)).toMatchObject({ body: { v: 1 } });
    expect(await store.getAtSnapshot(items(), 'b', 10)).toBeUndefined();
    expect(await store.getAtSnapshot(items(), 'a', 20)).toMatchObject({ body: { v: 2 } });
    expect(await store.getAtSnapshot(items(), 'b', 30)).toMatchObject({ body: { v: 1 } });
    expect(await store.getAtSnapshot(items(), 'a', 30)).toBeUndefined();
  });

  it('commits several projections at once, each with an optional snapshot that covers every change since the previous one', async () => {
    const other = `${projection}-other`;
    await store.register(other, [`${other}.items`]);
    const snapshotAt = (recordedAt: string) => ({ snapshot: { recordedAt } });
    await store.commitAll([
      { projection, changes: [{ collection: items(), id: 'a', body: { v: 1 }, position: 1 }], checkpoint: 10, ...snapshotAt('2024-01-01T00:00:00.000Z') },
      { projection: other, changes: [{ collection: `${other}.items`, id: 'x', body: { v: 1 }, position: 2 }], checkpoint: 10 },
    ]);
    expect(await store.checkpoint(projection)).toBe(10);
    expect(await store.checkpoint(other)).toBe(10);
    expect(await store.get(`${other}.items`, 'x')).toMatchObject({ body: { v: 1 } });
    // a change committed without a snapshot must still be in the next one
    await store.commit(projection, [{ collection: items(), id: 'a', body: { v: 2 }, position: 11 }], 15);
    await store.commitAll([{ projection, changes: [{ collection: items(), id: 'b', body: { v: 1 }, position: 16 }], checkpoint: 20, ...snapshotAt('2024-02-01T00:00:00.000Z') }]);
    // an older (redelivered) change is not written, so it must not enter the snapshot either
    await store.commitAll([
      {
        projection,
        changes: [
          { collection: items(), id: 'a', body: { v: 0 }, position: 5 },
          { collection: items(), id: 'b', body: { v: 2 }, position: 21 },
        ],
        checkpoint: 30,
        ...snapshotAt('2024-03-01T00:00:00.000Z'),
      },
    ]);
    expect(await store.getAtSnapshot(items(), 'a', 10)).toMatchObject({ body: { v: 1 } });
    expect(await store.getAtSnapshot(items(), 'a', 20)).toMatchObject({ body: { v: 2 }, position: 11 });
    expect(await store.getAtSnapshot(items(), 'b', 20)).toMatchObject({ body: { v: 1 } });
    expect(await store.getAtSnapshot(items(), 'a', 30)).toMatchObject({ body: { v: 2 } });
    expect(await store.getAtSnapshot(items(), 'b', 30)).toMatchObject({ body: { v: 2 } });
    expect(await store.nearestSnapshot(projection, { position: 29 })).toEqual({ position: 20, recordedAt: '2024-02-01T00:00:00.000Z' });
    expect(await store.nearestSnapshot(other, { position: 30 })).toBeUndefined();
  });
}
