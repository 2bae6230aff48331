import { SerialQueue } from './serial-queue';

describe('SerialQueue', () => {
  it('runs work one at a time in queue order, and a failure does not stop what follows', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));

    const first = queue.run(async () => {
      log.push('first starts');
      await gate;
      log.push('first ends');
      return 1;
    });
    const failing = queue.run(async () => {
      log.push('second');
      throw new Error('handler failed');
    });
    const third = queue.run(async () => {
      log.push('third');
      return 3;
    });
    const drained = queue.drained().then(() => log.push('drained'));
    await Promise.resolve();
    expect(log).toEqual(['first starts']);

    release();
    await expect(first).resolves.toBe(1);
    await expect(failing).rejects.toThrow('handler failed');
    await expect(third).resolves.toBe(3);
    await drained;
    expect(log).toEqual(['first starts', 'first ends', 'second', 'third', 'drained']);
  });
});
