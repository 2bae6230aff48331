/**
 * What travels from the gateway to a service with every command (request/reply message pattern).
 * `commandId` makes a retried request idempotent; `actor` is who the audit trail will name.
 */
export interface CommandEnvelope<Payload> {
  payload: Payload;
  metadata: {
    actor: string;
    commandId: string;
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
