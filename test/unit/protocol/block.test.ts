/**
 * Header and block encoding (src/protocol/block.ts): round trips, byte layouts and
 * malformed input.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes as concat } from '@noble/hashes/utils.js';
import { INFINITY_SIGNATURE, SIGNATURE_LENGTH } from '../../../src/crypto/interface.js';
import { addressOf } from '../../../src/protocol/address.js';
import { COIN } from '../../../src/protocol/amount.js';
import {
  BLOCK_OVERHEAD,
  BLOCK_VERSION,
  HEADER_LENGTH,
  MAX_BLOCK_ENCODING_BYTES,
  blockHash,
  blockSize,
  blockToJson,
  blockTxids,
  decodeBlock,
  decodeHeader,
  encodeBlock,
  encodeHeader,
  signatureHashOf,
} from '../../../src/protocol/block.js';
import type { Block, BlockHeader } from '../../../src/protocol/block.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { merkleRoot, sha256 } from '../../../src/protocol/hash.js';
import { regtest } from '../../../src/protocol/networks.js';
import {
  COINBASE_LENGTH,
  TRANSFER_LENGTH,
  coinbaseTxid,
  encodeCoinbase,
  encodeTransfer,
  transferTxid,
} from '../../../src/protocol/transaction.js';
import { buildBlock, transfer } from '../../helpers/builder.js';
import { alice, bob, carol, expectCode, hex, patched, u32be } from '../../helpers/encoding.js';

// ---------------------------------------------------------------- blocks

const genesis = genesisBlock(regtest);
const block0 = buildBlock(genesis);
const block1 = buildBlock(block0, { txs: [transfer(alice, bob.address, 7n * COIN, 0)] });
const block3 = buildBlock(block1, {
  txs: [
    transfer(alice, bob.address, 1n, 1),
    transfer(bob, carol.address, 2n, 0, 0n),
    transfer(carol, alice.address, 3n, 0, 5n),
  ],
  miner: carol.address,
});

/** Offset of the u32 transfer count in an encoded block. */
const COUNT_AT = HEADER_LENGTH + COINBASE_LENGTH;

describe('header encoding', () => {
  const header: BlockHeader = {
    version: 0x0102_0304,
    height: 0x0506_0708,
    prevHash: new Uint8Array(32).fill(0xa1),
    txRoot: new Uint8Array(32).fill(0xb2),
    signatureHash: new Uint8Array(32).fill(0xc3),
    timestamp: 0x1112_1314,
    bits: 0x207f_ffff,
    nonce: 0xfffe_fdfc_fbfa_f9f8n,
  };

  it('is 120 bytes with the documented field offsets', () => {
    const b = encodeHeader(header);
    expect(b.length).toBe(HEADER_LENGTH);
    expect(HEADER_LENGTH).toBe(120);
    expect(hex(b.subarray(0, 4))).toBe('0x01020304');
    expect(hex(b.subarray(4, 8))).toBe('0x05060708');
    expect(hex(b.subarray(8, 40))).toBe('0x' + 'a1'.repeat(32));
    expect(hex(b.subarray(40, 72))).toBe('0x' + 'b2'.repeat(32));
    expect(hex(b.subarray(72, 104))).toBe('0x' + 'c3'.repeat(32));
    expect(hex(b.subarray(104, 108))).toBe('0x11121314');
    expect(hex(b.subarray(108, 112))).toBe('0x207fffff');
    expect(hex(b.subarray(112, 120))).toBe('0xfffefdfcfbfaf9f8');
  });

  it('round-trips; the block hash is sha256(nonce | sha256(header without nonce) | tag)', () => {
    const b = encodeHeader(header);
    expect(decodeHeader(b)).toEqual(header);
    const tag = new TextEncoder().encode('OurCoin proof of work v2');
    expect(tag.length).toBe(24);
    const message = concat(b.subarray(112, 120), sha256(b.subarray(0, 112)), tag);
    expect(message.length).toBe(64);
    expect(hex(blockHash(header))).toBe(hex(sha256(message)));
    // The nonce is hashed only through the message: changing it leaves the commitment alone.
    const other = encodeHeader({ ...header, nonce: 1n });
    expect(hex(sha256(other.subarray(0, 112)))).toBe(hex(sha256(b.subarray(0, 112))));
    expect(hex(blockHash({ ...header, nonce: 1n }))).not.toBe(hex(blockHash(header)));
  });

  it('decodeHeader rejects 119 and 121 bytes', () => {
    const b = encodeHeader(header);
    expectCode(() => decodeHeader(b.subarray(0, 119)), 'ENCODING_TRUNCATED');
    expectCode(() => decodeHeader(concat(b, Uint8Array.of(0))), 'ENCODING_TRAILING_BYTES');
    expectCode(() => decodeHeader(new Uint8Array(0)), 'ENCODING_TRUNCATED');
  });
});

