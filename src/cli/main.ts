#!/usr/bin/env node
/**
 * `ourcoin`: the command-line entry point (commander). Each command lives in its own module.
 */
import { Command } from 'commander';
import { registerNodeCommand } from './nodeCommand.js';
import { registerWalletCommand } from './walletCommand.js';
import { registerDevnetCommand } from './devnetCommand.js';
import { registerAdminCommand } from './adminCommand.js';
import { OurCoinError } from '../errors.js';

const program = new Command();
program
  .name('ourcoin')
  .description('OurCoin: a small cryptocurrency with one aggregated BLS signature per block')
  .version('0.1.0');
program.option('--json', 'print one JSON document on stdout (errors too)', false);
registerNodeCommand(program);
registerWalletCommand(program);
registerDevnetCommand(program);
registerAdminCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  // Known errors get one clear line and a non-zero exit; anything else is a bug: show it.
  if (err instanceof OurCoinError) {
    process.stderr.write(`error: ${err.message} (${err.code})\n`);
    process.exit(2);
  }
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
