#!/usr/bin/env node
/**
 * `ourcoin`: the command-line entry point (commander). Each command lives in its own module,
 * loaded only when it runs (commands.ts). Errors end here: one line and exit code 2 for bad
 * input, or with --json one `{"error":{"code","message"}}` document on stdout.
 */
import { Command, CommanderError } from 'commander';
import { OurCoinError } from '../errors.js';
import { modulesFor } from './commands.js';
import { installConfig } from './config.js';
import { CliErrorCode } from './interface.js';

const args = process.argv.slice(2);
// Read from argv rather than commander: a usage error happens before options are parsed.
const json = args.includes('--json');

function fail(code: string, message: string, exitCode: number): never {
  if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  else process.stderr.write(`error: ${message} (${code})\n`);
  process.exit(exitCode);
}

async function main(): Promise<void> {
  const program = new Command();
  program
    .name('ourcoin')
    .description('OurCoin: a small cryptocurrency with one aggregated BLS signature per block')
    .version('0.1.0')
    .option('--json', 'print one JSON document on stdout (errors too)', false)
    // Usage errors come back here as exceptions (exit code 2); with --json they become JSON.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => (json ? undefined : write(text)) });
  for (const m of modulesFor(args)) (await m.load())(program);
  // Last: its hook fills the options of every command registered above (`config show` loads them all).
  installConfig(program);
  await program.parseAsync(process.argv);
}

main().catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // --help and --version end this way too, with exit code 0.
    if (err.exitCode === 0) process.exit(0);
    if (!json) process.exit(2); // commander has printed its one line (or the help) already
    const message = err.code === 'commander.help' ? 'no command given (see: ourcoin --help)' : err.message;
    fail(CliErrorCode.usage, message.replace(/^error: /, ''), 2);
  }
  // Known errors get one clear line and a non-zero exit; anything else is a bug: show it.
  if (err instanceof OurCoinError) fail(err.code, err.message, 2);
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  if (json) fail('INTERNAL', 'internal error (a bug: the details are on stderr)', 1);
  process.exit(1);
});
