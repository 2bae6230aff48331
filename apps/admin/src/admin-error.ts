/** Exit codes an operator's script can rely on. */
export const ExitCode = {
  ok: 0,
  /** the command ran and found something wrong (a broken hash chain, a retry that failed again) */
  finding: 1,
  /** the command could not run as asked (bad arguments, missing data folder, unreachable server) */
  usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error meant for the officer at the terminal: the message says what went wrong and what to do,
 * and is printed without a stack trace.
 */
export class AdminError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.usage,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}
