import { FORMATION_UPCASTERS } from './formation/events';
import { UpcasterChain, type Upcaster } from './upcasting';

/** Every upcaster of every bounded context: what the event store decorator applies on read. */
export const EVENT_UPCASTERS: readonly Upcaster[] = [...FORMATION_UPCASTERS];

/** A fresh chain of every known upcaster. */
export const currentEventUpcasters = (): UpcasterChain => new UpcasterChain(EVENT_UPCASTERS);