describe('block encoding', () => {
  it.each([
    ['0 transfers', block0, 0],
    ['1 transfer', block1, 1],
    ['3 transfers', block3, 3],
  ] as const)('round-trips with %s', (_name, block: Block, n: number) => {
    expect(block.transactions.length).toBe(n);
    const b = encodeBlock(block);
    expect(b.length).toBe(BLOCK_OVERHEAD + n * TRANSFER_LENGTH);
    expect(blockSize(block)).toBe(b.length);
    expect(decodeBlock(b)).toEqual(block);
    expect(hex(encodeBlock(decodeBlock(b)))).toBe(hex(b));
    // Layout: header | coinbase | count | transfers | aggregate signature.
    expect(hex(b.subarray(0, HEADER_LENGTH))).toBe(hex(encodeHeader(block.header)));
    expect(hex(b.subarray(HEADER_LENGTH, COUNT_AT))).toBe(hex(encodeCoinbase(block.coinbase)));
    expect(u32be(b, COUNT_AT)).toBe(n);
    block.transactions.forEach((tx, i) => {
      const at = COUNT_AT + 4 + i * TRANSFER_LENGTH;
      expect(hex(b.subarray(at, at + TRANSFER_LENGTH))).toBe(hex(encodeTransfer(tx)));
    });
    expect(hex(b.subarray(b.length - SIGNATURE_LENGTH))).toBe(hex(block.aggregateSignature));
    // The header commits to the body.
    expect(hex(block.header.txRoot)).toBe(hex(merkleRoot(blockTxids(block))));
    expect(hex(block.header.signatureHash)).toBe(hex(signatureHashOf(block.aggregateSignature)));
  });

  it('a decoded block carries the txids of its transactions, hashed from the bytes received', () => {
    for (const block of [block0, block1, block3]) {
      const decoded = decodeBlock(encodeBlock(block));
      // Computed from the decoded fields, as for a block built in memory:
      const expected = [coinbaseTxid(decoded.coinbase), ...decoded.transactions.map(transferTxid)].map(hex);
      expect(blockTxids(decoded).map(hex)).toEqual(expected);
      expect(hex(merkleRoot(blockTxids(decoded)))).toBe(hex(block.header.txRoot));
    }
  });

  it('BLOCK_OVERHEAD = header + coinbase + count + signature', () => {
    expect(BLOCK_OVERHEAD).toBe(120 + 37 + 4 + 96);
  });

  it('a block without transfers carries the point at infinity', () => {
    expect(hex(block0.aggregateSignature)).toBe(hex(INFINITY_SIGNATURE));
    expect(hex(INFINITY_SIGNATURE)).toBe('0xc0' + '00'.repeat(95));
  });

  it('rejects a count that claims more transfers than present', () => {
    const b = encodeBlock(block1);
    const more = b.slice();
    new DataView(more.buffer).setUint32(COUNT_AT, 2, false);
    expectCode(() => decodeBlock(more), 'ENCODING_TRUNCATED');
    new DataView(more.buffer).setUint32(COUNT_AT, 0xffff_ffff, false);
    expectCode(() => decodeBlock(more), 'ENCODING_TRUNCATED');
  });

  it('rejects a count that claims fewer transfers than present', () => {
    const b = encodeBlock(block1);
    const fewer = b.slice();
    new DataView(fewer.buffer).setUint32(COUNT_AT, 0, false);
    expectCode(() => decodeBlock(fewer), 'ENCODING_TRAILING_BYTES');
    for (const count of [0, 1, 2]) {
      const b3 = encodeBlock(block3).slice();
      new DataView(b3.buffer).setUint32(COUNT_AT, count, false);
      expectCode(() => decodeBlock(b3), 'ENCODING_TRAILING_BYTES');
    }
  });

  it('refuses inputs over the decoding limit before parsing them', () => {
    expectCode(() => decodeBlock(new Uint8Array(MAX_BLOCK_ENCODING_BYTES + 1)), 'ENCODING_TOO_LARGE');
  });

  it('rejects junk inserted after the count (two encodings must never decode to one block)', () => {
    for (const block of [block0, block1, block3]) {
      const b = encodeBlock(block);
      const junk = new Uint8Array(block.transactions.length * TRANSFER_LENGTH + SIGNATURE_LENGTH).fill(0xab);
      const padded = concat(b.subarray(0, COUNT_AT + 4), junk, b.subarray(COUNT_AT + 4));
      expectCode(() => decodeBlock(padded), 'ENCODING_TRAILING_BYTES');
    }
  });

  it('rejects a transfer type byte in the coinbase slot', () => {
    expectCode(() => decodeBlock(patched(encodeBlock(block1), HEADER_LENGTH, 0x01)), 'ENCODING_BAD_TYPE');
  });

  it('rejects a coinbase type byte (or an unknown type) in the transfer list', () => {
    const b = encodeBlock(block3);
    expectCode(() => decodeBlock(patched(b, COUNT_AT + 4, 0x00)), 'ENCODING_BAD_TYPE');
    expectCode(() => decodeBlock(patched(b, COUNT_AT + 4 + 2 * TRANSFER_LENGTH, 0x00)), 'ENCODING_BAD_TYPE');
    expectCode(() => decodeBlock(patched(b, COUNT_AT + 4 + TRANSFER_LENGTH, 0x02)), 'ENCODING_BAD_TYPE');
  });

  it('rejects a truncated aggregate signature, a truncated header and an extra byte', () => {
    for (const block of [block0, block1, block3]) {
      const b = encodeBlock(block);
      expectCode(() => decodeBlock(b.subarray(0, b.length - 1)), 'ENCODING_TRUNCATED');
      expectCode(() => decodeBlock(b.subarray(0, b.length - SIGNATURE_LENGTH)), 'ENCODING_TRUNCATED');
      expectCode(() => decodeBlock(concat(b, Uint8Array.of(0))), 'ENCODING_TRAILING_BYTES');
    }
    expectCode(() => decodeBlock(encodeBlock(block0).subarray(0, 100)), 'ENCODING_TRUNCATED');
    expectCode(() => decodeBlock(encodeBlock(block0).subarray(0, COUNT_AT + 2)), 'ENCODING_TRUNCATED');
    expectCode(() => decodeBlock(new Uint8Array(0)), 'ENCODING_TRUNCATED');
  });

  it('blockToJson has hash, header, coinbase, transactions, aggregateSignature and size', () => {
    const json = blockToJson(block3, regtest);
    expect(Object.keys(json).sort()).toEqual([
      'aggregateSignature',
      'coinbase',
      'hash',
      'header',
      'size',
      'transactions',
    ]);
    expect(json.hash).toBe(hex(blockHash(block3.header)));
    expect(json.size).toBe(encodeBlock(block3).length);
    expect(json.aggregateSignature).toBe(hex(block3.aggregateSignature));
    expect(json.header).toEqual({
      version: BLOCK_VERSION,
      height: block3.header.height,
      prevHash: hex(blockHash(block1.header)),
      txRoot: hex(block3.header.txRoot),
      signatureHash: hex(block3.header.signatureHash),
      timestamp: block3.header.timestamp,
      bits: '0x207fffff',
      nonce: block3.header.nonce.toString(),
    });
    expect(json.coinbase).toEqual({
      type: 'coinbase',
      txid: hex(coinbaseTxid(block3.coinbase)),
      chainId: regtest.chainId,
      height: block3.header.height,
      recipient: addressOf(carol.publicKey, regtest),
      amount: block3.coinbase.amount.toString(),
    });
    expect(json.transactions.map((t) => t.txid)).toEqual(block3.transactions.map((t) => hex(transferTxid(t))));
    expect(json.transactions.every((t) => t.signature === undefined)).toBe(true);
    // Plain JSON: no bigint anywhere.
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});
