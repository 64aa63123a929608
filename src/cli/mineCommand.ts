/**
 * `ourcoin mine <n> [--address a]`: bitcoin-cli's generatetoaddress. A running regtest node
 * mines n blocks now (POST /api/v1/mine, which answers loopback clients on regtest only);
 * prints their hashes, oldest first.
 */
import type { Command } from 'commander';
import { OurCoinError } from '../errors.js';
import { MAX_MINE_BLOCKS } from '../api/schemas.js';
import { CliErrorCode } from './interface.js';
import { addNodeOptions, nodeClientOf } from './nodeOptions.js';
import { integerOption } from './options.js';
import { emit } from './output.js';

/** A thousand regtest blocks take seconds, more on a loaded machine: wait for them. */
const MINE_TIMEOUT_MS = 10 * 60_000;

export function registerMineCommand(program: Command): void {
  addNodeOptions(
    program
      .command('mine')
      .argument('<n>', `how many blocks (1 to ${MAX_MINE_BLOCKS})`, integerOption(1, MAX_MINE_BLOCKS))
      .description('regtest: mine n blocks now on a running node and print their hashes')
      .option('--address <address>', "pay the coinbases here (default: the node's miner address)"),
    'regtest',
  ).action(async (blocks: number, opts: { address?: string }, cmd: Command) => {
    const client = nodeClientOf(cmd, { timeoutMs: MINE_TIMEOUT_MS });
    const address = opts.address ?? (await client.status()).minerAddress;
    if (!address) {
      throw new OurCoinError(
        CliErrorCode.mineAddressRequired,
        'the node has no miner address: say where the coinbases go with --address <address>',
        'input',
      );
    }
    emit(cmd, await client.mine(blocks, address), (r) => r.hashes.join('\n') + '\n');
  });
}
