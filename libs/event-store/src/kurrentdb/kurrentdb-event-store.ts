import { createHash, randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  END,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  KurrentDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendStreamState,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import type { Event, EventMetadata, NewEvent, RecordedEvent } from '@liangxin/contracts';
import {
  ConcurrencyError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ExpectedStreamState,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SubscribeOptions,
  type Subscription,
} from '../port';

export interface KurrentDbEventStoreOptions {
  /** e.g. kurrentdb://localhost:2113?tls=false */
  connectionString: string;
}

/** What we keep in KurrentDB's metadata field: the envelope fields KurrentDB has no column for. */
interface StoredMetadata {
  metadata: EventMetadata;
  schemaVersion: number;
  occurredAt: string;
  commandId?: string;
}

const DEFAULT_READ_LIMIT = 10_000;
const SUBSCRIPTION_BATCH = 500;
const CAUSE_SEARCH_WINDOW = 10_000;

/**
 * The distributed adapter. Differences from SQLite that callers may notice:
 * - `globalPosition` is KurrentDB's commit position: monotonic but NOT gap-free (it is a byte offset in
 *   the transaction log), so consumers compare positions but never count on `previous + 1`.
 * - Idempotency: event ids are derived from the commandId (KurrentDB ignores a retried append of the same
 *   ids), and the stream is checked for the commandId first so a retry returns the first result.
 * - Subscriptions catch up with readAll, then go live on KurrentDB's own $all subscription.
 */
export class KurrentDbEventStore implements EventStore {
  private readonly subscriptions = new Set<Subscription>();

  private constructor(private readonly client: KurrentDBClient) {}

  static connect(options: KurrentDbEventStoreOptions): KurrentDbEventStore {
    return new KurrentDbEventStore(KurrentDBClient.connectionString(options.connectionString));
  }

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const { commandId } = options;
    if (commandId !== undefined) {
      const earlier = (await this.readStream(streamId)).filter((e) => e.metadata.commandId === commandId);
      if (earlier.length > 0) return replayResult(streamId, earlier);
    }
    if (events.length === 0) {
      const current = await this.readStream(streamId);
      const last = current[current.length - 1];
      const conflict = checkExpectedLocally(streamId, options.expected, last?.streamVersion ?? -1);
      if (conflict) throw conflict;
      return { streamId, nextExpectedVersion: last?.streamVersion ?? -1, lastPosition: last?.globalPosition ?? 0, events: [], idempotentReplay: false };
    }

    const eventIds = events.map((event, index) =>
      event.eventId ?? (commandId !== undefined ? deterministicUuid(`${streamId}\n${commandId}\n${index}`) : randomUUID()),
    );
    const now = new Date().toISOString();
    const payload = events.map((event, index) => {
      const metadata: EventMetadata = commandId !== undefined && event.metadata.commandId === undefined
        ? { ...event.metadata, commandId }
        : event.metadata;
      const stored: StoredMetadata = { metadata, schemaVersion: event.schemaVersion, occurredAt: event.occurredAt ?? now, commandId };
      return jsonEvent({ id: eventIds[index], type: event.type, data: event.data as Record<string, unknown>, metadata: stored as unknown as Record<string, unknown> });
    });

    let nextRevision: bigint;
    try {
      const result = await this.client.appendToStream(streamId, payload, { streamState: toStreamState(options.expected) });
      nextRevision = result.nextExpectedRevision;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualState;
        throw new ConcurrencyError(streamId, options.expected, actual === NO_STREAM ? 'no_stream' : Number(actual));
      }
      throw error;
    }

    // Read back what was recorded to learn each event's position; if the ids are not there, KurrentDB
    // deduplicated a concurrent retry of the same command, and the first attempt's events are the result.
    const firstVersion = Number(nextRevision) - events.length + 1;
    const written = firstVersion >= 0 ? await this.readStream(streamId, { fromVersion: firstVersion }) : [];
    const ours = written.slice(0, events.length);
    if (ours.length === events.length && ours.every((e, i) => e.eventId === eventIds[i])) {
      return { streamId, nextExpectedVersion: ours[ours.length - 1].streamVersion, lastPosition: ours[ours.length - 1].globalPosition, events: ours, idempotentReplay: false };
    }
    const ids = new Set(eventIds);
    const earlier = (await this.readStream(streamId)).filter((e) => ids.has(e.eventId));
    if (earlier.length === 0) throw new Error(`KurrentDB acknowledged an append to ${streamId} whose events cannot be read back`);
    return replayResult(streamId, earlier);
  }

  async readStream<E extends Event = Event>(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<E>[]> {
    const events: RecordedEvent<E>[] = [];
    try {
      const fromVersion = options.fromVersion ?? 0;
      for await (const resolved of this.client.readStream(streamId, {
        direction: FORWARDS,
        fromRevision: fromVersion > 0 ? BigInt(fromVersion) : START,
      })) {
        const event = toRecordedEvent(resolved);
        if (!event) continue;
        if (options.untilPosition !== undefined && event.globalPosition > options.untilPosition) break;
        events.push(event as RecordedEvent<E>);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.limit ?? DEFAULT_READ_LIMIT;
    const after = options.after ?? 0;
    const matches = matcher(options);
    const events: RecordedEvent[] = [];
    if (limit <= 0) return events;
    for await (const resolved of this.client.readAll({
      direction: FORWARDS,
      fromPosition: after > 0 ? toPosition(after) : START,
      filter: serverFilter(options),
    })) {
      const event = toRecordedEvent(resolved);
      if (!event || event.globalPosition <= after) continue;
      if (options.until !== undefined && event.globalPosition > options.until) break;
      if (!matches(event)) continue;
      events.push(event);
      if (events.length >= limit) break;
    }
    return events;
  }

  /**
   * Catches up in batches with readAll (so onCaughtUp is ours, not dependent on the server's caught-up
   * signal), then goes live with KurrentDB's own subscription from the last position scanned.
   */
  subscribeToAll(
    options: SubscribeOptions,
    handler: (event: RecordedEvent) => Promise<void> | void,
    onError?: (error: unknown) => void,
  ): Subscription {
    let position = options.after ?? 0;
    let stopped = false;
    let live: ReturnType<KurrentDBClient['subscribeToAll']> | undefined;
    const filter = { types: options.types, streamPrefixes: options.streamPrefixes };
    const matches = matcher(filter);

    const run = async () => {
      let cursor = position;
      for (;;) {
        const batch = await this.readAll({ ...filter, after: cursor, limit: SUBSCRIPTION_BATCH, until: options.until });
        for (const event of batch) {
          if (stopped) return;
          await handler(event);
          position = cursor = event.globalPosition;
        }
        if (batch.length < SUBSCRIPTION_BATCH) break;
      }
      if (stopped) return;
      options.onCaughtUp?.();
      if (options.until !== undefined) return;
      live = this.client.subscribeToAll({ fromPosition: cursor > 0 ? toPosition(cursor) : START, filter: serverFilter(filter) });
      for await (const resolved of live) {
        if (stopped) return;
        const event = toRecordedEvent(resolved);
        if (!event || event.globalPosition <= cursor || !matches(event)) continue;
        await handler(event);
        position = cursor = event.globalPosition;
        if (!stopped) options.onCaughtUp?.();
      }
    };

    const whenStopped = run()
      .catch((error) => {
        if (!stopped) onError?.(error);
      })
      .finally(() => {
        stopped = true;
      });
    const subscription: Subscription = {
      get position() {
        return position;
      },
      stop: async () => {
        stopped = true;
        await live?.unsubscribe();
        await whenStopped;
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * KurrentDB has no index by event id, so this reads $all backwards from `before` (or the end) and gives up
   * after CAUSE_SEARCH_WINDOW events: the events looked up are causes, appended shortly before their effects.
   */
  async readEvent(eventId: string, hint: { before?: number } = {}): Promise<RecordedEvent | undefined> {
    const fromPosition = hint.before !== undefined ? toPosition(hint.before) : END;
    for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition, maxCount: CAUSE_SEARCH_WINDOW, filter: excludeSystemEvents() })) {
      const event = toRecordedEvent(resolved);
      if (event?.eventId === eventId) return event;
    }
    return undefined;
  }

  async headPosition(): Promise<number> {
    for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, filter: excludeSystemEvents() })) {
      const event = toRecordedEvent(resolved);
      if (event) return event.globalPosition;
    }
    return 0;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }
}

