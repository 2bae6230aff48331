import { Bar, Presets } from 'cli-progress';

/** What a long command reports as it goes; the CLI shows a bar, tests and --json pass nothing. */
export interface ProgressReporter {
  update(done: number, total: number): void;
  finish(): void;
}

/** A bar on stderr (stdout stays clean for the command's answer) with rate and time left. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const bar = new Bar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | ETA {eta_formatted}`,
      stream,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  const started = performance.now();
  let running = false;
  return {
    update(done, total) {
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? Math.round(done / seconds) : 0;
      if (!running) {
        bar.start(Math.max(total, 1), done, { rate });
        running = true;
      }
      bar.setTotal(Math.max(total, done, 1));
      bar.update(done, { rate });
    },
    finish() {
      if (running) bar.stop();
      running = false;
    },
  };
}
