import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig } from '@liangxin/platform';
import { type AdminContext, openAdminContext } from './admin-context';
import { AdminError, ExitCode } from './admin-error';
import { audit, type AuditSubjectKind, describeAudit } from './commands/audit';
import { coverageAsOf, describeCoverageAsOf } from './commands/coverage-as-of';
import { describeDeadLetters, describeRetry, listDeadLetters, retryDeadLetter, retryExitCode } from './commands/dead-letters';
import { describeRebuild, rebuild } from './commands/rebuild';
import { describeReplay, replayUntil } from './commands/replay';
import { describeVerify, verifyLog } from './commands/verify';
import { describeImport, importRegister } from './commands/import-register';
import { creditCodeFor } from '@liangxin/register-import';
import { randomInt } from 'node:crypto';
import { parseInstant } from './instant';
import { progressBar, type ProgressReporter } from './progress';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** where progress bars go (a terminal); none in tests */
  progressStream?: NodeJS.WriteStream;
}

const processIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  progressStream: process.stderr,
});

interface GlobalOptions {
  json?: boolean;
  dataDir?: string;
}

/** What one command produces: the machine answer (--json), the officer's text, and the exit code. */
interface Outcome {
  json: unknown;
  text: string;
  exitCode?: ExitCode;
}

/**
 * Runs the admin CLI on `argv` (without node and script) and returns the exit code. Never throws and never
 * exits the process, so tests call it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.ok;
  let json = argv.includes('--json');

  type Work = (context: AdminContext, command: Command, progress: (label: string) => ProgressReporter | undefined) => Promise<Outcome>;
  const run = (work: Work) =>
    async function (this: Command) {
      const globals = this.optsWithGlobals<GlobalOptions>();
      json = Boolean(globals.json);
      const env = globals.dataDir ? { ...io.env, DATA_DIR: globals.dataDir } : io.env;
      const context = openAdminContext(loadConfig(env));
      const progress = (label: string) => (json || !io.progressStream ? undefined : progressBar(label, io.progressStream));
      try {
        const outcome = await work(context, this, progress);
        io.stdout(`${json ? JSON.stringify(outcome.json, null, 2) : outcome.text}\n`);
        exitCode = outcome.exitCode ?? ExitCode.ok;
      } finally {
        await context.close();
      }
    };

  const program = new Command('admin')
    .description('两新 Liangxin admin: rebuild and replay read models, look back in time, audit, check the log, handle dead letters.\nWorks on DATA_DIR (default ./data), or on KurrentDB, MongoDB and NATS when KURRENTDB_URL, MONGODB_URL and NATS_URL are set.')
    .option('--json', 'machine-readable output, no progress bars')
    .option('--data-dir <path>', 'data folder of the embedded system (default: DATA_DIR or ./data)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('rebuild')
    .description('rebuild read models from the first event beside the live ones, and swap them in once caught up')
    .option('--projection <name>', 'only this projection (default: all)')
    .action(
      run(async (context, command, progress) => {
        const { projection } = command.opts<{ projection?: string }>();
        const report = await rebuild(context, { projection, progress: progress('rebuild') });
        return { json: report, text: describeRebuild(report) };
      }),
    );

  program
    .command('replay')
    .description('replay every projection up to a date into a throwaway store and show district coverage as of then')
    .requiredOption('--until <date>', 'ISO date or date-time (a bare date means the end of that day)')
    .action(
      run(async (context, command, progress) => {
        const { until } = command.opts<{ until: string }>();
        const report = await replayUntil(context, { until: parseInstant(until), progress: progress('replay') });
        return { json: report, text: describeReplay(report) };
      }),
    );

  program
    .command('as-of')
    .description('a read model as it stood at a date (time travel)')
    .argument('<date>', 'ISO date or date-time (a bare date means the end of that day)')
    .addArgument(new Argument('<view>', 'what to show').choices(['coverage']))
    .requiredOption('--district <code>', '6-digit administrative division, e.g. 430100')
    .action(
      run(async (context, command) => {
        const [date] = command.processedArgs as [string, string];
        const { district } = command.opts<{ district: string }>();
        const report = await coverageAsOf(context, { asOf: parseInstant(date), district });
        return { json: report, text: describeCoverageAsOf(report) };
      }),
    );

  program
    .command('audit')
    .description('everything recorded about an enterprise, an organisation or a service request: who, when, which command, and why')
    .addArgument(new Argument('<subject>', 'enterprise (by credit code), org (by organisation id) or request (by request id)').choices(['enterprise', 'org', 'request']))
    .argument('<id>', 'unified social credit code, organisation id, or request id')
    .action(
      run(async (context, command) => {
        const [subject, id] = command.processedArgs as [AuditSubjectKind, string];
        const report = await audit(context, { subject, id });
        return { json: report, text: describeAudit(report) };
      }),
    );

  program
    .command('import')
    .description("import a register file (the market regulator's, .csv or .xlsx): each row registers, updates or leaves an enterprise (exit code 1 when rows were refused)")
    .argument('<file>', 'the register file (docs/import.md lists the columns)')
    .option('--dry-run', 'decide every row against the ledger and report, but write nothing')
    .option('--report <file.xlsx>', 'write the per-row report as an .xlsx')
    .action(
      run(async (context, command, progress) => {
        const [file] = command.processedArgs as [string];
        const { dryRun, report: reportFile } = command.opts<{ dryRun?: boolean; report?: string }>();
        const report = await importRegister(context, { file, dryRun: Boolean(dryRun), reportFile, progress: progress(dryRun ? 'dry run' : 'import') });
        return { json: report, text: describeImport(report, reportFile), exitCode: report.counts.refused > 0 ? ExitCode.finding : ExitCode.ok };
      }),
    );

  program
    .command('credit-code')
    .description('print valid unified social credit codes (GB 32100) of a district, for trying the system out')
    .option('--district <code>', '6-digit administrative division', '430104')
    .option('--count <n>', 'how many', '1')
    .action(async function (this: Command) {
      const { district, count } = this.opts<{ district: string; count: string }>();
      if (!/^\d{6}$/.test(district)) throw new AdminError(`--district must be a 6-digit division code, got ${district}`);
      const n = Number(count);
      if (!Number.isInteger(n) || n < 1 || n > 1000) throw new AdminError(`--count must be a whole number from 1 to 1000, got ${count}`);
      const codes = Array.from({ length: n }, () => creditCodeFor(district, randomInt(31 ** 6, 31 ** 9 - 1)));
      io.stdout(`${json ? JSON.stringify({ district, codes }) : codes.join('\n')}\n`);
    });

  program
    .command('verify')
    .description("recompute the event store's hash chain and name the first broken link (exit code 1 when broken)")
    .action(
      run(async (context, _command, progress) => {
        const report = await verifyLog(context, { progress: progress('verify') });
        return { json: report, text: describeVerify(report), exitCode: report.ok ? ExitCode.ok : ExitCode.finding };
      }),
    );

  const deadLetters = program.command('dead-letters').description('events a consumer gave up on after repeated failures');
  deadLetters
    .command('list')
    .description('list dead letters, oldest first')
    .option('--consumer <name>', "only this consumer's")
    .addOption(new Option('--limit <n>', 'at most this many').argParser(positiveWholeNumber).default(100))
    .action(
      run(async (context, command) => {
        const { consumer, limit } = command.opts<{ consumer?: string; limit: number }>();
        const letters = await listDeadLetters(context, { consumer, limit });
        return { json: { items: letters }, text: describeDeadLetters(letters, consumer) };
      }),
    );
  deadLetters
    .command('retry')
    .description('deliver a dead letter to its consumer again (embedded: through the running system, see --gateway)')
    .argument('<id>', 'id shown by dead-letters list')
    .option('--gateway <url>', 'embedded mode: URL of the running system (with ADMIN_TOKEN set), e.g. http://localhost:3000')
    .action(
      run(async (context, command) => {
        const [id] = command.processedArgs as [string];
        const { gateway } = command.opts<{ gateway?: string }>();
        const adminToken = io.env['ADMIN_TOKEN'];
        if (gateway && !adminToken) throw new AdminError('--gateway needs the admin token in ADMIN_TOKEN (printed by npm start, or the one you set)');
        const report = await retryDeadLetter(context, { id, gateway: gateway && adminToken ? { url: gateway, adminToken } : undefined });
        return { json: report, text: describeRetry(report), exitCode: retryExitCode(report) };
      }),
    );

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version are "errors" to commander; usage mistakes were already printed by it
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    return report(error, json, io);
  }
}

function report(error: unknown, json: boolean, io: CliIo): ExitCode {
  const known = error instanceof AdminError || error instanceof ConfigError;
  const message = known ? error.message : `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
  const exitCode = error instanceof AdminError ? error.exitCode : ExitCode.usage;
  if (json) io.stdout(`${JSON.stringify({ error: message }, null, 2)}\n`);
  io.stderr(`错误 error: ${message}\n`);
  if (!known && io.env['LIANGXIN_DEBUG'] && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  else if (!known) io.stderr('(set LIANGXIN_DEBUG=1 to see the details)\n');
  return exitCode;
}

function positiveWholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}
