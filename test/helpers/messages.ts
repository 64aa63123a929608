/**
 * Hashes, keys and a block shared by the wire-message and compact-block tests in test/unit/network/.
 */
import type { Block } from '../../src/protocol/block.js';
import { genesisBlock } from '../../src/protocol/genesis.js';
import { sha256 } from '../../src/protocol/hash.js';
import { regtest } from '../../src/protocol/networks.js';
import type { SignedTransfer } from '../../src/protocol/transaction.js';
import { buildBlock, testKey, transfer } from './builder.js';

export const hash = (i: number): Uint8Array => sha256(new Uint8Array([i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff]));
export const genesis = genesisBlock(regtest);
export const alice = testKey(1);
export const bob = testKey(2);
export const signed: SignedTransfer[] = [0, 1, 2].map((nonce) =>
  transfer(alice, bob.address, 1000n + BigInt(nonce), nonce),
);
export const block: Block = buildBlock(genesis, { txs: signed });
