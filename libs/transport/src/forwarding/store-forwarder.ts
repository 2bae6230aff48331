import type { RecordedEvent } from '@liangxin/contracts';
import type { Subscription } from '@liangxin/event-store';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { ensureTopology, type TopologyOptions } from '../jetstream/topology';
import { eventSubject, TransportHeaders } from '../jetstream/subjects';
import type { CheckpointStore } from '../checkpoints/checkpoint-store';
import { START_OF_SOURCE, type SourceLog, type SourcePosition } from './source-log';

export interface StoreForwarderOptions extends TopologyOptions {
  source: SourceLog;
  connection: NatsConnection;
  /** keeps the SourcePosition of the last event JetStream acknowledged */
  checkpoints: CheckpointStore;
  /** key of this forwarder's checkpoint (default `forwarder:<source>`) */
  checkpointName?: string;
  /** publishes awaiting their ack at once; the checkpoint only moves over an unbroken acked prefix */
  window?: number;
  /** wait before following the log again after a failed publish (default 500 ms) */
  retryDelayMs?: number;
  /** per-publish ack timeout (default 5 s) */
  publishTimeoutMs?: number;
  onError?: (error: unknown) => void;
}

export interface ForwarderMetrics {
  source: string;
  /** last event whose publish JetStream acknowledged, with everything before it */
  acknowledged: SourcePosition;
  published: number;
  restarts: number;
  lastError?: string;
}

type InFlight = { at: SourcePosition; acked: boolean; settled: Promise<void> };

/**
 * Publishes a source's events to JetStream by following the event store's own log: the store is the
 * outbox, so an event appended is published even when the process died between append and publish,
 * and nothing is ever written to two places in one go. Each message carries msgID = eventId (JetStream
 * drops the copy a restart re-publishes) and the source's gap-free sequence, which is deterministic,
 * so a re-publish carries the same number and consumers can skip it. The checkpoint only moves after
 * JetStream acknowledged the publish.
 */
export class StoreForwarder {
  private readonly js: JetStreamClient;
  private readonly checkpointName: string;
  private readonly window: number;
  private subscription?: Subscription;
  private acknowledged: SourcePosition = START_OF_SOURCE;
  private nextSequence = 0;
  private inFlight: InFlight[] = [];
  private failure?: unknown;
  private restarting?: Promise<void>;
  private stopped = true;
  private saving = false;
  private saveAgain = false;
  private savedOnce: Promise<void> = Promise.resolve();
  private readonly counters = { published: 0, restarts: 0, lastError: undefined as string | undefined };

  constructor(private readonly options: StoreForwarderOptions) {
    this.js = jetstream(options.connection, { timeout: options.publishTimeoutMs ?? 5_000 });
    this.checkpointName = options.checkpointName ?? `forwarder:${options.source.name}`;
    this.window = Math.max(1, options.window ?? 256);
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await ensureTopology(await jetstreamManager(this.options.connection), this.options);
    this.acknowledged = (await this.options.checkpoints.load<SourcePosition>(this.checkpointName)) ?? START_OF_SOURCE;
    this.follow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.restarting;
    await this.subscription?.stop();
    this.subscription = undefined;
    await Promise.all(this.inFlight.map((f) => f.settled));
    this.commitAcknowledgedPrefix();
    await this.flushCheckpoint();
  }

  metrics(): ForwarderMetrics {
    return { source: this.options.source.name, acknowledged: { ...this.acknowledged }, ...this.counters };
  }

  private follow(): void {
    this.failure = undefined;
    this.inFlight = [];
    this.nextSequence = this.acknowledged.sequence;
    this.subscription = this.options.source.store.subscribeToAll(
      { after: this.acknowledged.position, streamPrefixes: this.options.source.streamPrefixes },
      (event) => this.forward(event),
      (error) => this.recover(error),
    );
  }

  private async forward(event: RecordedEvent): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const at = { position: event.globalPosition, sequence: ++this.nextSequence };
    const entry: InFlight = { at, acked: false, settled: Promise.resolve() };
    entry.settled = this.publish(event, at.sequence).then(
      () => {
        entry.acked = true;
        this.counters.published++;
        this.commitAcknowledgedPrefix();
      },
      (error) => this.recover(error),
    );
    this.inFlight.push(entry);
    while (this.inFlight.length >= this.window && this.failure === undefined) await this.inFlight[0].settled;
    if (this.failure !== undefined) throw this.failure;
  }

  private publish(event: RecordedEvent, sequence: number) {
    const h = headers();
    h.set(TransportHeaders.source, this.options.source.name);
    h.set(TransportHeaders.sourceSequence, String(sequence));
    h.set(TransportHeaders.globalPosition, String(event.globalPosition));
    return this.js.publish(eventSubject(this.options.source.name, event.type), JSON.stringify(event), { msgID: event.eventId, headers: h });
  }

  private commitAcknowledgedPrefix(): void {
    let moved = false;
    while (this.inFlight[0]?.acked) {
      this.acknowledged = this.inFlight[0].at;
      this.inFlight.shift();
      moved = true;
    }
    if (moved) this.savedOnce = this.saveCheckpoint();
  }

  private async saveCheckpoint(): Promise<void> {
    if (this.saving) {
      this.saveAgain = true;
      return;
    }
    this.saving = true;
    try {
      do {
        this.saveAgain = false;
        await this.options.checkpoints.save<SourcePosition>(this.checkpointName, { ...this.acknowledged });
      } while (this.saveAgain);
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.saving = false;
    }
  }

  private async flushCheckpoint(): Promise<void> {
    await this.savedOnce;
    await this.options.checkpoints.save<SourcePosition>(this.checkpointName, { ...this.acknowledged });
  }

  /** A publish failed (broker down, timeout): follow the log again from the last acknowledged event. */
  private recover(error: unknown): void {
    if (this.failure === undefined) this.failure = error;
    if (this.restarting || this.stopped) return;
    this.counters.lastError = error instanceof Error ? error.message : String(error);
    this.options.onError?.(error);
    this.restarting = (async () => {
      await this.subscription?.stop();
      await Promise.all(this.inFlight.map((f) => f.settled));
      this.commitAcknowledgedPrefix();
      await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 500));
      this.restarting = undefined;
      if (this.stopped) return;
      this.counters.restarts++;
      this.follow();
    })();
  }
}
