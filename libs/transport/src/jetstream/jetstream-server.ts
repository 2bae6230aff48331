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
import { readSourceLog, START_OF_SOURCE, type SequencedEvent, type SourceLog, type SourcePosition } from '../forwarding/source-log';
import { SerialQueue } from '../serial-queue';
import type { AppliedPositionReply } from '../progress/consumer-progress';
import { describeError, toWireError, type CommandReply } from '../wire-error';
import type { DeadLetterRecord } from './dead-letter-record';
import { JetStreamContext } from './jetstream-context';
import {
  appliedPositionSubject,
  commandSubject,
  deadLetterSubject,
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

export interface SourceMetrics {
  appliedPosition: number;
  appliedSequence: number;
  /** the source store's head globalPosition, as last polled */
  headPosition: number;
  /** head minus applied position, in store positions */
  lag: number;
  gapsDetected: number;
  lagBackfills: number;
  eventsBackfilled: number;
  duplicatesSkipped: number;
  deadLettered: number;
  retriesApplied: number;
}

export interface JetStreamServerMetrics {
  service: string;
  sources: Record<string, SourceMetrics>;
}

/** NATS connection status events by type ('disconnect', 'reconnect', 'error', ...). */
type ConnectionEvents = Record<string, (status: Status) => void>;

type SourceState = {
  log: SourceLog;
  applied: SourcePosition;
  head: number;
  behindSince?: number;
  behindAtSequence?: number;
  lastGapAtSequence?: number;
  counters: Omit<SourceMetrics, 'appliedPosition' | 'appliedSequence' | 'headPosition' | 'lag'>;
};

/** The next event of a source cannot be applied yet: it failed recently and waits for its retry delay. */
class RetryLater extends Error {
  constructor(readonly notBefore: number) {
    super('waiting for a retry delay');
  }
}

/** The position a settled read asks about (0 when the request names none). */
const askedPosition = (msg: Msg): number => {
  const asked = msg.data.length > 0 ? Number((msg.json() as { position?: unknown } | null)?.position) : 0;
  return Number.isSafeInteger(asked) && asked > 0 ? asked : 0;
};

/** A failing event stops a catch-up; NATS redelivery or the next lag check tries it again later. */
const ignoreRetryLater = (error: unknown): void => {
  if (!(error instanceof RetryLater)) throw error;
};

type Failure = { count: number; notBefore: number };

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
  private readonly sourceStates = new Map<string, SourceState>();
  private readonly failures = new Map<string, Failure>();
  /** everything that applies events runs here, one at a time, so order holds across NATS and backfill */
  private readonly serial = new SerialQueue();
  private readonly listeners = new Map<string, Array<(status: Status) => void>>();
  private readonly maxDeliveries: number;
  private readonly retryDelaysMs: readonly number[];

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.maxDeliveries = Math.max(1, options.maxDeliveries ?? 5);
    this.retryDelaysMs = options.retryDelaysMs?.length ? options.retryDelaysMs : [1_000, 5_000, 15_000, 60_000];
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
    for (const [name, s] of this.sourceStates) {
      sources[name] = {
        appliedPosition: s.applied.position,
        appliedSequence: s.applied.sequence,
        headPosition: s.head,
        lag: Math.max(0, s.head - s.applied.position),
        ...s.counters,
      };
    }
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
      const applied = (await this.options.checkpoints.load<SourcePosition>(this.checkpointName(log.name))) ?? START_OF_SOURCE;
      this.sourceStates.set(log.name, {
        log,
        applied,
        head: applied.position,
        counters: { gapsDetected: 0, lagBackfills: 0, eventsBackfilled: 0, duplicatesSkipped: 0, deadLettered: 0, retriesApplied: 0 },
      });
    }
    // Reconciliation: whatever the broker lost while we were away, the stores still have.
    for (const state of this.sourceStates.values()) {
      await this.serial.run(() => this.catchUpFromStore(state)).catch(ignoreRetryLater);
      state.head = await state.log.store.headPosition();
    }

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
      // dead-lettering is ours: the server must keep redelivering until we term
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
    const sourceName = msg.headers?.get(TransportHeaders.source) ?? '';
    const sequence = Number(msg.headers?.get(TransportHeaders.sourceSequence));
    const state = this.sourceStates.get(sourceName);
    if (!state || !Number.isInteger(sequence) || sequence < 1) {
      // a source this service does not follow (shared filter on nats-server 2.9), or not ours at all
      msg.ack();
      return;
    }
    const retryFor = msg.headers?.get(TransportHeaders.retryFor);
    if (retryFor) {
      if (retryFor !== this.options.service) msg.ack();
      else await this.serial.run(() => this.applyRetriedDeadLetter(state, msg, sequence));
      return;
    }
    await this.serial.run(async () => {
      if (sequence <= state.applied.sequence) {
        state.counters.duplicatesSkipped++;
        msg.ack();
        return;
      }
      try {
        if (sequence > state.applied.sequence + 1) {
          const missing = state.applied.sequence + 1;
          const failure = this.pendingFailureAt(state);
          if (failure) throw new RetryLater(failure.notBefore);
          if (state.lastGapAtSequence !== missing) {
            state.lastGapAtSequence = missing;
            state.counters.gapsDetected++;
          }
          await this.catchUpFromStore(state, sequence - 1);
          if (state.applied.sequence < sequence - 1) {
            // the store does not have them yet (replica behind): let the message come back
            msg.nak(1_000);
            return;
          }
          if (sequence <= state.applied.sequence) {
            state.counters.duplicatesSkipped++;
            msg.ack();
            return;
          }
        }
        const outcome = await this.applyNext(state, { event: upcasters.upcast(msg.json<RecordedEvent>()), sequence }, msg.subject);
        if (outcome === 'dead-lettered') msg.term('dead-lettered');
        else msg.ack();
      } catch (error) {
        if (!(error instanceof RetryLater)) throw error;
        // wait behind the failing event, keeping roughly the source's order on redelivery
        const stagger = Math.min(sequence - state.applied.sequence, 100) * 5;
        msg.nak(Math.max(0, error.notBefore - Date.now()) + 100 + stagger);
      }
    });
  }

  /** The failure recorded for the event after the applied one, if it is still waiting for its retry. */
  private pendingFailureAt(state: SourceState): Failure | undefined {
    const failure = this.failures.get(`${state.log.name}#${state.applied.sequence + 1}`);
    return failure && failure.notBefore > Date.now() ? failure : undefined;
  }

  /**
   * Applies the event that directly follows the applied one. Throws RetryLater while the event waits
   * for its retry delay; dead-letters it after `maxDeliveries` failures and moves on.
   */
  private async applyNext(state: SourceState, item: SequencedEvent, subject: string): Promise<'applied' | 'dead-lettered'> {
    const key = `${state.log.name}#${item.sequence}`;
    const failure = this.failures.get(key);
    if (failure && failure.notBefore > Date.now()) throw new RetryLater(failure.notBefore);
    try {
      await this.dispatch(item.event, subject, state.log.name, item.sequence);
    } catch (error) {
      const count = (failure?.count ?? 0) + 1;
      if (count < this.maxDeliveries) {
        const notBefore = Date.now() + this.retryDelay(count);
        this.failures.set(key, { count, notBefore });
        throw new RetryLater(notBefore);
      }
      await this.deadLetter(state, item, subject, error, count);
      this.failures.delete(key);
      state.counters.deadLettered++;
      await this.advance(state, item);
      return 'dead-lettered';
    }
    this.failures.delete(key);
    await this.advance(state, item);
    return 'applied';
  }

  /** wait after the n-th failure of an event; the last configured delay repeats */
  private retryDelay(failures: number): number {
    return this.retryDelaysMs[Math.min(failures - 1, this.retryDelaysMs.length - 1)];
  }

  private async advance(state: SourceState, item: SequencedEvent): Promise<void> {
    state.applied = { position: item.event.globalPosition, sequence: item.sequence };
    await this.options.checkpoints.save<SourcePosition>(this.checkpointName(state.log.name), state.applied);
  }

  /** Applies the source's events from its store, after the applied one, up to `untilSequence` (or its end). */
  private async catchUpFromStore(state: SourceState, untilSequence = Number.POSITIVE_INFINITY): Promise<void> {
    while (!this.closing && state.applied.sequence < untilSequence) {
      const wanted = Math.min(500, untilSequence - state.applied.sequence);
      const batch = await readSourceLog(state.log, state.applied, wanted);
      if (batch.length === 0) return;
      for (const item of batch) {
        await this.applyNext(state, item, eventSubject(state.log.name, item.event.type));
        state.counters.eventsBackfilled++;
      }
    }
  }

  /** A dead letter an admin republished: applied once more for this service only, outside the sequence gate. */
  private async applyRetriedDeadLetter(state: SourceState, msg: JsMsg, sequence: number): Promise<void> {
    const event = upcasters.upcast(msg.json<RecordedEvent>());
    const key = `retry:${event.eventId}`;
    const failure = this.failures.get(key);
    try {
      await this.dispatch(event, msg.subject, state.log.name, sequence);
    } catch (error) {
      const count = (failure?.count ?? 0) + 1;
      if (count < this.maxDeliveries) {
        this.failures.set(key, { count, notBefore: 0 });
        msg.nak(this.retryDelay(count));
        return;
      }
      this.failures.delete(key);
      await this.deadLetter(state, { event, sequence }, eventSubject(state.log.name, event.type), error, count);
      state.counters.deadLettered++;
      msg.term('dead-lettered again');
      return;
    }
    this.failures.delete(key);
    state.counters.retriesApplied++;
    msg.ack();
  }

  private async deadLetter(state: SourceState, item: SequencedEvent, subject: string, error: unknown, attempts: number): Promise<void> {
    const record: DeadLetterRecord = {
      consumer: this.options.service,
      source: state.log.name,
      sequence: item.sequence,
      subject,
      event: item.event,
      error: describeError(error),
      attempts,
      deadLetteredAt: new Date().toISOString(),
    };
    const h = headers();
    h.set(TransportHeaders.source, state.log.name);
    h.set(TransportHeaders.sourceSequence, String(item.sequence));
    h.set(TransportHeaders.globalPosition, String(item.event.globalPosition));
    if (!this.js) throw new Error('JetStreamServer is not connected');
    await this.js.publish(deadLetterSubject(this.options.service), JSON.stringify(record), { headers: h });
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
      const tolerance = this.options.lagToleranceMs ?? 5_000;
      for (const state of this.sourceStates.values()) {
        state.head = await state.log.store.headPosition();
        if (state.applied.position >= state.head) {
          state.behindSince = undefined;
          continue;
        }
        const next = await readSourceLog(state.log, state.applied, 1);
        if (next.length === 0 || state.behindAtSequence !== state.applied.sequence || state.behindSince === undefined) {
          state.behindSince = next.length === 0 ? undefined : Date.now();
          state.behindAtSequence = state.applied.sequence;
          continue;
        }
        if (Date.now() - state.behindSince < tolerance) continue;
        state.behindSince = undefined;
        state.counters.lagBackfills++;
        await this.serial.run(() => this.catchUpFromStore(state)).catch(ignoreRetryLater);
      }
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

  /**
   * A position up to which every event of every source is handled (reactions appended), at least `asked`
   * when it is so. A source's position is that of its last event only, so a source behind `asked` is looked
   * up in the store: if its next event comes later than `asked` (or it has none), nothing of it is pending.
   */
  async appliedThrough(asked: number): Promise<number> {
    let through = Number.POSITIVE_INFINITY;
    for (const state of this.sourceStates.values()) {
      const applied = state.applied;
      if (applied.position >= asked) {
        through = Math.min(through, applied.position);
        continue;
      }
      // the head first: any event of the source at or before it is either applied or read just below
      const head = await state.log.store.headPosition();
      const [next] = await readSourceLog(state.log, applied, 1);
      through = Math.min(through, next ? next.event.globalPosition - 1 : Math.max(head, applied.position));
    }
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
