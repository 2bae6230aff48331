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
  MaxAppendSizeExceededError,
  StreamDeletedError as KurrentStreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type ReadRevision,
  eventTypeFilter,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendStreamState,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import type { Event, EventMetadata, NewEvent, RecordedEvent } from '@liangxin/contracts';
import {
  AppendTooLargeError,
  ConcurrencyError,
  StreamDeletedError,
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
 * Every read names how many events it wants and is read to its end. Without maxCount the client asks the server for
 * Number.MAX_SAFE_INTEGER events, and leaving its iterator early does not end the server-side read (the bridge's
 * iterator has no return()), so reads abandoned by a loop would pile up as open HTTP/2 streams.
 */
export const READ_PAGE = 500;
/** how many appends of other writers an 'any' append with a command id retries past */
const ANY_APPEND_ATTEMPTS = 5;

/** The part of the client this adapter uses: the seam its unit tests stand a recording fake in. */
export type KurrentClient = Pick<KurrentDBClient, 'readStream' | 'readAll' | 'appendToStream' | 'subscribeToAll' | 'dispose'>;

/** A stream whose first revision is gone ($maxAge, $maxCount, scavenge, truncation) cannot be folded as if whole. */
export class TruncatedStreamError extends Error {
  constructor(
    readonly streamId: string,
    readonly firstRevision: number,
  ) {
    super(`Stream ${streamId} begins at revision ${firstRevision}: its first events were removed, so its state cannot be rebuilt from it`);
    this.name = 'TruncatedStreamError';
  }
}

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
  /** events in $all without our envelope (written by another program): skipped, and counted here */
  foreignEventsSkipped = 0;

  private constructor(private readonly client: KurrentClient) {}

  static connect(options: KurrentDbEventStoreOptions): KurrentDbEventStore {
    return new KurrentDbEventStore(KurrentDBClient.connectionString(options.connectionString));
  }

  /** For the adapter's own unit tests: a client fake at the boundary (never a stand-in for the contract suite). */
  static withClient(client: KurrentClient): KurrentDbEventStore {
    return new KurrentDbEventStore(client);
  }

  /**
   * No read of the whole stream first: handleCommand already refuses a command id its folded stream holds, and for an
   * exact expected revision the server itself treats a retried append of the same (deterministic) event ids as done.
   * An 'any' append with a command id is turned into an exact one (see appendAnyOnce).
   */
  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const { commandId } = options;
    if (events.length === 0) {
      const [last] = await this.latestEventsOf(streamId, 1);
      const conflict = checkExpectedLocally(streamId, options.expected, last?.streamVersion ?? -1);
      if (conflict) throw conflict;
      return { streamId, nextExpectedVersion: last?.streamVersion ?? -1, lastPosition: last?.globalPosition ?? 0, events: [], idempotentReplay: false };
    }
    if (options.expected === 'any' && commandId !== undefined) return this.appendAnyOnce(streamId, events, commandId);
    return this.appendExpecting(streamId, events, options);
  }

  /**
   * 'any' would let two retries of one command both append. Instead: look for the command among the stream's latest
   * READ_PAGE events (a retry follows its first try closely), then expect the revision last seen, so retries racing at
   * that revision carry the same event ids and the server keeps one; when another writer moved the stream on, look
   * among its new events for this command before trying again.
   */
  private async appendAnyOnce(streamId: string, events: readonly NewEvent[], commandId: string): Promise<AppendResult> {
    const latest = await this.latestEventsOf(streamId, READ_PAGE);
    const earlier = latest.filter((e) => e.metadata.commandId === commandId);
    if (earlier.length > 0) return replayResult(streamId, earlier);
    let seen = latest[latest.length - 1]?.streamVersion ?? -1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.appendExpecting(streamId, events, { expected: seen < 0 ? 'no_stream' : seen, commandId });
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= ANY_APPEND_ATTEMPTS) throw error;
        const moved = await this.readStream(streamId, { fromVersion: seen + 1 });
        const ours = moved.filter((e) => e.metadata.commandId === commandId);
        if (ours.length > 0) return replayResult(streamId, ours);
        seen = moved[moved.length - 1]?.streamVersion ?? seen;
      }
    }
  }

  private async appendExpecting(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const { commandId } = options;

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
      if (error instanceof KurrentStreamDeletedError) throw new StreamDeletedError(streamId);
      if (error instanceof MaxAppendSizeExceededError) throw new AppendTooLargeError(streamId, error.maxAppendSize);
      throw error;
    }

    // Read back only what was appended, to learn each event's position. When the server deduplicated a retry of the
    // same command at the same revision, the revision it reports is the first attempt's, so these are its events.
    const firstVersion = Number(nextRevision) - events.length + 1;
    const ours = firstVersion >= 0 ? await this.readStreamPage(streamId, BigInt(firstVersion), events.length) : [];
    const sameIds = ours.length === events.length && ours.every((e, i) => e.eventId === eventIds[i]);
    if (!sameIds) throw new Error(`KurrentDB acknowledged an append to ${streamId} at revision ${firstVersion} whose events cannot be read back there`);
    const last = ours[ours.length - 1];
    return { streamId, nextExpectedVersion: last.streamVersion, lastPosition: last.globalPosition, events: ours, idempotentReplay: false };
  }

  async readStream<E extends Event = Event>(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<E>[]> {
    const events: RecordedEvent<E>[] = [];
    let revision = BigInt(options.fromVersion ?? 0);
    for (;;) {
      const page = await this.readStreamPage(streamId, revision, READ_PAGE);
      if (revision === 0n && events.length === 0 && page.length > 0 && page[0].streamVersion > 0) throw new TruncatedStreamError(streamId, page[0].streamVersion);
      for (const event of page) {
        if (options.untilPosition !== undefined && event.globalPosition > options.untilPosition) return events;
        events.push(event as RecordedEvent<E>);
      }
      if (page.length < READ_PAGE) return events;
      revision = BigInt(page[page.length - 1].streamVersion) + 1n;
    }
  }

  /** One page of a stream, read to its end (see READ_PAGE). */
  private async readStreamPage(streamId: string, fromRevision: bigint, maxCount: number): Promise<RecordedEvent[]> {
    const page: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, { direction: FORWARDS, fromRevision: fromRevision > 0n ? (fromRevision as ReadRevision) : START, maxCount })) {
        const event = this.recorded(resolved);
        if (event) page.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      if (error instanceof KurrentStreamDeletedError) throw new StreamDeletedError(streamId);
      throw error;
    }
    return page;
  }

  /** The stream's last `count` events, oldest first. */
  private async latestEventsOf(streamId: string, count: number): Promise<RecordedEvent[]> {
    const latest: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: count })) {
        const event = this.recorded(resolved);
        if (event) latest.unshift(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      if (error instanceof KurrentStreamDeletedError) throw new StreamDeletedError(streamId);
      throw error;
    }
    return latest;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.limit ?? DEFAULT_READ_LIMIT;
    const matches = matcher(options);
    const events: RecordedEvent[] = [];
    let after = options.after ?? 0;
    while (events.length < limit) {
      const wanted = Math.min(READ_PAGE, limit - events.length);
      const page: RecordedEvent[] = [];
      let scanned = 0;
      for await (const resolved of this.client.readAll({ direction: FORWARDS, fromPosition: after > 0 ? toPosition(after) : START, filter: serverFilter(options), maxCount: wanted + 1 })) {
        scanned++;
        const event = this.recorded(resolved);
        if (event && event.globalPosition > after) page.push(event);
      }
      for (const event of page) {
        if (options.until !== undefined && event.globalPosition > options.until) return events;
        after = event.globalPosition;
        if (!matches(event)) continue;
        events.push(event);
        if (events.length >= limit) return events;
      }
      // the page starts at `after` itself, which is read again and skipped: hence one more than wanted
      if (scanned < wanted + 1) return events;
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
        const event = this.recorded(resolved);
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
    let fromPosition: ReturnType<typeof toPosition> | typeof END = hint.before !== undefined ? toPosition(hint.before) : END;
    for (let looked = 0; looked < CAUSE_SEARCH_WINDOW; looked += READ_PAGE) {
      let found: RecordedEvent | undefined;
      let scanned = 0;
      let oldest: RecordedEvent | undefined;
      for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition, maxCount: READ_PAGE, filter: excludeSystemEvents() })) {
        scanned++;
        const event = this.recorded(resolved);
        if (!event) continue;
        oldest = event;
        if (!found && event.eventId === eventId) found = event;
      }
      if (found) return found;
      if (scanned < READ_PAGE || !oldest) return undefined;
      fromPosition = toPosition(oldest.globalPosition);
    }
    return undefined;
  }

  async headPosition(): Promise<number> {
    let head = 0;
    for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, filter: excludeSystemEvents() })) {
      const event = this.recorded(resolved);
      if (event) head = event.globalPosition;
    }
    return head;
  }

  /** Our envelope of a resolved event; another program's event is skipped and counted. */
  private recorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
    const event = toRecordedEvent(resolved);
    if (!event && resolved.event && !resolved.event.type.startsWith('$') && !resolved.event.streamId.startsWith('$')) this.foreignEventsSkipped++;
    return event;
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
