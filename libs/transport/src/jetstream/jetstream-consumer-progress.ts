import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { type AppliedPositionReply, ConsumerBehind, type ConsumerProgress } from '../progress/consumer-progress';
import { appliedPositionSubject, EVENTS_STREAM } from './subjects';

export interface JetStreamConsumerProgressOptions {
  /** how often a consumer that is behind is asked again (default 25 ms) */
  pollIntervalMs?: number;
}

const SERVICE_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Distributed mode: the consumers are the durable consumers of the events stream, one per service (the
 * broker knows them even while a service is down, so a stopped service makes the wait fail rather than
 * be skipped). Each service answers on `liangxin.applied.<service>` how far it has handled what it follows
 * (JetStreamServer); one that does not answer counts as behind.
 */
export class JetStreamConsumerProgress implements ConsumerProgress {
  private readonly pollIntervalMs: number;

  constructor(
    private readonly nc: NatsConnection,
    options: JetStreamConsumerProgressOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 25;
  }

  async waitUntilApplied(position: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const consumers = await this.consumers();
    await Promise.all(consumers.map((consumer) => this.waitFor(consumer, position, deadline)));
  }

  private async consumers(): Promise<string[]> {
    const jsm = await jetstreamManager(this.nc);
    const names: string[] = [];
    for await (const info of jsm.consumers.list(EVENTS_STREAM)) {
      const name = info.config.durable_name;
      if (name && SERVICE_NAME.test(name)) names.push(name);
    }
    return names;
  }

  private async waitFor(consumer: string, position: number, deadline: number): Promise<void> {
    let through: number | undefined;
    for (;;) {
      const left = deadline - Date.now();
      try {
        const reply = await this.nc.request(appliedPositionSubject(consumer), JSON.stringify({ position }), { timeout: Math.max(50, Math.min(1_000, left)) });
        through = (reply.json() as AppliedPositionReply).through;
        if (through >= position) return;
      } catch {
        // no responder (the service is down or starting) or no answer in time: it is behind until it answers
      }
      const rest = deadline - Date.now();
      if (rest <= 0) throw new ConsumerBehind(consumer, position, through);
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.pollIntervalMs, rest)));
    }
  }
}
