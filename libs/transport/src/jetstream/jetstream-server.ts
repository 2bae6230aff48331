import { currentEventUpcasters, type RecordedEvent } from '@liangxin/contracts';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { headers, nanos, type Msg, type NatsConnection, type Status, type Subscription } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { lastValueFrom } from 'rxjs';
import type { CheckpointStore } from '../checkpoints/checkpoint-store';
import { RetryPolicy } from '../delivery/retry-policy';
import { SourceGate, type SourceMetrics } from '../delivery/source-gate';
import type { SequencedEvent, SourceLog } from '../forwarding/source-log';
import { SerialQueue } from '../serial-queue';
import type { AppliedPositionReply } from '../progress/consumer-progress';
import { describeError, toWireError, type CommandReply } from '../wire-error';
import type { DeadLetterRecord } from './dead-letter-record';
import { JetStreamContext } from './jetstream-context';
import {
  appliedPositionSubject,
  commandSubject,
  deadLetterEventSubject,
  EVENTS_STREAM,
  EVENTS_SUBJECT_ROOT,
  eventSubject,
  sourceEventsFilter,
  TransportHeaders,
} from './subjects';
import { ensureTopology, type TopologyOptions } from './topology';

/** Messages published before an event type's schema changed still carry the old shape: handlers see the current one. */
const upcasters = currentEventUpcasters();

export interface JetStreamServerOptions extends TopologyOptions {
  servers: string | string[];
  /** the consuming service: name of its durable consumer and of its command queue group */
  service: string;
  /** the services whose events it consumes, with read access to their stores for backfill */
  sources: readonly SourceLog[];
  /** where the last applied SourcePosition per source is kept (key `jetstream:<service>:<source>`) */
  checkpoints: CheckpointStore;
  /** handler failures of one event before it goes to the dead letters (default 5) */
  maxDeliveries?: number;
  /** nak delay after the n-th failure; the last value repeats (default 1 s, 5 s, 15 s, 60 s) */
  retryDelaysMs?: readonly number[];
  /** JetStream redelivers an unacknowledged message after this (default 30 s) */
  ackWaitMs?: number;
  /** behind the source's head without progress for this long → read the rest from the store (default 5 s) */
  lagToleranceMs?: number;
  /** how often heads are polled (default 1 s) */
  lagCheckIntervalMs?: number;
  /** messages pulled per request (default 256) */
  batchSize?: number;
  /** how often the consumer re-issues an idle pull; JetStream's minimum is 1 s (default 30 s) */
  pullExpiresMs?: number;
}

export type { SourceMetrics } from '../delivery/source-gate';

export interface JetStreamServerMetrics {
  service: string;
  sources: Record<string, SourceMetrics>;
}

/** NATS connection status events by type ('disconnect', 'reconnect', 'error', ...). */
type ConnectionEvents = Record<string, (status: Status) => void>;

/** The position a settled read asks about (0 when the request names none). */
const askedPosition = (msg: Msg): number => {
  const asked = msg.data.length > 0 ? Number((msg.json() as { position?: unknown } | null)?.position) : 0;
  return Number.isSafeInteger(asked) && asked > 0 ? asked : 0;
};

/**
 * Nest transport strategy over NATS JetStream, for services that must not miss an event.
 *
 * Events: one durable pull consumer per service, handled one at a time in source order. Each source's
 * messages carry a gap-free sequence; the service applies sequence applied+1 only, skips anything at or
 * below (redeliveries), and when a sequence jumps, or the consumer stays behind the source's head, it
 * reads the missing events from the source's event store, because the broker is transport and the store
 * is the truth. A handler failure naks with a growing delay; after `maxDeliveries` failures the event is
 * published to `liangxin.dead-letters.<service>` with its error and the service moves on.
 *
 * Commands: `@MessagePattern` handlers answer request/reply on core NATS (`liangxin.cmd.<pattern>`),
 * load-balanced over the service's instances by a queue group.
 */
