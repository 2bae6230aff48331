import { PositionWaiters } from './position-waiters';

describe('PositionWaiters (read-your-writes)', () => {
  it('answers at once for a position already reached, and later ones when the position passes them', async () => {
    const waiters = new PositionWaiters();
    waiters.advance(5);
    await expect(waiters.wait(5, 100)).resolves.toBeUndefined();
    const woken: number[] = [];
    const seven = waiters.wait(7, 1_000, () => woken.push(7)).then(() => 'seven');
    const nine = waiters.wait(9, 1_000).then(() => 'nine');
    waiters.advance(8);
    expect(await seven).toBe('seven');
    expect(woken).toEqual([7]);
    expect(waiters.size).toBe(1);
    waiters.advance(9);
    expect(await nine).toBe('nine');
    expect(waiters.position).toBe(9);
  });

  it('never goes back, and a wait past its timeout fails naming both positions', async () => {
    const waiters = new PositionWaiters();
    waiters.advance(10);
    waiters.advance(3);
    expect(waiters.position).toBe(10);
    await expect(waiters.wait(11, 20)).rejects.toThrow('Projections did not reach position 11 within 20 ms (at 10)');
    expect(waiters.size).toBe(0);
  });

  it('once failed, fails the waiting and every later wait with the same error', async () => {
    const waiters = new PositionWaiters();
    const waiting = waiters.wait(1, 1_000);
    const error = new Error('projection threw');
    waiters.fail(error);
    await expect(waiting).rejects.toBe(error);
    await expect(waiters.wait(0, 1_000)).rejects.toBe(error);
    waiters.fail(new Error('later'));
    expect(waiters.failed).toBe(error);
  });
});
