import { holdLease, type LeaseStore } from './lease';

/** A lease store in memory with a settable clock and an outage switch: the lease semantics the Mongo one implements. */
const memoryLease = () => {
  const state = { owner: undefined as string | undefined, expiresAt: 0, now: 0, down: false };
  const lease: LeaseStore = {
    take: async (owner, ttlMs) => {
      if (state.down) throw new Error('no primary');
      if (state.owner !== undefined && state.owner !== owner && state.expiresAt > state.now) return false;
      state.owner = owner;
      state.expiresAt = state.now + ttlMs;
      return true;
    },
    give: async (owner) => {
      if (state.owner === owner) state.owner = undefined;
    },
  };
  return { lease, state };
};

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('holdLease (the projection lock where no session lock exists: MongoDB)', () => {
  it('lets one holder at a time; the next takes over once it releases', async () => {
    const { lease, state } = memoryLease();
    const first = await holdLease(lease, { owner: 'a', ttlMs: 60, pollMs: 5, now: () => state.now });
    let secondHeld = false;
    const second = holdLease(lease, { owner: 'b', ttlMs: 60, pollMs: 5, now: () => state.now }).then((held) => {
      secondHeld = true;
      return held;
    });
    await tick(30);
    expect(secondHeld).toBe(false);
    await first.release();
    await (await second).release();
    expect(secondHeld).toBe(true);
  });

  it('a dead holder (no renewals) loses the lease after its ttl to the next one', async () => {
    const { lease, state } = memoryLease();
    await lease.take('dead', 60);
    state.now += 61;
    const next = await holdLease(lease, { owner: 'b', ttlMs: 60, pollMs: 5, now: () => state.now });
    expect(state.owner).toBe('b');
    await next.release();
  });

  it('tells the holder it lost the lease when renewals fail for the ttl, not on one failed renewal', async () => {
    const { lease, state } = memoryLease();
    const lost: unknown[] = [];
    const held = await holdLease(lease, { owner: 'a', ttlMs: 30, now: () => state.now, lost: (e) => lost.push(e) });
    state.down = true;
    await tick(25);
    expect(lost).toEqual([]);
    state.now += 31;
    await tick(25);
    expect(lost).toEqual([expect.objectContaining({ message: 'no primary' })]);
    await held.release();
  });

  it('tells the holder when another process took the lease over', async () => {
    const { lease, state } = memoryLease();
    const lost: unknown[] = [];
    const held = await holdLease(lease, { owner: 'a', ttlMs: 30, now: () => state.now, lost: (e) => lost.push(e) });
    state.owner = 'b';
    state.expiresAt = state.now + 1_000;
    await tick(30);
    expect(lost).toEqual([expect.objectContaining({ message: expect.stringContaining('taken by another') })]);
    await held.release();
    expect(state.owner).toBe('b');
  });
});
