/**
 * Every `ourcoin` command's module, loaded only when it runs: `ourcoin wallet list` must not
 * pay for libp2p and the node, nor `ourcoin --version` for anything. Help and unknown
 * commands load them all.
 */
import type { Command } from 'commander';

export type RegisterCommands = (program: Command) => void;

export interface CommandModule {
  /** The commands it registers. */
  readonly names: readonly string[];
  readonly load: () => Promise<RegisterCommands>;
}

/** In the order help lists them. */
export const COMMAND_MODULES: readonly CommandModule[] = [
  { names: ['node'], load: async () => (await import('./nodeCommand.js')).registerNodeCommand },
  { names: ['wallet'], load: async () => (await import('./walletCommand.js')).registerWalletCommand },
  { names: ['status', 'block', 'tx'], load: async () => (await import('./queryCommand.js')).registerQueryCommands },
  { names: ['mine'], load: async () => (await import('./mineCommand.js')).registerMineCommand },
  { names: ['devnet'], load: async () => (await import('./devnetCommand.js')).registerDevnetCommand },
  { names: ['admin'], load: async () => (await import('./adminCommand.js')).registerAdminCommand },
];

/**
 * The modules a command line needs: its command's, none for a bare --version, else all. The
 * root program's only options are flags, so its first word that is not an option names the command.
 */
export function modulesFor(args: readonly string[]): readonly CommandModule[] {
  const word = args.find((a) => !a.startsWith('-'));
  const named = COMMAND_MODULES.filter((m) => word !== undefined && m.names.includes(word));
  if (named.length > 0) return named;
  if (word === undefined && (args.includes('--version') || args.includes('-V'))) return [];
  return COMMAND_MODULES;
}
