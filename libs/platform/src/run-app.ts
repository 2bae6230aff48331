import { Logger } from '@nestjs/common';

/**
 * Entry-point helper: starts an app, logs where it listens, stops it cleanly on SIGINT/SIGTERM,
 * and exits with a message an operator understands (not a stack) when it cannot start.
 */
export function runApp(name: string, start: () => Promise<{ close(): Promise<void> }>): void {
  const logger = new Logger(name);
  // Through a promise, so a configuration error thrown before start() returns is reported the same way.
  Promise.resolve()
    .then(start)
    .then(
    (running) => {
      logger.log(`${name} started`);
      const stop = (signal: string) => {
        logger.log(`${signal}: stopping ${name}`);
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    },
    (error: unknown) => {
      logger.error(`${name} could not start: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