export class JetStreamServer extends Server<ConnectionEvents> implements CustomTransportStrategy {
  private nc?: NatsConnection;
  private js?: JetStreamClient;
  private messages?: ConsumerMessages;
  private consuming?: Promise<void>;
  private commandSubscriptions: Subscription[] = [];
  private lagTimer?: NodeJS.Timeout;
  private lagCheckRunning = false;
  private closing = false;
  private readonly gates = new Map<string, SourceGate>();
  /** everything that applies events runs here, one at a time, so order holds across NATS and backfill */
  private readonly serial = new SerialQueue();
  private readonly listeners = new Map<string, Array<(status: Status) => void>>();
  private readonly policy: RetryPolicy;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.policy = RetryPolicy.stepped(
      options.retryDelaysMs?.length ? options.retryDelaysMs : [1_000, 5_000, 15_000, 60_000],
      Math.max(1, options.maxDeliveries ?? 5),
    );
  }

  async listen(callback: (...optionalParams: unknown[]) => unknown): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.messages?.close();
    await this.consuming;
    for (const sub of this.commandSubscriptions) sub.unsubscribe();
    await this.serial.drained();
    if (this.nc && !this.nc.isClosed()) await this.nc.close();
  }

  /** Listen to the NATS connection's status events ('disconnect', 'reconnect', 'error', ...). */
  on<EventKey extends keyof ConnectionEvents = keyof ConnectionEvents, EventCallback extends ConnectionEvents[EventKey] = ConnectionEvents[EventKey]>(
    event: EventKey,
    callback: EventCallback,
  ): void {
    this.listeners.set(String(event), [...(this.listeners.get(String(event)) ?? []), callback]);
  }

  unwrap<T>(): T {
    if (!this.nc) throw new Error('JetStreamServer is not listening yet: no NATS connection to unwrap');
    return this.nc as T;
  }

  metrics(): JetStreamServerMetrics {
    const sources: Record<string, SourceMetrics> = {};
    for (const [name, gate] of this.gates) sources[name] = gate.metrics();
    return { service: this.options.service, sources };
  }

  private async start(): Promise<void> {
    this.closing = false;
    const nc = await connect({
      servers: this.options.servers,
      name: this.options.service,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    this.nc = nc;
    void this.watchConnection(nc);
    this.js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    await ensureTopology(jsm, this.options);

    for (const log of this.options.sources) {
      const gate = await SourceGate.open({
        log,
        checkpoints: this.options.checkpoints,
        checkpointName: this.checkpointName(log.name),
        policy: this.policy,
        serial: this.serial,
        isStopping: () => this.closing,
        dispatch: (item) => this.dispatch(item.event, eventSubject(log.name, item.event.type), log.name, item.sequence),
        deadLetter: (item, error, attempts) => this.deadLetter(log.name, item, error, attempts),
      });
      this.gates.set(log.name, gate);
    }
    // Reconciliation: whatever the broker lost while we were away, the stores still have.
    for (const gate of this.gates.values()) await gate.catchUp();

    this.serveCommands(nc);
    this.serveAppliedPosition(nc);
    await this.ensureConsumer(jsm);
    const consumer = await this.js.consumers.get(EVENTS_STREAM, this.options.service);
    this.messages = await consumer.consume({
      max_messages: this.options.batchSize ?? 256,
      expires: this.options.pullExpiresMs ?? 30_000,
    });
    this.consuming = this.consume(this.messages);
    this.lagTimer = setInterval(() => void this.checkLag(), this.options.lagCheckIntervalMs ?? 1_000);
  }

  private checkpointName(source: string): string {
    return `jetstream:${this.options.service}:${source}`;
  }

  private async ensureConsumer(jsm: JetStreamManager): Promise<void> {
    const sources = this.options.sources;
    const config = {
      durable_name: this.options.service,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.options.ackWaitMs ?? 30_000),
      // dead-lettering is ours: the server must keep redelivering until we settle a message
      max_deliver: -1,
      max_ack_pending: Math.max(1_000, (this.options.batchSize ?? 256) * 2),
      // nats-server 2.9 takes one filter subject only
      filter_subject: sources.length === 1 ? sourceEventsFilter(sources[0].name) : `${EVENTS_SUBJECT_ROOT}.>`,
    };
    try {
      await jsm.consumers.info(EVENTS_STREAM, this.options.service);
      await jsm.consumers.update(EVENTS_STREAM, this.options.service, {
        ack_wait: config.ack_wait,
        max_deliver: config.max_deliver,
        max_ack_pending: config.max_ack_pending,
      });
    } catch (error) {
      if (!/consumer not found/i.test(String((error as Error).message))) throw error;
      await jsm.consumers.add(EVENTS_STREAM, config);
    }
  }

  private async consume(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      if (this.closing) {
        msg.nak();
        continue;
      }
      try {
        await this.onEventMessage(msg);
      } catch (error) {
        this.logger.error?.(`Event ${msg.subject} #${msg.seq} could not be handled: ${String(error)}`);
        msg.nak(1_000);
      }
    }
  }

  private async onEventMessage(msg: JsMsg): Promise<void> {
    const gate = this.gates.get(msg.headers?.get(TransportHeaders.source) ?? '');
    const sequence = Number(msg.headers?.get(TransportHeaders.sourceSequence));
    if (!gate || !Number.isInteger(sequence) || sequence < 1) {
      // a source this service does not follow (shared filter on nats-server 2.9), or not ours at all
      msg.ack();
      return;
    }
    const retryFor = msg.headers?.get(TransportHeaders.retryFor);
    if (retryFor && retryFor !== this.options.service) {
      msg.ack();
      return;
    }
    const item = { event: upcasters.upcast(msg.json<RecordedEvent>()), sequence };
    const offered = retryFor ? await gate.retryDeadLetter(item) : await gate.offer(item);
    // A dead-lettered message is settled with an ack, not term(reason): nats-server before 2.10.4 ignores
    // `+TERM <reason>` and delivers the message again after ack_wait. The dead letter is already recorded.
    switch (offered.outcome) {
      case 'applied':
      case 'duplicate':
      case 'dead-lettered':
        msg.ack();
        return;
      case 'not-in-store-yet':
        msg.nak(1_000);
        return;
      case 'retry-later':
        msg.nak(offered.delayMs);
        return;
      default: {
        const _: never = offered;
        throw new Error(`unhandled delivery outcome ${String(_)}`);
      }
    }
  }

  private async deadLetter(source: string, item: SequencedEvent, error: unknown, attempts: number): Promise<void> {
    const subject = eventSubject(source, item.event.type);
    const record: DeadLetterRecord = {
      consumer: this.options.service,
      source,
      sequence: item.sequence,
      subject,
      event: item.event,
      error: describeError(error),
      attempts,
      deadLetteredAt: new Date().toISOString(),
    };
    const h = headers();
    h.set(TransportHeaders.source, source);
    h.set(TransportHeaders.sourceSequence, String(item.sequence));
    h.set(TransportHeaders.globalPosition, String(item.event.globalPosition));
    if (!this.js) throw new Error('JetStreamServer is not connected');
    // one subject per (consumer, source, event): the stream keeps one message per subject, so parking the same
    // event again (a redelivery, a retry failing again) replaces its dead letter instead of adding one
    await this.js.publish(deadLetterEventSubject(this.options.service, source, item.event.eventId), JSON.stringify(record), { headers: h });
    this.logger.warn?.(`${this.options.service}: ${item.event.type} ${item.event.eventId} dead-lettered after ${attempts} attempts: ${record.error}`);
  }

  private async dispatch(event: RecordedEvent, subject: string, source: string, sequence: number): Promise<void> {
    const handler = this.getHandlerByPattern(event.type);
    if (!handler?.isEventHandler) return; // events nobody here cares about still advance the sequence
    const result = await handler(event, new JetStreamContext([subject, source, sequence]));
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }

  /** When NATS stays silent while the store moves on, read the rest from the store. */
  private async checkLag(): Promise<void> {
    if (this.lagCheckRunning || this.closing) return;
    this.lagCheckRunning = true;
    try {
      for (const gate of this.gates.values()) await gate.checkLag(this.options.lagToleranceMs ?? 5_000);
    } catch (error) {
      this.logger.error?.(`${this.options.service}: lag check failed: ${String(error)}`);
    } finally {
      this.lagCheckRunning = false;
    }
  }

  private serveCommands(nc: NatsConnection): void {
    for (const [pattern, handler] of this.messageHandlers) {
      if (handler.isEventHandler) continue;
      const subscription = nc.subscribe(commandSubject(pattern), {
        queue: this.options.service,
        callback: (error: Error | null, msg: Msg) => {
          if (!error) void this.answerCommand(handler, msg);
        },
      });
      this.commandSubscriptions.push(subscription);
    }
  }

  /** Settled reads ask each service how far it has handled what it follows (JetStreamConsumerProgress). */
  private serveAppliedPosition(nc: NatsConnection): void {
    const subscription = nc.subscribe(appliedPositionSubject(this.options.service), {
      queue: this.options.service,
      callback: (error: Error | null, msg: Msg) => {
        if (error) return;
        void Promise.resolve()
          .then(() => this.appliedThrough(askedPosition(msg)))
          .then(
            (through) => msg.respond(JSON.stringify({ through } satisfies AppliedPositionReply)),
            (failure: unknown) => this.logger.error?.(`${this.options.service}: applied position not answered: ${describeError(failure)}`),
          );
      },
    });
    this.commandSubscriptions.push(subscription);
  }

  /** A position up to which every event of every source is handled (reactions appended), at least `asked` when it is so. */
  async appliedThrough(asked: number): Promise<number> {
    let through = Number.POSITIVE_INFINITY;
    for (const gate of this.gates.values()) through = Math.min(through, await gate.appliedThrough(asked));
    return Number.isFinite(through) ? through : asked;
  }

  private async answerCommand(handler: MessageHandler, msg: Msg): Promise<void> {
    let reply: CommandReply;
    try {
      const data = msg.data.length > 0 ? msg.json() : undefined;
      const result = await handler(data, new JetStreamContext([msg.subject, undefined, undefined]));
      const value = await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      reply = { data: value ?? null };
    } catch (error) {
      reply = { error: toWireError(error) };
    }
    msg.respond(JSON.stringify(reply));
  }

  private async watchConnection(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      for (const callback of this.listeners.get(status.type) ?? []) callback(status);
    }
  }
}
