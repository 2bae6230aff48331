import type { Event } from './event';

/** Turns one stored schema version of an event type into the next one. */
export type Upcaster = {
  type: string;
  fromVersion: number;
  upcast: (data: Record<string, unknown>) => Record<string, unknown>;
};

/**
 * Applies upcasters in a chain until the event reaches the newest schema version known.
 * Applied on every read by `withUpcasting` (libs/event-store), the decorator every composition root puts over its
 * event store, so deciders and projections only ever see current shapes. Register new upcasters in upcasters.ts.
 */
export class UpcasterChain {
  private readonly byKey = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const u of upcasters) this.register(u);
  }

  register(upcaster: Upcaster): this {
    const key = `${upcaster.type}@${upcaster.fromVersion}`;
    if (this.byKey.has(key)) throw new Error(`Two upcasters for ${key}`);
    this.byKey.set(key, upcaster);
    return this;
  }

  upcast<E extends Event>(event: E): E {
    let current: Event = event;
    for (;;) {
      const next = this.byKey.get(`${current.type}@${current.schemaVersion}`);
      if (!next) return current as E;
      current = { ...current, schemaVersion: current.schemaVersion + 1, data: next.upcast({ ...current.data }) };
    }
  }
}
