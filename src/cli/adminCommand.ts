/**
 * `ourcoin admin`: operator commands sent to a running node's loopback-only routes, like
 * bitcoin-cli invalidateblock / reconsiderblock, for recovering from a bad chain by hand.
 */
import type { Command } from 'commander';
import type { ChainChangeJson } from '../api/json.js';
import { addNodeOptions, nodeClientOf } from './nodeOptions.js';
import { emit } from './output.js';

function describeChange(verb: string, hash: string, c: ChainChangeJson): string {
  const lines = [`${verb} ${hash}`, `  tip         ${c.tipHash} (height ${c.height})`];
  if (c.cleared !== undefined) lines.push(`  cleared     ${c.cleared} invalid mark${c.cleared === 1 ? '' : 's'}`);
  lines.push(`  left        ${c.disconnected.length} block${c.disconnected.length === 1 ? '' : 's'} of the main chain`);
  lines.push(`  joined      ${c.connected.length} block${c.connected.length === 1 ? '' : 's'}`);
  for (const f of c.failures ?? []) lines.push(`  still invalid ${f.hash}: ${f.code} ${f.message}`);
  return lines.join('\n') + '\n';
}

export function registerAdminCommand(program: Command): void {
  const admin = addNodeOptions(
    program.command('admin').description("operator commands for a running node (its API's loopback-only admin routes)"),
  );
  admin
    .command('invalidate-block <hash>')
    .description('mark a block and its descendants invalid; the node moves to its best other chain')
    .action(async (hash: string, _opts: object, cmd: Command) => {
      emit(cmd, await nodeClientOf(cmd).invalidateBlock(hash), (c) => describeChange('invalidated', hash, c));
    });
  admin
    .command('reconsider-block <hash>')
    .description('undo invalidate-block: validate the block, its descendants and ancestors again')
    .action(async (hash: string, _opts: object, cmd: Command) => {
      emit(cmd, await nodeClientOf(cmd).reconsiderBlock(hash), (c) => describeChange('reconsidered', hash, c));
    });
}
