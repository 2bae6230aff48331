import { serviceRequestStreamId } from '@liangxin/contracts';
import { type AuditEntry, AuditTrail, type Cause } from '@liangxin/read-models';
import type { AdminContext } from '../admin-context';
import { AdminError } from '../admin-error';

export type AuditSubjectKind = 'enterprise' | 'org' | 'request';

export interface AuditReport {
  subject: AuditSubjectKind;
  id: string;
  entries: AuditEntry[];
  /** how far the audit index had read the log, against the log's head: behind means recent events are missing */
  indexPosition: number;
  head: number;
}

const CREDIT_CODE = /^[0-9A-HJ-NP-RTUW-Y]{18}$/;

/**
 * Every event about an enterprise or an organisation (through the audit index), or of a service request (its own
 * stream, read from the log directly), with who caused it, by which command, and why.
 */
export async function audit(context: AdminContext, options: { subject: AuditSubjectKind; id: string }): Promise<AuditReport> {
  if (options.subject === 'enterprise' && !CREDIT_CODE.test(options.id)) {
    throw new AdminError(`"${options.id}" is not a unified social credit code (18 characters of 0-9 and A-Y without I, O, S, V, Z)`);
  }
  const events = await context.events();
  const store = await context.readModels();
  const trail = new AuditTrail(events, store);
  const head = await events.headPosition();
  if (options.subject === 'request') return { subject: 'request', id: options.id, entries: await trail.forStream(serviceRequestStreamId(options.id)), indexPosition: head, head };
  const entries = options.subject === 'enterprise' ? await trail.forEnterprise(options.id) : await trail.forOrganisation(options.id);
  return { subject: options.subject, id: options.id, entries, indexPosition: await store.checkpoint('audit-index'), head };
}

const LABELS: Record<AuditSubjectKind, string> = { enterprise: '企业 enterprise', org: '组织 organisation', request: '服务需求 service request' };

const describeCause = (cause: Cause): string =>
  'unresolvedId' in cause
    ? `${cause.unresolvedId} (a command or an event outside this log)`
    : `#${cause.position} ${cause.type} on ${cause.streamId} by ${cause.actor}${cause.commandId ? `, command ${cause.commandId}` : ''}`;

export function describeAudit(report: AuditReport): string {
  const lines = [`${LABELS[report.subject]} ${report.id} — ${report.entries.length} event(s)`];
  if (report.indexPosition < report.head) {
    lines.push(`  注意 note: the audit index has read ${report.indexPosition} of ${report.head} events; the newest are missing until the system runs again.`);
  }
  if (report.entries.length === 0) lines.push('  Nothing recorded about it. Check the code or id.');
  for (const entry of report.entries) {
    const { actor, commandId, reason } = entry.metadata;
    lines.push('');
    lines.push(`#${entry.position}  ${entry.occurredAt}  ${entry.type}  (${entry.streamId})`);
    lines.push(`    谁 who:      ${actor}`);
    lines.push(`    指令 command: ${commandId ?? '— (automatic decision)'}`);
    if (entry.recordedAt !== entry.occurredAt) lines.push(`    记录 recorded: ${entry.recordedAt}`);
    if (reason) lines.push(`    理由 reason:  ${reason}`);
    if (entry.causationChain.length === 0) lines.push('    起因 caused by: — (first action)');
    entry.causationChain.forEach((cause, i) => lines.push(`    ${i === 0 ? '起因 caused by:' : '         ← by:'} ${describeCause(cause)}`));
  }
  return lines.join('\n');
}
