/**
 * Compact block relay (src/network/compactBlock.ts): building a compact block, finding the
 * missing txids and rebuilding the full block.
 */
import { describe, expect, it } from 'vitest';
import { encodeBlock } from '../../../src/protocol/block.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { encodeSignedTransfer, transferTxid } from '../../../src/protocol/transaction.js';
import type { Transfer } from '../../../src/protocol/transaction.js';
import { encodeCompactBlock } from '../../../src/network/messages.js';
import { missingTxids, rebuildBlock, toCompactBlock, withExtra } from '../../../src/network/compactBlock.js';
import { buildBlock, transfer } from '../../helpers/builder.js';
import { alice, block, bob, genesis, hash, signed } from '../../helpers/messages.js';

describe('compact block relay', () => {
  const byId = (list: readonly Transfer[]) => {
    const m = new Map(list.map((tx) => [toHex(transferTxid(tx)), tx]));
    return (txid: Uint8Array): Transfer | undefined => m.get(toHex(txid));
  };
  const txs = signed.map((s) => s.tx);

  it('toCompactBlock keeps header, coinbase and aggregate signature, and lists the transfers txids in order', () => {
    const cb = toCompactBlock(block);
    expect(cb.header).toEqual(block.header);
    expect(cb.coinbase).toEqual(block.coinbase);
    expect(cb.aggregateSignature).toEqual(block.aggregateSignature);
    expect(cb.txids).toEqual(txs.map(transferTxid));
  });

  it('missingTxids lists exactly what the lookup lacks, in block order', () => {
    const cb = toCompactBlock(block);
    expect(missingTxids(cb, byId(txs))).toEqual([]);
    expect(missingTxids(cb, byId([txs[1]!]))).toEqual([transferTxid(txs[0]!), transferTxid(txs[2]!)]);
    expect(missingTxids(cb, () => undefined)).toEqual(cb.txids);
  });

  it('rebuildBlock gives back the exact block, or undefined while a transfer is missing', () => {
    const cb = toCompactBlock(block);
    const rebuilt = rebuildBlock(cb, byId(txs));
    expect(rebuilt).toBeDefined();
    expect(encodeBlock(rebuilt!)).toEqual(encodeBlock(block));
    expect(rebuildBlock(cb, byId(txs.slice(0, 2)))).toBeUndefined();
    expect(encodeBlock(rebuildBlock(toCompactBlock(genesis), () => undefined)!)).toEqual(encodeBlock(genesis));
  });

  it('withExtra puts fetched transfers in front of the pool', () => {
    const cb = toCompactBlock(block);
    const pool = byId([txs[0]!]);
    const lookup = withExtra([txs[1]!, txs[2]!], transferTxid, pool);
    expect(missingTxids(cb, lookup)).toEqual([]);
    expect(encodeBlock(rebuildBlock(cb, lookup)!)).toEqual(encodeBlock(block));
    // An extra transfer wins over the base lookup for the same txid; unknown ids fall through.
    const other: Transfer = { ...txs[0]! };
    expect(withExtra([other], transferTxid, pool)(transferTxid(txs[0]!))).toBe(other);
    expect(withExtra([], transferTxid, pool)(transferTxid(txs[0]!))).toBe(txs[0]);
    expect(withExtra([txs[1]!], transferTxid, pool)(hash(12345))).toBeUndefined();
  });

  it('a 1,000-transfer block: compact 120+37+4+32*1000+96 bytes, full 257+97*1000', () => {
    const thousand = Array.from({ length: 1000 }, (_, nonce) => transfer(alice, bob.address, 1n, nonce));
    const big = buildBlock(genesis, { txs: thousand });
    const compact = encodeCompactBlock(toCompactBlock(big)).length;
    const full = encodeBlock(big).length;
    expect(compact).toBe(120 + 37 + 4 + 32 * 1000 + 96);
    expect(compact).toBe(32_257);
    expect(full).toBe(257 + 97 * 1000);
    expect(full).toBe(97_257);
    // ... and relaying the transfers themselves costs 193 bytes each, once, ahead of the block.
    expect(encodeSignedTransfer(thousand[0]!).length).toBe(193);
  });
});
