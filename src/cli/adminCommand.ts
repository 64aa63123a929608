/**
 * `ourcoin admin`: operator commands sent to a running node's loopback-only routes, like
 * bitcoin-cli invalidateblock / reconsiderblock, for recovering from a bad chain by hand.
 */
import type { Command } from 'commander';
import { networkByName } from '../protocol/networks.js';
import { NodeClient } from '../wallet/nodeClient.js';
import type { ChainChangeJson } from '../api/json.js';
import { defaultNodeUrl } from './walletCommand.js';

interface AdminOptions {
  node?: string;
  network: string;
}

function describeChange(verb: string, hash: string, c: ChainChangeJson): string {
  const lines = [`${verb} ${hash}`, `  tip         ${c.tipHash} (height ${c.height})`];
  if (c.cleared !== undefined) lines.push(`  cleared     ${c.cleared} invalid mark${c.cleared === 1 ? '' : 's'}`);
  lines.push(`  left        ${c.disconnected.length} block${c.disconnected.length === 1 ? '' : 's'} of the main chain`);
  lines.push(`  joined      ${c.connected.length} block${c.connected.length === 1 ? '' : 's'}`);
  for (const f of c.failures ?? []) lines.push(`  still invalid ${f.hash}: ${f.code} ${f.message}`);
  return lines.join('\n') + '\n';
}

export function registerAdminCommand(program: Command): void {
  const admin = program
    .command('admin')
    .description("operator commands for a running node (its API's loopback-only admin routes)")
    .option('--node <url>', 'the node (default: http://127.0.0.1:8330 on devnet, :18330 on regtest)')
    .option('--network <name>', 'devnet or regtest: picks the default --node', 'devnet');
  const client = (cmd: Command): NodeClient => {
    const opts = cmd.optsWithGlobals<AdminOptions>();
    return new NodeClient(opts.node ?? defaultNodeUrl(networkByName(opts.network).name));
  };
  admin
    .command('invalidate-block <hash>')
    .description('mark a block and its descendants invalid; the node moves to its best other chain')
    .action(async (hash: string, _opts: object, cmd: Command) => {
      process.stdout.write(describeChange('invalidated', hash, await client(cmd).invalidateBlock(hash)));
    });
  admin
    .command('reconsider-block <hash>')
    .description('undo invalidate-block: validate the block, its descendants and ancestors again')
    .action(async (hash: string, _opts: object, cmd: Command) => {
      process.stdout.write(describeChange('reconsidered', hash, await client(cmd).reconsiderBlock(hash)));
    });
}
