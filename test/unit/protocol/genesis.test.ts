/**
 * The genesis blocks (src/protocol/genesis.ts).
 */
import { describe, expect, it } from 'vitest';
import { INFINITY_SIGNATURE } from '../../../src/crypto/interface.js';
import { BLOCK_VERSION, blockHash, decodeBlock, encodeBlock } from '../../../src/protocol/block.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { ZERO_HASH, merkleRoot, sha256 } from '../../../src/protocol/hash.js';
import { devnet, networks, regtest } from '../../../src/protocol/networks.js';
import type { NetworkParams } from '../../../src/protocol/networks.js';
import { decodeCompact, hashMeetsTarget } from '../../../src/protocol/pow.js';
import { coinbaseTxid } from '../../../src/protocol/transaction.js';
import { hex } from '../../helpers/encoding.js';

// ---------------------------------------------------------------- genesis

describe('genesis', () => {
  const expected: Record<string, string> = {
    devnet: '0x0000018f6e4497589e14e99f83522843f1b79465170a64465381009d1419f74d',
    regtest: '0x41e4f421a684eb2b4ef4327b7b0b84ab5af17203d1dd480230b48c1abd19ec00',
  };

  it.each(Object.values(networks).map((n) => [n.name, n] as const))(
    '%s genesis is well formed and meets its bits',
    (_name, network: NetworkParams) => {
      const g = genesisBlock(network);
      expect(g.header.height).toBe(0);
      expect(g.header.version).toBe(BLOCK_VERSION);
      expect(hex(g.header.prevHash)).toBe(hex(ZERO_HASH));
      expect(g.header.bits).toBe(network.genesisBits);
      expect(g.header.timestamp).toBe(network.genesis.timestamp);
      expect(g.header.nonce).toBe(network.genesis.nonce);
      expect(g.transactions).toEqual([]);
      expect(hex(g.aggregateSignature)).toBe(hex(INFINITY_SIGNATURE));
      expect(g.coinbase).toEqual({ chainId: network.chainId, height: 0, recipient: new Uint8Array(20), amount: 0n });
      expect(hex(g.header.txRoot)).toBe(hex(merkleRoot([coinbaseTxid(g.coinbase)])));
      expect(hex(g.header.signatureHash)).toBe(hex(sha256(INFINITY_SIGNATURE)));
      expect(hashMeetsTarget(blockHash(g.header), decodeCompact(g.header.bits))).toBe(true);
      expect(decodeBlock(encodeBlock(g))).toEqual(g);
      expect(hex(blockHash(g.header))).toBe(expected[network.name]);
    },
  );

  it('is deterministic and differs between networks', () => {
    expect(hex(blockHash(genesisBlock(devnet).header))).toBe(hex(blockHash(genesisBlock(devnet).header)));
    expect(hex(blockHash(genesisBlock(devnet).header))).not.toBe(hex(blockHash(genesisBlock(regtest).header)));
  });
});
