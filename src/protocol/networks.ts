/**
 * Networks as data. Everything that differs between networks lives here, so the rules in
 * `rules/` are the same code for all of them.
 *
 * - `devnet` (default): ~10 s blocks on a laptop, difficulty retargeted every 20 blocks.
 * - `regtest`: trivial proof of work (about one hash in two succeeds), no retarget, fast
 *   halvings: for tests, like Bitcoin's regtest.
 */
import { COIN } from './amount.js';
import { OurCoinError } from '../errors.js';
import type { CodeOf } from '../errors.js';

/** Errors of network selection. */
export const NetworkErrorCode = {
  unknown: 'NETWORK_UNKNOWN',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    network: CodeOf<typeof NetworkErrorCode>;
  }
}

export type NetworkName = 'devnet' | 'regtest';

export interface NetworkParams {
  readonly name: NetworkName;
  /** Committed to by every transaction and coinbase; ASCII "OURD" / "OURR". */
  readonly chainId: number;
  /** bech32m human-readable part of addresses. */
  readonly addressPrefix: string;
  /** Easiest allowed target. */
  readonly powLimit: bigint;
  /** Compact bits of the genesis block (and of every block when retargetInterval is 0). */
  readonly genesisBits: number;
  /** Seconds the retarget aims for between blocks. */
  readonly targetBlockTime: number;
  /** Blocks per difficulty period; 0 disables retargeting. */
  readonly retargetInterval: number;
  /** How far (seconds) a block's timestamp may be ahead of the local clock. */
  readonly maxFutureBlockTime: number;
  readonly initialSubsidy: bigint;
  readonly halvingInterval: number;
  /** Limit on the canonical encoding of a whole block. */
  readonly maxBlockBytes: number;
  readonly genesis: { readonly timestamp: number; readonly nonce: bigint };
}

export const devnet: NetworkParams = {
  name: 'devnet',
  chainId: 0x4f555244,
  addressPrefix: 'ourdev',
  powLimit: (1n << 240n) - 1n,
  genesisBits: 0x1e0597a7, // ~3 million hashes a block: well under a second for one native miner thread (a few in pure JS) until the first retarget (block 20) aims at 10 s
  targetBlockTime: 10,
  retargetInterval: 20,
  maxFutureBlockTime: 120,
  initialSubsidy: 50n * COIN,
  halvingInterval: 210_000,
  maxBlockBytes: 1_000_000,
  genesis: { timestamp: 1795478400, nonce: 857522n },
};

export const regtest: NetworkParams = {
  name: 'regtest',
  chainId: 0x4f555252,
  addressPrefix: 'ourreg',
  powLimit: (1n << 255n) - 1n,
  genesisBits: 0x207fffff,
  targetBlockTime: 1,
  retargetInterval: 0,
  maxFutureBlockTime: 7200,
  initialSubsidy: 50n * COIN,
  halvingInterval: 150,
  maxBlockBytes: 1_000_000,
  genesis: { timestamp: 1795478400, nonce: 0n },
};

export const networks: Readonly<Record<NetworkName, NetworkParams>> = { devnet, regtest };

export function networkByName(name: string): NetworkParams {
  const n = (networks as Record<string, NetworkParams | undefined>)[name];
  if (!n)
    throw new OurCoinError(
      'NETWORK_UNKNOWN',
      `unknown network "${name}" (known: ${Object.keys(networks).join(', ')})`,
      'input',
    );
  return n;
}
