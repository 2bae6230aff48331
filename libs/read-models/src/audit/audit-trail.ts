import type { EventMetadata, RecordedEvent } from '@liangxin/contracts';
import type { EventStore } from '@liangxin/event-store';
import { AUDIT_SUBJECTS, type AuditSubject, enterpriseSubject, orgSubject } from '../projections/audit-index/audit-index';
import type { ReadModelStore } from '../store/port';

/** One link of a causation chain: the event that caused the previous one, or an id the log does not hold (a command). */
export type Cause =
  | { eventId: string; position: number; type: string; streamId: string; occurredAt: string; actor: string; commandId?: string }
  | { unresolvedId: string };

export interface AuditEntry {
  position: number;
  eventId: string;
  streamId: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  data: object;
  metadata: EventMetadata;
  /** nearest cause first, following metadata.causationId back to the first action */
  causationChain: Cause[];
}

const MAX_CHAIN = 32;

/**
 * The auditor's view: every event about an enterprise or an organisation (through the audit-index projection)
 * or of one stream (a service request), who caused it with which command, and the chain of events that led
 * to it, read from the log.
 */
export class AuditTrail {
  constructor(
    private readonly events: EventStore,
    private readonly store: ReadModelStore,
  ) {}

  forEnterprise(creditCode: string): Promise<AuditEntry[]> {
    return this.forSubject(enterpriseSubject(creditCode));
  }

  forOrganisation(orgId: string): Promise<AuditEntry[]> {
    return this.forSubject(orgSubject(orgId));
  }

  /** The district a stream's first event was recorded in (the log's word, for when the read models have not caught up). */
  async districtOfStream(streamId: string): Promise<string | undefined> {
    const [first] = await this.events.readStream(streamId);
    if (!first) return undefined;
    const district = first.metadata.district ?? (first.data as { district?: unknown }).district;
    return typeof district === 'string' ? district : undefined;
  }

  /** Every event of one stream (a service request's whole life is its stream), with the same causation chains. */
  async forStream(streamId: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    for (const event of await this.events.readStream(streamId)) entries.push(await this.entryOf(event));
    return entries;
  }

  async causationChain(event: RecordedEvent): Promise<Cause[]> {
    const chain: Cause[] = [];
    const seen = new Set<string>([event.eventId]);
    let causationId = event.metadata.causationId;
    let effectPosition = event.globalPosition;
    while (causationId && chain.length < MAX_CHAIN && !seen.has(causationId)) {
      seen.add(causationId);
      const cause = await this.events.readEvent(causationId, { before: effectPosition });
      if (!cause) {
        chain.push({ unresolvedId: causationId });
        break;
      }
      chain.push({
        eventId: cause.eventId,
        position: cause.globalPosition,
        type: cause.type,
        streamId: cause.streamId,
        occurredAt: cause.occurredAt,
        actor: cause.metadata.actor,
        commandId: cause.metadata.commandId,
      });
      causationId = cause.metadata.causationId;
      effectPosition = cause.globalPosition;
    }
    return chain;
  }

  private async forSubject(subject: string): Promise<AuditEntry[]> {
    const index = await this.store.get<AuditSubject>(AUDIT_SUBJECTS, subject);
    const entries: AuditEntry[] = [];
    for (const position of index?.body.positions ?? []) {
      const event = await this.eventAt(position);
      if (event) entries.push(await this.entryOf(event));
    }
    return entries;
  }

  private async entryOf(event: RecordedEvent): Promise<AuditEntry> {
    return {
      position: event.globalPosition,
      eventId: event.eventId,
      streamId: event.streamId,
      type: event.type,
      occurredAt: event.occurredAt,
      recordedAt: event.recordedAt,
      data: event.data,
      metadata: event.metadata,
      causationChain: await this.causationChain(event),
    };
  }

  private async eventAt(position: number): Promise<RecordedEvent | undefined> {
    const [event] = await this.events.readAll({ after: position - 1, limit: 1 });
    return event?.globalPosition === position ? event : undefined;
  }
}
