export type ActorRole = 'admin' | 'officer' | 'auditor' | 'enterprise' | 'system';

/**
 * Where the caller may act, as its verified token says (never the body): the service checks the
 * districts of the records a command touches against it. `all` is for admins and the system's own
 * workflows; an officer always has a non-empty list.
 */
export interface ActorScope {
  role: ActorRole;
  districts: 'all' | readonly string[];
  /** the enterprise an enterprise account is */
  creditCode?: string;
}

/**
 * What travels from the gateway to a service with every command (request/reply message pattern).
 * `commandId` makes a retried request idempotent; `actor` is who the audit trail will name; `scope`
 * is what the actor may touch. The scope stays out of the events' metadata.
 */
export interface CommandEnvelope<Payload> {
  payload: Payload;
  scope: ActorScope;
  metadata: {
    actor: string;
    commandId: string;
    /** with an Idempotency-Key: sha256 of the pattern, target and body, so a key reused for another request is refused */
    commandFingerprint?: string;
    correlationId?: string;
    reason?: string;
  };
}

/** What a service answers to every successful command. */
export interface CommandReply<Extra extends object = object> {
  /** global position of the last event the command produced; send it back as X-Min-Position */
  position: number;
  /** nothing new was appended: the command id had been handled before */
  idempotentReplay?: boolean;
  result?: Extra;
}
