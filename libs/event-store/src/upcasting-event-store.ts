import { currentEventUpcasters, type Event, type RecordedEvent, type UpcasterChain } from '@liangxin/contracts';
import type { EventStore, ReadStreamOptions } from './port';

const UNDERLYING = Symbol('liangxin.upcasting.underlying');

/**
 * The event store seen through the upcasters: every event read (readStream, readAll, readEvent, subscribeToAll, and
 * the events an idempotent append hands back) has the schema version producers write now, so deciders, projections
 * and consumers handle current shapes only. Stored history is never rewritten; the hash chain covers it as stored.
 *
 * A proxy rather than a wrapper class so the adapter's own methods (verify, metrics, close…) stay reachable with the
 * adapter's type, whatever the adapter: SQLite, KurrentDB or any added later. Wrapping twice returns the same store.
 */
export function withUpcasting<S extends EventStore>(store: S, chain: UpcasterChain = currentEventUpcasters()): S {
  if ((store as { [UNDERLYING]?: S })[UNDERLYING]) return store;
  const up = <E extends Event>(event: RecordedEvent<E>): RecordedEvent<E> => chain.upcast(event);
  const reads: Partial<EventStore> & { [UNDERLYING]: S } = {
    [UNDERLYING]: store,
    readStream: async <E extends Event>(streamId: string, options?: ReadStreamOptions) => (await store.readStream<E>(streamId, options)).map(up),
    readAll: async (options) => (await store.readAll(options)).map(up),
    readEvent: async (eventId, hint) => {
      const event = await store.readEvent(eventId, hint);
      return event && up(event);
    },
    subscribeToAll: (options, handler, onError) => store.subscribeToAll(options, (event) => handler(up(event)), onError),
    append: async (streamId, events, options) => {
      const result = await store.append(streamId, events, options);
      return result.idempotentReplay ? { ...result, events: result.events.map(up) } : result;
    },
  };
  return new Proxy(store, {
    get(target, property) {
      if (Object.prototype.hasOwnProperty.call(reads, property)) return reads[property as keyof typeof reads];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The store underneath the decorator, which reads events as they were stored (for tests and forensics). */
export function withoutUpcasting<S extends EventStore>(store: S): S {
  return (store as { [UNDERLYING]?: S })[UNDERLYING] ?? store;
}
