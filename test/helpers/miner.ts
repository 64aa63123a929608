/**
 * Headers shared by the miner tests in test/unit/miner/.
 */
import { BLOCK_VERSION } from '../../src/protocol/block.js';
import type { BlockHeader } from '../../src/protocol/block.js';

export const REGTEST_BITS = 0x207fffff;

/** Header `i`: fields that differ per `i`, at difficulty `bits`, nonce 0. */
export function header(i: number, bits: number): BlockHeader {
  const fill = (b: number): Uint8Array => new Uint8Array(32).map((_, k) => (b * 31 + k * 7 + i) & 0xff);
  return {
    version: BLOCK_VERSION,
    height: i,
    prevHash: fill(1),
    txRoot: fill(2),
    signatureHash: fill(3),
    timestamp: 1_700_000_000 + i,
    bits,
    nonce: 0n,
  };
}
