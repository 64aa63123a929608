/**
 * What every command that talks to a running node shares: the default ports of each network
 * and the `--node` / `--network` options. Kept free of heavy imports (no node, no libp2p, no
 * wallet) so that a command reading the API starts fast.
 */
import type { Command } from 'commander';
import { networkByName } from '../protocol/networks.js';
import { NodeClient } from '../wallet/nodeClient.js';
import type { NodeClientOptions } from '../wallet/nodeClient.js';

export const DEFAULT_API_PORTS: Record<string, number> = { devnet: 8330, regtest: 18330 };
export const DEFAULT_P2P_PORTS: Record<string, number> = { devnet: 8331, regtest: 18331 };

export function defaultNodeUrl(network: string): string {
  return `http://127.0.0.1:${DEFAULT_API_PORTS[network] ?? DEFAULT_API_PORTS.devnet}`;
}

export interface NodeOptions {
  node?: string;
  network: string;
}

/** Adds `--node` and `--network` (which picks the default `--node`) to `command`. */
export function addNodeOptions(command: Command, defaultNetwork = 'devnet'): Command {
  return command
    .option('--node <url>', 'the node (default: http://127.0.0.1:8330 on devnet, :18330 on regtest)')
    .option('--network <name>', 'devnet or regtest: picks the default --node', defaultNetwork);
}

/** A client for the node `cmd`'s options (its own or a parent's) name. */
export function nodeClientOf(cmd: Command, clientOptions?: NodeClientOptions): NodeClient {
  const opts = cmd.optsWithGlobals<NodeOptions>();
  return new NodeClient(opts.node ?? defaultNodeUrl(networkByName(opts.network).name), clientOptions);
}
