/**
 * Genesis blocks: built from network data, so anyone can recompute and check them.
 *
 * Height 0, zero prevHash, a coinbase of 0 paying the all-zero address (no key is known to
 * hash to it), no transfers, the empty aggregate signature, and a nonce that meets genesisBits.
 */
import { INFINITY_SIGNATURE } from '../crypto/interface.js';
import { BLOCK_VERSION } from './block.js';
import type { Block } from './block.js';
import { assembleBlock } from './assemble.js';
import type { NetworkParams } from './networks.js';
import { ZERO_HASH } from './hash.js';
import { ADDRESS_HASH_LENGTH } from './address.js';

export function genesisBlock(network: NetworkParams): Block {
  return assembleBlock({
    version: BLOCK_VERSION,
    height: 0,
    prevHash: ZERO_HASH,
    timestamp: network.genesis.timestamp,
    bits: network.genesisBits,
    nonce: network.genesis.nonce,
    coinbase: { chainId: network.chainId, height: 0, recipient: new Uint8Array(ADDRESS_HASH_LENGTH), amount: 0n },
    transactions: [],
    aggregateSignature: INFINITY_SIGNATURE,
  });
}
