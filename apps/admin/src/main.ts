import 'reflect-metadata';
import { runCli } from './cli';

/** `npm run admin -- <command>`: see docs/admin-cli.md. */
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
