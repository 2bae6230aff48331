/**
 * The shape every domain event has, in every bounded context.
 * `schemaVersion` is bumped when `data` changes shape; old versions are upcast on read
 * (see upcasting.ts), so stored history is never rewritten.
 */
export type Event<Type extends string = string, Data extends object = Record<string, unknown>> = {
  readonly type: Type;
  readonly schemaVersion: number;
  readonly data: Data;
};

/** Who and what caused an event: the answer to an auditor's "who decided, and why". */
export interface EventMetadata {
  /** user id of the officer, or `system:<service>` for automatic decisions */
  actor: string;
  /** id of the command that produced the event; retrying a command with the same id appends nothing */
  commandId?: string;
  /** sha256 of what the client asked with an Idempotency-Key: tells a retry from the key reused for another request */
  commandFingerprint?: string;
  /** id shared by everything that follows from one user action */
  correlationId?: string;
  /** event id (or command id) that directly caused this event */
  causationId?: string;
  /** administrative division (6 digits) the event concerns, for tenancy and routing */
  district?: string;
  /** version of the formation policy in force when an automatic decision was made */
  policyVersion?: string;
  /** free-text reason an officer gave */
  reason?: string;
}

/** An event as a producer hands it to the store: the store assigns ids, versions and positions. */
export type NewEvent<E extends Event = Event> = E & {
  readonly eventId?: string;
  /** when it happened in the world (defaults to when it was recorded) */
  readonly occurredAt?: string;
  readonly metadata: EventMetadata;
};

/** An event as the store recorded it: the envelope every consumer sees. */
export type RecordedEvent<E extends Event = Event> = E & {
  readonly eventId: string;
  readonly streamId: string;
  /** 0-based position of the event inside its stream */
  readonly streamVersion: number;
  /** 1-based, gap-free position in the source store's whole log */
  readonly globalPosition: number;
  /** ISO-8601 */
  readonly occurredAt: string;
  /** ISO-8601 */
  readonly recordedAt: string;
  readonly metadata: EventMetadata;
};

export type EventType<E extends Event> = E['type'];
export type EventData<E extends Event, T extends E['type']> = Extract<E, { type: T }>['data'];
