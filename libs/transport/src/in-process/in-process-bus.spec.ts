import { InProcessBus } from './in-process-bus';

describe('InProcessBus', () => {
  it('waitUntilApplied resolves at once when the consumer is already past the position', async () => {
    const bus = new InProcessBus();
    bus.reportApplied('formation', 10);
    await expect(bus.waitUntilApplied('formation', 7, 1000)).resolves.toBeUndefined();
  });

  it('waitUntilApplied resolves when the consumer reports reaching the position, not before', async () => {
    const bus = new InProcessBus();
    let resolved = false;
    const waiting = bus.waitUntilApplied('formation', 5, 5000).then(() => (resolved = true));
    bus.reportApplied('formation', 4);
    bus.reportApplied('funding', 9);
    await Promise.resolve();
    expect(resolved).toBe(false);
    bus.reportApplied('formation', 6);
    await waiting;
    expect(resolved).toBe(true);
  });

  it('waitUntilApplied rejects after the timeout, saying how far the consumer got', async () => {
    const bus = new InProcessBus();
    bus.reportApplied('evaluation', 2);
    await expect(bus.waitUntilApplied('evaluation', 3, 10)).rejects.toThrow(/"evaluation" had not applied position 3 after 10 ms \(it is at 2\)/);
  });

  it('never moves a consumer backwards', () => {
    const bus = new InProcessBus();
    bus.reportApplied('registry', 8);
    bus.reportApplied('registry', 3);
    expect(bus.appliedPosition('registry')).toBe(8);
  });

  it('refuses a second server for the same message pattern or consumer', () => {
    const bus = new InProcessBus();
    const first = {};
    const second = {};
    const handler = Object.assign(async () => 'ok', { isEventHandler: false });
    bus.registerMessageHandler('registry.register', handler, first);
    expect(() => bus.registerMessageHandler('registry.register', handler, second)).toThrow(/exactly one handler/);
    const retrier = { retryDeadLetter: async () => ({ status: 'applied' as const }) };
    bus.registerConsumer('formation', retrier);
    expect(() => bus.registerConsumer('formation', { retryDeadLetter: retrier.retryDeadLetter })).toThrow(/already running/);
    bus.unregisterAll(first);
    expect(bus.messageHandler('registry.register')).toBeUndefined();
  });
});

describe('InProcessBus.eventConsumers', () => {
  it('lists only servers registered as event consumers', () => {
    const bus = new InProcessBus();
    const retrier = { retryDeadLetter: async () => ({ status: 'applied' as const }) };
    bus.registerConsumer('formation', retrier);
    bus.registerMessageHandler('registry.register-enterprise', (async () => undefined) as never, {});
    expect(bus.eventConsumers()).toEqual(['formation']);
    bus.unregisterAll(retrier);
    expect(bus.eventConsumers()).toEqual([]);
  });
});
