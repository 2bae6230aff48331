import type { ConsumerProgress } from '../progress/consumer-progress';
import type { InProcessBus } from './in-process-bus';

/** The embedded mode's consumers report what they have applied to the process's bus: wait on it. */
export class InProcessConsumerProgress implements ConsumerProgress {
  constructor(private readonly bus: InProcessBus) {}

  async waitUntilApplied(position: number, timeoutMs: number): Promise<void> {
    await Promise.all(this.bus.eventConsumers().map((consumer) => this.bus.waitUntilApplied(consumer, position, timeoutMs)));
  }
}
