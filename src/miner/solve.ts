/**
 * Proof-of-work search on the calling thread: tries nonces until the block hash <= target.
 * Enough for regtest (about one try in two succeeds) and tests; the node's parallel miner
 * hashes the same message in batches (hasher.ts).
 */
import { withNonce } from '../protocol/assemble.js';
import { blockHash } from '../protocol/block.js';
import type { Block } from '../protocol/block.js';
import { decodeCompact, hashMeetsTarget } from '../protocol/pow.js';

/** Returns the block with a nonce that meets its bits, or undefined after `maxTries`. */
export function solveBlock(block: Block, maxTries = 2 ** 32): Block | undefined {
  const target = decodeCompact(block.header.bits);
  const limit = BigInt(maxTries);
  for (let nonce = 0n; nonce < limit; nonce++) {
    const candidate = withNonce(block, nonce);
    if (hashMeetsTarget(blockHash(candidate.header), target)) return candidate;
  }
  return undefined;
}
