/**
 * Proof-of-work search on the calling thread: tries nonces until sha256d(header) <= target.
 * Enough for regtest (about one try in two succeeds) and tests; the node's parallel miner
 * builds on the same header layout.
 */
import { withNonce } from '../protocol/assemble.js';
import { blockHash } from '../protocol/block.js';
import type { Block } from '../protocol/block.js';
import { decodeCompact, hashMeetsTarget } from '../protocol/pow.js';

/** Returns the block with a nonce that meets its bits, or undefined after `maxTries`. */
export function solveBlock(block: Block, maxTries = 2 ** 32): Block | undefined {
  const target = decodeCompact(block.header.bits);
  const limit = Math.min(maxTries, 2 ** 32);
  for (let nonce = 0; nonce < limit; nonce++) {
    const candidate = withNonce(block, nonce);
    if (hashMeetsTarget(blockHash(candidate.header), target)) return candidate;
  }
  return undefined;
}
