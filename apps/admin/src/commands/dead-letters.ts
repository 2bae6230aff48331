import { DeadLetterNotFound, type DeadLetterView, type RetryOutcome } from '@liangxin/transport';
import type { AdminContext } from '../admin-context';
import { AdminError, ExitCode } from '../admin-error';
import { renderTable } from '../render/table';

export async function listDeadLetters(context: AdminContext, options: { consumer?: string; limit?: number } = {}): Promise<DeadLetterView[]> {
  return (await context.deadLetters()).list({ consumer: options.consumer, limit: options.limit });
}

/** The running system's gateway, which retries through the consumer that parked the event. */
export interface RunningGateway {
  url: string;
  adminToken: string;
}

export interface RetryReport {
  id: string;
  outcome: RetryOutcome;
  /** where the retry ran: this process (distributed: republished on NATS) or the running system's gateway */
  via: 'transport' | 'gateway';
}

/**
 * Sends a dead letter to its consumer again. Distributed: republished on JetStream for the consumer to apply.
 * Embedded: the consumer lives inside the running system, so the retry goes through its gateway's admin
 * route; when the system is not running there is nobody to run the handler, and the CLI says so.
 */
export async function retryDeadLetter(context: AdminContext, options: { id: string; gateway?: RunningGateway }): Promise<RetryReport> {
  const admin = await context.deadLetters();
  if (context.retriesInProcess) return { id: options.id, outcome: await admin.retry(options.id).catch(notFoundAsAdminError(options.id)), via: 'transport' };

  const parked = (await admin.list({ limit: Number.MAX_SAFE_INTEGER })).find((letter) => letter.id === options.id);
  if (!parked) throw notFound(options.id);
  if (!options.gateway) {
    throw new AdminError(
      `Dead letter ${options.id} (${parked.eventType} for consumer "${parked.consumer}") can only be retried by that consumer, which runs inside the system, not in this CLI. ` +
        'Start the system (npm start), then run this again with --gateway http://localhost:3000 and ADMIN_TOKEN set, or use the dashboard.',
    );
  }
  return { id: options.id, outcome: await retryThroughGateway(options.gateway, options.id), via: 'gateway' };
}

async function retryThroughGateway(gateway: RunningGateway, id: string): Promise<RetryOutcome> {
  const url = `${gateway.url.replace(/\/+$/, '')}/api/admin/dead-letters/${encodeURIComponent(id)}/retry`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${gateway.adminToken}` } });
  } catch (error) {
    throw new AdminError(`Cannot reach the running system at ${gateway.url} (${error instanceof Error ? error.message : String(error)}). Is it started?`);
  }
  if (response.status === 404) throw notFound(id);
  if (response.status === 401 || response.status === 403) throw new AdminError(`The gateway at ${gateway.url} refused the admin token (HTTP ${response.status}); check ADMIN_TOKEN.`);
  if (!response.ok) throw new AdminError(`The gateway at ${gateway.url} answered HTTP ${response.status} to the retry.`);
  return (await response.json()) as RetryOutcome;
}

const notFound = (id: string) => new AdminError(`There is no dead letter ${id} (already retried or discarded?). List them with: dead-letters list`);

const notFoundAsAdminError = (id: string) => (error: unknown) => {
  throw error instanceof DeadLetterNotFound ? notFound(id) : error;
};

export const retryExitCode = (report: RetryReport) => (report.outcome.status === 'failed' ? ExitCode.finding : ExitCode.ok);

export function describeDeadLetters(letters: readonly DeadLetterView[], consumer?: string): string {
  if (letters.length === 0) return `没有死信 no dead letters${consumer ? ` for consumer "${consumer}"` : ''}: every event was handled.`;
  const rows = letters.map((l) => [l.id, l.consumer, l.eventType, `#${l.globalPosition}`, String(l.attempts), l.lastAttemptAt, oneLine(l.error)]);
  return [
    `死信 dead letters: ${letters.length} event(s) a consumer gave up on`,
    renderTable(['id', '消费者 consumer', '事件 event', '位置 position', '尝试 attempts', '最近 last attempt', '错误 error'], rows),
    'Fix the cause, then: dead-letters retry <id>',
  ].join('\n');
}

const oneLine = (text: string) => {
  const first = text.split('\n')[0];
  return first.length > 60 ? `${first.slice(0, 59)}…` : first;
};

export function describeRetry(report: RetryReport): string {
  const { outcome, id } = report;
  if (outcome.status === 'applied') return `死信 ${id} 已处理 dead letter ${id} applied: the consumer handled the event and the dead letter is gone.`;
  if (outcome.status === 'resent') return `死信 ${id} 已重发 dead letter ${id} resent: the consumer applies it in its own time; if it fails again it is parked under a new id.`;
  return `死信 ${id} 仍失败 dead letter ${id} failed again (attempt ${outcome.attempts}): ${outcome.error}`;
}
