import type { VerifyReport } from '@liangxin/event-store';
import type { AdminContext } from '../admin-context';
import { AdminError } from '../admin-error';
import type { ProgressReporter } from '../progress';

const REASONS: Record<Extract<VerifyReport, { ok: false }>['brokenLink']['reason'], string> = {
  global_hash_mismatch: 'its stored content no longer matches the hash chain (it was edited after it was recorded)',
  stream_hash_mismatch: "its stream's hash chain does not match (its stream link was edited)",
  global_position_gap: 'the event before it is missing (a row was deleted)',
  stream_version_gap: 'an earlier event of its stream is missing (a row was deleted)',
};

/** Recomputes the event store's hash chain from the first event and names the first broken link. */
export async function verifyLog(context: AdminContext, options: { progress?: ProgressReporter } = {}): Promise<VerifyReport> {
  const evidence = await context.tamperEvidence();
  if (!evidence) {
    throw new AdminError('verify checks the embedded SQLite store\'s hash chain; KurrentDB keeps no such chain (it checksums its own chunks). Run it against DATA_DIR.');
  }
  const head = await (await context.events()).headPosition();
  // verify() runs as one pass without reporting: the bar shows the span, then completes.
  options.progress?.update(0, head);
  const report = await evidence.verify();
  options.progress?.update(report.eventsChecked, report.ok ? report.eventsChecked : head);
  options.progress?.finish();
  return report;
}

export function describeVerify(report: VerifyReport): string {
  if (report.ok) return `防篡改校验通过 tamper check passed: all ${report.eventsChecked} events match the hash chain.`;
  const link = report.brokenLink;
  return [
    `防篡改校验失败 tamper check FAILED at event #${link.globalPosition}.`,
    `  event ${link.eventId} of stream ${link.streamId}: ${REASONS[link.reason]}.`,
    `  The ${report.eventsChecked} events before it are intact; the chain vouches for nothing from this event on.`,
    `  (${link.reason})`,
  ].join('\n');
}
