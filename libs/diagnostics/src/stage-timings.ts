import { monitorEventLoopDelay, performance, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';

/**
 * The stages a command passes through on its way from an HTTP request to a read that shows it. Each is timed
 * where it happens; the figures are distributions per stage, not per command, so they need no correlation.
 */
export const COMMAND_STAGES = [
  /** request received → the gateway sends the command (body parsing, guards, validation, pipes) */
  'http',
  /** the gateway's send → the service's reply (transport both ways plus everything the service does) */
  'round-trip',
  /** the service reads the stream it decides on (cached fold plus the events since) */
  'load',
  /** the pure decider */
  'decide',
  /** store.append: waiting for the group commit, the transaction and its fsync */
  'append',
  /** an event is recorded → the projection runner starts the batch holding it */
  'wake',
  /** the projection runner stages and commits one batch for every projection */
  'apply',
  /** a GET with X-Min-Position waits for the read models to reach the write */
  'read-wait',
] as const;
export type CommandStage = (typeof COMMAND_STAGES)[number];

export interface Distribution {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface StageReport {
  /** milliseconds per stage */
  stages: Record<CommandStage, Distribution>;
  /** how late timers fired on the main thread, in milliseconds */
  eventLoopDelay: Distribution;
  /** garbage-collection pauses, in milliseconds */
  gc: Distribution & { totalMs: number };
}

const SAMPLE_CAP = 200_000;

/** Worker threads (the projection runner's) time their stages too; they hear start/stop and report here. */
const CHANNEL = 'liangxin:stage-timings';
type ChannelMessage =
  | { kind: 'start' }
  | { kind: 'stop' }
  | { kind: 'collect'; id: number }
  | { kind: 'samples'; id: number; samples: [CommandStage, number[]][] };
/** how long `collect` listens for the worker threads' samples */
const COLLECT_WINDOW_MS = 200;

function distribution(samples: readonly number[]): Distribution {
  if (samples.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}

/**
 * Off unless a benchmark or an operator turns it on: when off, `record` costs one branch. Process-wide on
 * purpose — a stage is timed in whichever library runs it, and the report is read where the process is driven.
 */
class StageTimings {
  private enabled = false;
  private samples = new Map<CommandStage, number[]>();
  private loopDelay: IntervalHistogram | undefined;
  private gcPauses: number[] = [];
  private gcObserver: PerformanceObserver | undefined;
  private channel: BroadcastChannel | undefined;
  private collecting = 0;

  constructor() {
    if (!isMainThread) this.listen();
  }

  private listen(): BroadcastChannel {
    if (this.channel) return this.channel;
    const channel = new BroadcastChannel(CHANNEL);
    channel.unref();
    channel.onmessage = (event: unknown) => this.hear((event as { data: ChannelMessage }).data);
    this.channel = channel;
    return channel;
  }

  private hear(message: ChannelMessage): void {
    if (message.kind === 'start') this.startHere();
    else if (message.kind === 'stop') this.enabled = false;
    else if (message.kind === 'collect') this.channel?.postMessage({ kind: 'samples', id: message.id, samples: [...this.samples] } satisfies ChannelMessage);
    else if (message.kind === 'samples' && message.id === this.collecting) {
      for (const [stage, values] of message.samples) for (const value of values) this.record(stage, value);
    }
  }

  get on(): boolean {
    return this.enabled;
  }

  /** Starts (or restarts) collecting here and in every worker thread: earlier samples are dropped. */
  start(): void {
    this.listen().postMessage({ kind: 'start' } satisfies ChannelMessage);
    this.startHere();
  }

  private startHere(): void {
    this.stopHere();
    this.enabled = true;
    this.samples = new Map();
    this.gcPauses = [];
    this.loopDelay = monitorEventLoopDelay({ resolution: 5 });
    this.loopDelay.enable();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.gcPauses.push(entry.duration);
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.channel?.postMessage({ kind: 'stop' } satisfies ChannelMessage);
    this.stopHere();
  }

  private stopHere(): void {
    this.enabled = false;
    this.loopDelay?.disable();
    this.gcObserver?.disconnect();
    this.gcObserver = undefined;
  }

  /** now, in milliseconds, when collecting; 0 otherwise (so callers skip the clock when off) */
  now(): number {
    return this.enabled ? performance.now() : 0;
  }

  record(stage: CommandStage, milliseconds: number): void {
    if (!this.enabled) return;
    let list = this.samples.get(stage);
    if (!list) this.samples.set(stage, (list = []));
    if (list.length < SAMPLE_CAP) list.push(milliseconds);
  }

  /** Records the time since `startedAt` (a value of `now()`); nothing when collecting was off at the start. */
  since(stage: CommandStage, startedAt: number): void {
    if (this.enabled && startedAt > 0) this.record(stage, performance.now() - startedAt);
  }

  /** The report, with the samples the worker threads recorded merged in. */
  async collect(): Promise<StageReport> {
    const id = (this.collecting = Date.now());
    this.listen().postMessage({ kind: 'collect', id } satisfies ChannelMessage);
    await sleep(COLLECT_WINDOW_MS);
    this.collecting = 0;
    return this.report();
  }

  /** This thread's samples only. */
  report(): StageReport {
    const stages = Object.fromEntries(COMMAND_STAGES.map((stage) => [stage, distribution(this.samples.get(stage) ?? [])])) as Record<CommandStage, Distribution>;
    const delay = this.loopDelay;
    const eventLoopDelay: Distribution = delay
      ? { count: delay.count, p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 }
      : { count: 0, p50: 0, p99: 0, max: 0 };
    const gc = distribution(this.gcPauses);
    return { stages, eventLoopDelay, gc: { ...gc, totalMs: this.gcPauses.reduce((sum, ms) => sum + ms, 0) } };
  }
}

export const stageTimings = new StageTimings();
