import { projectionContentHash, rebuildInWorkers, rebuildProjections, type RebuildProgress } from '@liangxin/read-models';
import type { AdminContext } from '../admin-context';
import { AdminError } from '../admin-error';
import type { ProgressReporter } from '../progress';

export interface RebuildReport {
  projections: string[];
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** content hash of each rebuilt projection, now live */
  contentHashes: Record<string, string>;
}

/**
 * Replays the whole log into fresh collections beside the live ones and swaps each projection in once it
 * has caught up with the live checkpoint, so dashboards keep answering throughout.
 */
export async function rebuild(context: AdminContext, options: { projection?: string; progress?: ProgressReporter } = {}): Promise<RebuildReport> {
  const chosen = options.projection ? context.projections.filter((p) => p.name === options.projection) : [...context.projections];
  if (chosen.length === 0) {
    throw new AdminError(`There is no projection "${options.projection}". Known projections: ${context.projections.map((p) => p.name).join(', ')}`);
  }
  const events = await context.events();
  const store = await context.readModels();
  const progress = options.progress;
  const onProgress = (p: RebuildProgress) => progress?.update(p.done, p.total);
  // On SQLite the projections are shared between worker threads (replay is CPU-bound); elsewhere, one thread.
  const result = context.sqliteFiles
    ? await rebuildInWorkers({ ...context.sqliteFiles, projections: chosen.map((p) => p.name), onProgress })
    : await rebuildProjections(events, store, chosen, { onProgress });
  progress?.finish();
  const contentHashes: Record<string, string> = {};
  for (const projection of chosen) contentHashes[projection.name] = await projectionContentHash(store, projection);
  return { projections: chosen.map((p) => p.name), ...result, contentHashes };
}

export function describeRebuild(report: RebuildReport): string {
  const lines = [
    `重建完成 rebuild complete: ${report.projections.length} projection(s) replayed from the first event and swapped in.`,
    `  ${report.events} events in ${report.seconds.toFixed(1)} s (${Math.round(report.eventsPerSecond)} events/s)`,
    '',
    '  projection              content hash',
  ];
  for (const [name, hash] of Object.entries(report.contentHashes)) lines.push(`  ${name.padEnd(22)}  ${hash.slice(0, 16)}…`);
  return lines.join('\n');
}
