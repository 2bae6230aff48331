import type { RecordedEvent } from '@liangxin/contracts';
import type { EventStore, SubscribeOptions } from '@liangxin/event-store';
import { WakeUpSubscription } from './wake-up-subscription';

/** A store whose subscriptions can be failed from the test, as a KurrentDB leader change would. */
const storeWithFailingSubscriptions = () => {
  const subscriptions: Array<{ after: number; handler: (e: RecordedEvent) => void; onError?: (error: unknown) => void; stopped: boolean }> = [];
  const store = {
    headPosition: async () => 10,
    subscribeToAll: (options: SubscribeOptions, handler: (e: RecordedEvent) => void, onError?: (error: unknown) => void) => {
      const entry = { after: options.after ?? 0, handler, onError, stopped: false };
      subscriptions.push(entry);
      return {
        position: 0,
        stop: async () => {
          entry.stopped = true;
        },
      };
    },
  } as unknown as EventStore;
  return { store, subscriptions };
};

const until = async (condition: () => boolean) => {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('WakeUpSubscription', () => {
  it('re-subscribes after an error from where it was, with backoff, and reports it in health until events flow again', async () => {
    const { store, subscriptions } = storeWithFailingSubscriptions();
    let wakes = 0;
    const failures: number[] = [];
    const wakeUp = await WakeUpSubscription.start(store, () => wakes++, { backoffMs: 10, onFailure: (_e, n) => failures.push(n) });
    try {
      expect(subscriptions[0].after).toBe(10);
      subscriptions[0].handler({ globalPosition: 11 } as RecordedEvent);
      expect(wakes).toBe(1);

      subscriptions[0].onError?.(new Error('leader changed'));
      expect(wakeUp.health()).toEqual({ resubscribed: 0, failing: 'Error: leader changed' });
      expect(subscriptions[0].stopped).toBe(true);
      await until(() => subscriptions.length === 2);
      expect(subscriptions[1].after).toBe(11);
      subscriptions[1].onError?.(new Error('still no leader'));
      await until(() => subscriptions.length === 3);
      expect(failures).toEqual([1, 2]);

      subscriptions[2].handler({ globalPosition: 12 } as RecordedEvent);
      expect(wakeUp.health()).toEqual({ resubscribed: 2 });
    } finally {
      await wakeUp.stop();
    }
  });

  it('does not re-subscribe once stopped', async () => {
    const { store, subscriptions } = storeWithFailingSubscriptions();
    const wakeUp = await WakeUpSubscription.start(store, () => undefined, { backoffMs: 5 });
    subscriptions[0].onError?.(new Error('gone'));
    await wakeUp.stop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(subscriptions).toHaveLength(1);
  });
});