type EventFilter = Pick<ReadAllOptions, 'types' | 'streamPrefixes'>;

/**
 * The server filters on one thing: stream prefixes if given, else types (an event type filter by prefix,
 * so the exact type is checked again by matcher()).
 */
const serverFilter = ({ types, streamPrefixes }: EventFilter) =>
  streamPrefixes && streamPrefixes.length > 0
    ? streamNameFilter({ prefixes: [...streamPrefixes] })
    : types && types.length > 0
      ? eventTypeFilter({ prefixes: [...types] })
      : excludeSystemEvents();

const matcher = ({ types, streamPrefixes }: EventFilter) => {
  const typeSet = types && types.length > 0 ? new Set(types) : undefined;
  const prefixes = streamPrefixes && streamPrefixes.length > 0 ? streamPrefixes : undefined;
  return (event: RecordedEvent) =>
    (!typeSet || typeSet.has(event.type)) && (!prefixes || prefixes.some((p) => event.streamId.startsWith(p)));
};

/**
 * Our globalPosition is the commit position. For events appended outside explicit transactions KurrentDB
 * records the same commit and prepare position, so the pair is rebuilt from the one number.
 */
const toPosition = (globalPosition: number) => ({ commit: BigInt(globalPosition), prepare: BigInt(globalPosition) });

const toStreamState = (expected: ExpectedStreamState): AppendStreamState => {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream' || expected === -1) return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return BigInt(expected);
};

const checkExpectedLocally = (streamId: string, expected: ExpectedStreamState, version: number): ConcurrencyError | undefined => {
  const satisfied =
    expected === 'any' ||
    (expected === 'no_stream' && version === -1) ||
    (expected === 'stream_exists' && version >= 0) ||
    expected === version;
  return satisfied ? undefined : new ConcurrencyError(streamId, expected, version === -1 ? 'no_stream' : version);
};

/** A name-based UUID (version 5 layout over sha256): the same command always yields the same event ids. */
export const deterministicUuid = (name: string): string => {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

const toRecordedEvent = (resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined => {
  const event = resolved.event;
  if (!event || !event.isJson || event.type.startsWith('$') || event.streamId.startsWith('$')) return undefined;
  const stored = event.metadata as unknown as StoredMetadata | undefined;
  const commit = resolved.commitPosition ?? event.position?.commit;
  if (commit === undefined || !stored || typeof stored.schemaVersion !== 'number') return undefined;
  return {
    eventId: event.id,
    streamId: event.streamId,
    streamVersion: Number(event.revision),
    globalPosition: Number(commit),
    type: event.type,
    schemaVersion: stored.schemaVersion,
    data: event.data as Record<string, unknown>,
    metadata: stored.metadata,
    occurredAt: stored.occurredAt,
    recordedAt: event.created.toISOString(),
  };
};

const replayResult = (streamId: string, events: RecordedEvent[]): AppendResult => {
  const last = events[events.length - 1];
  return { streamId, nextExpectedVersion: last.streamVersion, lastPosition: last.globalPosition, events, idempotentReplay: true };
};
