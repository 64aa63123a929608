/**
 * Canonical encodings of the protocol: byte primitives, transactions, headers, blocks,
 * Merkle roots, compact bits, genesis blocks, addresses, amounts and the JSON forms.
 *
 * Every rejection is checked by its stable `code`, never by its message.
 */
import { bech32, bech32m } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concatBytes as concat } from '@noble/hashes/utils.js';
import { blstBls } from '../src/crypto/blst.js';
import { useNativeSha256 } from '../src/crypto/nativeSha256.js';
import { INFINITY_SIGNATURE, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from '../src/crypto/interface.js';
import { addressOf, decodeAddress, encodeAddress } from '../src/protocol/address.js';
import { COIN, MAX_MONEY, formatCoins, parseBaseUnits, parseCoins } from '../src/protocol/amount.js';
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
} from '../src/protocol/block.js';
import type { Block, BlockHeader } from '../src/protocol/block.js';
import { ByteReader, ByteWriter, bigIntToBytes, bytesToBigInt, fromHex, toHex } from '../src/protocol/bytes.js';
import { OurCoinError } from '../src/errors.js';
import { genesisBlock } from '../src/protocol/genesis.js';
import { ZERO_HASH, merkleRoot, sha256, sha256d } from '../src/protocol/hash.js';
import { useSha256 } from '../src/crypto/sha256.js';
import { devnet, networks, regtest } from '../src/protocol/networks.js';
import type { NetworkParams } from '../src/protocol/networks.js';
import { decodeCompact, encodeCompact, hashMeetsTarget, workForTarget } from '../src/protocol/pow.js';
import {
  COINBASE_LENGTH,
  MAX_NONCE,
  TRANSFER_LENGTH,
  TRANSFER_SIGNING_TAG,
  coinbaseTxid,
  decodeSignedTransfer,
  decodeTransfer,
  encodeCoinbase,
  encodeSignedTransfer,
  encodeTransfer,
  readCoinbase,
  signedTransferFromJson,
  signingMessage,
  transferToJson,
  transferTxid,
} from '../src/protocol/transaction.js';
import type { Coinbase, Transfer, TransferJson } from '../src/protocol/transaction.js';
import { buildBlock, testKey, transfer } from './helpers/builder.js';

// ---------------------------------------------------------------- helpers

/** Runs `fn`, expects an OurCoinError with exactly `code`, and returns it. */
function expectCode(fn: () => unknown, code: string): OurCoinError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected an OurCoinError with code ${code}`).toBeInstanceOf(OurCoinError);
  const err = caught as OurCoinError;
  expect(err.code).toBe(code);
  return err;
}

const hex = (b: Uint8Array): string => toHex(b);
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const u32be = (b: Uint8Array, at: number): number =>
  new DataView(b.buffer, b.byteOffset, b.length).getUint32(at, false);
const u64be = (b: Uint8Array, at: number): bigint =>
  new DataView(b.buffer, b.byteOffset, b.length).getBigUint64(at, false);
/** A copy of `b` with byte `at` set to `value`. */
const patched = (b: Uint8Array, at: number, value: number): Uint8Array => {
  const out = b.slice();
  out[at] = value;
  return out;
};

const alice = testKey(0);
const bob = testKey(1);
const carol = testKey(2);

/** A transfer whose integer fields have distinct bytes, so a misplaced field shows. */
const sampleTx: Transfer = {
  chainId: regtest.chainId,
  senderPublicKey: alice.publicKey,
  recipient: bob.address,
  amount: 0x0102_0304_0506_0708n,
  fee: 0x1112_1314_1516_1718n,
  nonce: 0x0a0b_0c0d,
};

// ---------------------------------------------------------------- bytes

describe('ByteWriter / ByteReader', () => {
  it('writes u8, u32 and u64 big-endian', () => {
    const b = new ByteWriter(1)
      .u8(0xab)
      .u32(0x0102_0304)
      .u64(0x1122_3344_5566_7788n)
      .bytes(Uint8Array.of(9, 8))
      .finish();
    expect(hex(b)).toBe('0xab' + '01020304' + '1122334455667788' + '0908');
    expect(
      hex(new ByteWriter().u8(0).u8(255).u32(0).u32(0xffff_ffff).u64(0n).u64(0xffff_ffff_ffff_ffffn).finish()),
    ).toBe('0x00ff' + '00000000' + 'ffffffff' + '0000000000000000' + 'ffffffffffffffff');
  });

  it('grows past its initial capacity', () => {
    const w = new ByteWriter(2);
    for (let i = 0; i < 300; i++) w.u8(i % 256);
    const b = w.finish();
    expect(b.length).toBe(300);
    expect(b[299]).toBe(299 % 256);
  });

  it('rejects out-of-range writes with ENCODING_OUT_OF_RANGE', () => {
    for (const n of [-1, 256, 1.5, Number.NaN]) expectCode(() => new ByteWriter().u8(n), 'ENCODING_OUT_OF_RANGE');
    for (const n of [-1, 2 ** 32, 0.5, Number.POSITIVE_INFINITY])
      expectCode(() => new ByteWriter().u32(n), 'ENCODING_OUT_OF_RANGE');
    for (const n of [-1n, 1n << 64n]) expectCode(() => new ByteWriter().u64(n), 'ENCODING_OUT_OF_RANGE');
  });

  it('reads back what was written', () => {
    const r = new ByteReader(
      Uint8Array.of(0xab, 1, 2, 3, 4, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 7, 7),
      'test',
    );
    expect(r.u8('a')).toBe(0xab);
    expect(r.u32('b')).toBe(0x0102_0304);
    expect(r.u64('c')).toBe(0x1122_3344_5566_7788n);
    expect(r.remaining).toBe(2);
    expect(hex(r.bytesN(2, 'd'))).toBe('0x0707');
    expect(r.remaining).toBe(0);
    r.finish();
  });

  it('reads u32 and u64 from a subarray with a non-zero byteOffset', () => {
    const backing = Uint8Array.of(0xee, 0xee, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 6);
    const r = new ByteReader(backing.subarray(2), 'sub');
    expect(r.u32('a')).toBe(5);
    expect(r.u64('b')).toBe(6n);
    r.finish();
  });

  it('rejects truncated reads with ENCODING_TRUNCATED', () => {
    expectCode(() => new ByteReader(new Uint8Array(0), 't').u8('a'), 'ENCODING_TRUNCATED');
    expectCode(() => new ByteReader(new Uint8Array(3), 't').u32('a'), 'ENCODING_TRUNCATED');
    expectCode(() => new ByteReader(new Uint8Array(7), 't').u64('a'), 'ENCODING_TRUNCATED');
    expectCode(() => new ByteReader(new Uint8Array(31), 't').bytesN(32, 'a'), 'ENCODING_TRUNCATED');
    const err = expectCode(() => new ByteReader(new Uint8Array(3), 't').u32('a'), 'ENCODING_TRUNCATED');
    expect(err.kind).toBe('encoding');
  });

  it('a failed read consumes nothing', () => {
    const r = new ByteReader(new Uint8Array(3), 't');
    expectCode(() => r.u32('a'), 'ENCODING_TRUNCATED');
    expect(r.remaining).toBe(3);
  });

  it('rejects trailing bytes with ENCODING_TRAILING_BYTES', () => {
    const r = new ByteReader(new Uint8Array(5), 't');
    r.u32('a');
    expectCode(() => r.finish(), 'ENCODING_TRAILING_BYTES');
  });
});

describe('hex', () => {
  it('toHex is lowercase with 0x', () => {
    expect(toHex(Uint8Array.of(0xab, 0x01, 0xff))).toBe('0xab01ff');
    expect(toHex(new Uint8Array(0))).toBe('0x');
  });

  it('fromHex parses 0x-hex, either case, with an optional exact length', () => {
    expect(Array.from(fromHex('0xab01FF', 'f'))).toEqual([0xab, 0x01, 0xff]);
    expect(fromHex('0x', 'f').length).toBe(0);
    expect(Array.from(fromHex('0x0102', 'f', 2))).toEqual([1, 2]);
  });

  it('fromHex rejects malformed hex with ENCODING_BAD_HEX', () => {
    for (const bad of ['ab01', '0xabc', '0xzz', '0x12 34', '0X1234', ' 0x12', '0x12\n', '', 'xx12']) {
      expectCode(() => fromHex(bad, 'f'), 'ENCODING_BAD_HEX');
    }
    for (const bad of [undefined, null, 12, ['0x12'], { hex: '0x12' }])
      expectCode(() => fromHex(bad, 'f'), 'ENCODING_BAD_HEX');
  });

  it('fromHex rejects a wrong length with ENCODING_BAD_LENGTH', () => {
    expectCode(() => fromHex('0x0102', 'f', 3), 'ENCODING_BAD_LENGTH');
    expectCode(() => fromHex('0x010203', 'f', 2), 'ENCODING_BAD_LENGTH');
    expectCode(() => fromHex('0x', 'f', 1), 'ENCODING_BAD_LENGTH');
  });
});

describe('bytesToBigInt / bigIntToBytes', () => {
  it('round-trips big-endian', () => {
    expect(bytesToBigInt(new Uint8Array(0))).toBe(0n);
    expect(bytesToBigInt(Uint8Array.of(0, 0, 1, 0))).toBe(256n);
    expect(hex(bigIntToBytes(256n, 4))).toBe('0x00000100');
    expect(hex(bigIntToBytes(0n, 2))).toBe('0x0000');
    const max = (1n << 256n) - 1n;
    expect(hex(bigIntToBytes(max, 32))).toBe('0x' + 'ff'.repeat(32));
    for (const n of [0n, 1n, 0xdead_beefn, 1n << 200n, max]) expect(bytesToBigInt(bigIntToBytes(n, 32))).toBe(n);
  });

  it('rejects negative and overflowing integers with ENCODING_OUT_OF_RANGE', () => {
    expectCode(() => bigIntToBytes(-1n, 4), 'ENCODING_OUT_OF_RANGE');
    expectCode(() => bigIntToBytes(256n, 1), 'ENCODING_OUT_OF_RANGE');
    expectCode(() => bigIntToBytes(1n << 256n, 32), 'ENCODING_OUT_OF_RANGE');
    expect(hex(bigIntToBytes(255n, 1))).toBe('0xff');
  });
});

// ---------------------------------------------------------------- transfers

describe('transfer encoding', () => {
  it('is 97 bytes with the documented field layout', () => {
    const b = encodeTransfer(sampleTx);
    expect(b.length).toBe(TRANSFER_LENGTH);
    expect(TRANSFER_LENGTH).toBe(97);
    expect(b[0]).toBe(0x01);
    expect(u32be(b, 1)).toBe(regtest.chainId);
    expect(hex(b.subarray(1, 5))).toBe('0x4f555252'); // "OURR"
    expect(hex(b.subarray(5, 53))).toBe(hex(alice.publicKey));
    expect(hex(b.subarray(53, 73))).toBe(hex(bob.address));
    expect(hex(b.subarray(73, 81))).toBe('0x0102030405060708');
    expect(hex(b.subarray(81, 89))).toBe('0x1112131415161718');
    expect(hex(b.subarray(89, 97))).toBe('0x000000000a0b0c0d');
    expect(u64be(b, 89)).toBe(BigInt(sampleTx.nonce));
  });

  it('decode(encode(x)) deep-equals x', () => {
    expect(decodeTransfer(encodeTransfer(sampleTx))).toEqual(sampleTx);
    const edge: Transfer = {
      ...sampleTx,
      amount: 0n,
      fee: 0xffff_ffff_ffff_ffffn,
      nonce: MAX_NONCE,
      chainId: 0xffff_ffff,
    };
    expect(decodeTransfer(encodeTransfer(edge))).toEqual(edge);
  });

  it('txid = sha256(encoding)', () => {
    expect(hex(transferTxid(sampleTx))).toBe(hex(sha256(encodeTransfer(sampleTx))));
    expect(hex(transferTxid({ ...sampleTx, nonce: sampleTx.nonce + 1 }))).not.toBe(hex(transferTxid(sampleTx)));
  });

  it('rejects a wrong type byte with ENCODING_BAD_TYPE', () => {
    const b = encodeTransfer(sampleTx);
    expectCode(() => decodeTransfer(patched(b, 0, 0x00)), 'ENCODING_BAD_TYPE');
    expectCode(() => decodeTransfer(patched(b, 0, 0x02)), 'ENCODING_BAD_TYPE');
    expectCode(() => decodeTransfer(patched(b, 0, 0xff)), 'ENCODING_BAD_TYPE');
  });

  it('rejects truncated input and trailing bytes', () => {
    const b = encodeTransfer(sampleTx);
    expectCode(() => decodeTransfer(b.subarray(0, 96)), 'ENCODING_TRUNCATED');
    expectCode(() => decodeTransfer(b.subarray(0, 1)), 'ENCODING_TRUNCATED');
    expectCode(() => decodeTransfer(new Uint8Array(0)), 'ENCODING_TRUNCATED');
    expectCode(() => decodeTransfer(concat(b, Uint8Array.of(0))), 'ENCODING_TRAILING_BYTES');
  });

  it('rejects a nonce above 2^53-1 on decode with ENCODING_OUT_OF_RANGE', () => {
    const b = encodeTransfer({ ...sampleTx, nonce: MAX_NONCE });
    expect(u64be(b, 89)).toBe(2n ** 53n - 1n);
    const over = b.slice();
    new DataView(over.buffer).setBigUint64(89, 2n ** 53n, false);
    expectCode(() => decodeTransfer(over), 'ENCODING_OUT_OF_RANGE');
    new DataView(over.buffer).setBigUint64(89, 0xffff_ffff_ffff_ffffn, false);
    expectCode(() => decodeTransfer(over), 'ENCODING_OUT_OF_RANGE');
  });

  it('refuses to encode bad fields', () => {
    for (const nonce of [-1, 2 ** 53, 1.5, Number.NaN])
      expectCode(() => encodeTransfer({ ...sampleTx, nonce }), 'ENCODING_OUT_OF_RANGE');
    expectCode(() => encodeTransfer({ ...sampleTx, amount: -1n }), 'ENCODING_OUT_OF_RANGE');
    expectCode(() => encodeTransfer({ ...sampleTx, fee: 1n << 64n }), 'ENCODING_OUT_OF_RANGE');
    expectCode(() => encodeTransfer({ ...sampleTx, chainId: 2 ** 32 }), 'ENCODING_OUT_OF_RANGE');
    expectCode(
      () => encodeTransfer({ ...sampleTx, senderPublicKey: alice.publicKey.subarray(0, 47) }),
      'ENCODING_BAD_LENGTH',
    );
    expectCode(() => encodeTransfer({ ...sampleTx, recipient: new Uint8Array(21) }), 'ENCODING_BAD_LENGTH');
  });

  it('signed transfer: 193 bytes = transfer | signature, round trip, valid signature', () => {
    const stx = transfer(alice, bob.address, 5n * COIN, 3);
    const b = encodeSignedTransfer(stx);
    expect(b.length).toBe(TRANSFER_LENGTH + SIGNATURE_LENGTH);
    expect(b.length).toBe(193);
    expect(hex(b.subarray(0, 97))).toBe(hex(encodeTransfer(stx.tx)));
    expect(hex(b.subarray(97))).toBe(hex(stx.signature));
    expect(decodeSignedTransfer(b)).toEqual(stx);
    expect(blstBls.verify(alice.publicKey, signingMessage(stx.tx), stx.signature)).toBe(true);

    expectCode(() => decodeSignedTransfer(b.subarray(0, 192)), 'ENCODING_TRUNCATED');
    expectCode(() => decodeSignedTransfer(b.subarray(0, 97)), 'ENCODING_TRUNCATED');
    expectCode(() => decodeSignedTransfer(concat(b, Uint8Array.of(0))), 'ENCODING_TRAILING_BYTES');
    expectCode(() => decodeSignedTransfer(patched(b, 0, 0x00)), 'ENCODING_BAD_TYPE');
    expectCode(() => decodeTransfer(b), 'ENCODING_TRAILING_BYTES');
    expectCode(() => encodeSignedTransfer({ ...stx, signature: stx.signature.subarray(0, 95) }), 'ENCODING_BAD_LENGTH');
  });

  it('signingMessage = u8(19) | "OURCOIN-TRANSFER-V1" | senderPublicKey | txid (1 + 19 + 48 + 32 = 100 bytes)', () => {
    const m = signingMessage(sampleTx);
    expect(m.length).toBe(1 + 19 + PUBLIC_KEY_LENGTH + 32);
    expect(m.length).toBe(100);
    expect(m[0]).toBe(19);
    expect(TRANSFER_SIGNING_TAG.length).toBe(19);
    expect(hex(m.subarray(1, 20))).toBe(hex(ascii('OURCOIN-TRANSFER-V1')));
    expect(hex(m.subarray(20, 68))).toBe(hex(alice.publicKey));
    expect(hex(m.subarray(68, 100))).toBe(hex(transferTxid(sampleTx)));
    expect(hex(signingMessage(sampleTx, transferTxid(sampleTx)))).toBe(hex(m));
  });

  it('two senders of otherwise identical transfers sign different messages', () => {
    const fromCarol: Transfer = { ...sampleTx, senderPublicKey: carol.publicKey };
    const a = signingMessage(sampleTx);
    const c = signingMessage(fromCarol);
    expect(hex(a)).not.toBe(hex(c));
    expect(hex(a.subarray(0, 20))).toBe(hex(c.subarray(0, 20)));
    expect(hex(a.subarray(20, 68))).not.toBe(hex(c.subarray(20, 68)));
    expect(hex(a.subarray(68))).not.toBe(hex(c.subarray(68)));
  });
});

// ---------------------------------------------------------------- coinbase

describe('coinbase encoding', () => {
  const cb: Coinbase = { chainId: devnet.chainId, height: 0x0102_0304, recipient: carol.address, amount: 50n * COIN };

  it('is 37 bytes: 0x00 | chainId | height | recipient | amount', () => {
    const b = encodeCoinbase(cb);
    expect(b.length).toBe(COINBASE_LENGTH);
    expect(COINBASE_LENGTH).toBe(37);
    expect(b[0]).toBe(0x00);
    expect(hex(b.subarray(1, 5))).toBe('0x4f555244'); // "OURD"
    expect(hex(b.subarray(5, 9))).toBe('0x01020304');
    expect(hex(b.subarray(9, 29))).toBe(hex(carol.address));
    expect(u64be(b, 29)).toBe(50n * COIN);
    expect(hex(coinbaseTxid(cb))).toBe(hex(sha256(b)));
  });

  it('reads back, and rejects a transfer type byte', () => {
    const b = encodeCoinbase(cb);
    const r = new ByteReader(b, 'coinbase');
    expect(readCoinbase(r)).toEqual(cb);
    r.finish();
    expectCode(() => readCoinbase(new ByteReader(patched(b, 0, 0x01), 'coinbase')), 'ENCODING_BAD_TYPE');
    expectCode(() => encodeCoinbase({ ...cb, recipient: new Uint8Array(19) }), 'ENCODING_BAD_LENGTH');
  });
});

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
    nonce: 0xfffe_fdfc,
  };

  it('is 116 bytes with the documented field offsets', () => {
    const b = encodeHeader(header);
    expect(b.length).toBe(HEADER_LENGTH);
    expect(HEADER_LENGTH).toBe(116);
    expect(hex(b.subarray(0, 4))).toBe('0x01020304');
    expect(hex(b.subarray(4, 8))).toBe('0x05060708');
    expect(hex(b.subarray(8, 40))).toBe('0x' + 'a1'.repeat(32));
    expect(hex(b.subarray(40, 72))).toBe('0x' + 'b2'.repeat(32));
    expect(hex(b.subarray(72, 104))).toBe('0x' + 'c3'.repeat(32));
    expect(hex(b.subarray(104, 108))).toBe('0x11121314');
    expect(hex(b.subarray(108, 112))).toBe('0x207fffff');
    expect(hex(b.subarray(112, 116))).toBe('0xfffefdfc');
  });

  it('round-trips and hashes with sha256d', () => {
    const b = encodeHeader(header);
    expect(decodeHeader(b)).toEqual(header);
    expect(hex(blockHash(header))).toBe(hex(sha256d(b)));
    expect(hex(blockHash(header))).toBe(hex(sha256(sha256(b))));
  });

  it('decodeHeader rejects 115 and 117 bytes', () => {
    const b = encodeHeader(header);
    expectCode(() => decodeHeader(b.subarray(0, 115)), 'ENCODING_TRUNCATED');
    expectCode(() => decodeHeader(concat(b, Uint8Array.of(0))), 'ENCODING_TRAILING_BYTES');
    expectCode(() => decodeHeader(new Uint8Array(0)), 'ENCODING_TRUNCATED');
  });
});

describe('native SHA-256 (node:crypto, installed by the node)', () => {
  it('agrees with noble on every input length up to 300 bytes, then is refused when wrong', () => {
    const inputs = Array.from({ length: 301 }, (_, n) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff));
    const noble = inputs.map((d) => hex(sha256(d)));
    useNativeSha256();
    try {
      expect(inputs.map((d) => hex(sha256(d)))).toEqual(noble);
      expect(Object.getPrototypeOf(sha256(inputs[5]!))).toBe(Uint8Array.prototype);
    } finally {
      useSha256(nobleSha256);
    }
    expect(() => useSha256((d) => nobleSha256(concat(d, Uint8Array.of(0))))).toThrow(/does not compute SHA-256/);
    expect(hex(sha256(inputs[3]!))).toBe(noble[3]);
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

  it('BLOCK_OVERHEAD = header + coinbase + count + signature', () => {
    expect(BLOCK_OVERHEAD).toBe(116 + 37 + 4 + 96);
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
      nonce: block3.header.nonce,
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

// ---------------------------------------------------------------- merkle

describe('merkle root', () => {
  const [a, b, c] = ['a', 'b', 'c'].map((s) => sha256(ascii(s))) as [Uint8Array, Uint8Array, Uint8Array];
  const leaf = (id: Uint8Array): Uint8Array => sha256(concat(Uint8Array.of(0x00), id));
  const node = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(concat(Uint8Array.of(0x01), l, r));

  it('single leaf = sha256(0x00 || txid)', () => {
    expect(hex(merkleRoot([a]))).toBe(hex(leaf(a)));
    expect(hex(merkleRoot([a]))).not.toBe(hex(a));
  });

  it('two leaves = sha256(0x01 || leaf(a) || leaf(b))', () => {
    expect(hex(merkleRoot([a, b]))).toBe(hex(node(leaf(a), leaf(b))));
    expect(hex(merkleRoot([b, a]))).not.toBe(hex(merkleRoot([a, b])));
  });

  it('three leaves carry the odd one up unchanged', () => {
    expect(hex(merkleRoot([a, b, c]))).toBe(hex(node(node(leaf(a), leaf(b)), leaf(c))));
    const d = sha256(ascii('d'));
    const e = sha256(ascii('e'));
    expect(hex(merkleRoot([a, b, c, d, e]))).toBe(
      hex(node(node(node(leaf(a), leaf(b)), node(leaf(c), leaf(d))), leaf(e))),
    );
  });

  it('does not duplicate the odd leaf (no CVE-2012-2459 mutation)', () => {
    expect(hex(merkleRoot([a, b, c]))).not.toBe(hex(merkleRoot([a, b, c, c])));
    expect(hex(merkleRoot([a, b, c, c]))).toBe(hex(node(node(leaf(a), leaf(b)), node(leaf(c), leaf(c)))));
  });

  it('throws on an empty list', () => {
    expect(() => merkleRoot([])).toThrow();
  });
});

// ---------------------------------------------------------------- proof of work

describe('compact bits', () => {
  it('round-trips regtest and devnet genesis bits', () => {
    expect(decodeCompact(0x207f_ffff)).toBe(0x7f_ffffn << 232n);
    expect(encodeCompact(decodeCompact(0x207f_ffff))).toBe(0x207f_ffff);
    expect(decodeCompact(devnet.genesisBits)).toBe(0x05_97a7n << 216n);
    expect(encodeCompact(decodeCompact(devnet.genesisBits))).toBe(devnet.genesisBits);
    for (const n of Object.values(networks)) expect(encodeCompact(decodeCompact(n.genesisBits))).toBe(n.genesisBits);
  });

  it('matches Bitcoin values', () => {
    expect(decodeCompact(0x1d00_ffff)).toBe(0xffffn << 208n);
    expect(decodeCompact(0x0312_3456)).toBe(0x12_3456n);
    expect(decodeCompact(0x0412_3456)).toBe(0x1234_5600n);
    expect(decodeCompact(0x0200_8000)).toBe(0x80n);
    expect(encodeCompact(0x80n)).toBe(0x0200_8000);
    expect(encodeCompact(0x12n)).toBe(0x0112_0000);
    expect(encodeCompact((1n << 255n) - 1n)).toBe(0x207f_ffff);
    expect(encodeCompact(0xffff_ffffn)).toBe(0x0500_ffff); // truncates to its top 3 significant bytes
  });

  it('rejects a negative target (sign bit 0x00800000)', () => {
    for (const bits of [0x0080_0000, 0x0480_0000, 0x20ff_ffff, 0x03ff_ff00])
      expectCode(() => decodeCompact(bits), 'POW_BAD_BITS');
  });

  it('rejects a zero target', () => {
    for (const bits of [0x0000_0000, 0x0300_0000, 0x2000_0000, 0x0100_3456])
      expectCode(() => decodeCompact(bits), 'POW_BAD_BITS');
  });

  it('rejects targets that overflow 256 bits', () => {
    expect(decodeCompact(0x2100_ffff)).toBe(0xffffn << 240n); // the largest exponent that still fits
    expectCode(() => decodeCompact(0x2300_0001), 'POW_BAD_BITS'); // 1 << 256
    expectCode(() => decodeCompact(0x217f_ffff), 'POW_BAD_BITS');
    expectCode(() => decodeCompact(0xff00_0001), 'POW_BAD_BITS');
  });

  it('rejects non-canonical encodings of valid targets', () => {
    // 0x123400 is canonically 0x03123400; 0x04001234 says the same with a leading zero byte.
    expect(encodeCompact(0x12_3400n)).toBe(0x0312_3400);
    expect(decodeCompact(0x0312_3400)).toBe(0x12_3400n);
    expectCode(() => decodeCompact(0x0400_1234), 'POW_BAD_BITS');
    // 0xffff00 needs a zero pad byte because of the sign bit: 0x0400ffff is canonical, 0x03ffff00 is not.
    expect(encodeCompact(0xff_ff00n)).toBe(0x0400_ffff);
    expect(decodeCompact(0x0400_ffff)).toBe(0xff_ff00n);
    // 2^248 is canonically 0x20010000.
    expect(encodeCompact(1n << 248n)).toBe(0x2001_0000);
    expectCode(() => decodeCompact(0x2200_0001), 'POW_BAD_BITS');
    // Mantissa bytes shifted out by a small exponent.
    expectCode(() => decodeCompact(0x0112_3456), 'POW_BAD_BITS');
    expectCode(() => decodeCompact(0x0212_3456), 'POW_BAD_BITS');
  });

  it('encodeCompact refuses non-positive targets', () => {
    expectCode(() => encodeCompact(0n), 'POW_BAD_BITS');
    expectCode(() => encodeCompact(-1n), 'POW_BAD_BITS');
  });
});

describe('work and target checks', () => {
  it('workForTarget = floor(2^256 / (target + 1))', () => {
    expect(workForTarget((1n << 255n) - 1n)).toBe(2n);
    expect(workForTarget((1n << 256n) - 1n)).toBe(1n);
    expect(workForTarget(0xffffn)).toBe(1n << 240n);
    expect(workForTarget(1n)).toBe(1n << 255n);
    expect(workForTarget(2n)).toBe((1n << 256n) / 3n);
    const t = decodeCompact(regtest.genesisBits);
    expect(workForTarget(t)).toBe((1n << 256n) / (t + 1n));
    expect(workForTarget(t)).toBe(2n);
  });

  it('hashMeetsTarget: hash == target passes, hash == target + 1 fails', () => {
    const target = decodeCompact(devnet.genesisBits);
    const at = bigIntToBytes(target, 32);
    expect(hashMeetsTarget(at, target)).toBe(true);
    expect(hashMeetsTarget(at, target - 1n)).toBe(false);
    expect(hashMeetsTarget(bigIntToBytes(target + 1n, 32), target)).toBe(false);
    expect(hashMeetsTarget(bigIntToBytes(target - 1n, 32), target)).toBe(true);
    expect(hashMeetsTarget(ZERO_HASH, 1n)).toBe(true);
    expect(hashMeetsTarget(new Uint8Array(32).fill(0xff), (1n << 256n) - 2n)).toBe(false);
  });
});

// ---------------------------------------------------------------- genesis

describe('genesis', () => {
  const expected: Record<string, string> = {
    devnet: '0x0000009f9b23b2a0577fc63a31f9d4c4b761fe19f88ebd12dcb2ce8bce6b9918',
    regtest: '0x5b0ae91d3e6cbd06160e3ef00b21cb9ce03329e40c05ce4a3a3040efdc3a2697',
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

// ---------------------------------------------------------------- addresses

describe('addresses', () => {
  const regAddr = addressOf(alice.publicKey, regtest);
  const devAddr = addressOf(alice.publicKey, devnet);

  it('use the network prefix and round-trip to the 20-byte hash', () => {
    expect(regAddr.startsWith('ourreg1')).toBe(true);
    expect(devAddr.startsWith('ourdev1')).toBe(true);
    expect(hex(decodeAddress(regAddr, regtest))).toBe(hex(alice.address));
    expect(hex(decodeAddress(devAddr, devnet))).toBe(hex(alice.address));
    expect(hex(alice.address)).toBe(hex(sha256(alice.publicKey).subarray(0, 20)));
    expect(encodeAddress(alice.address, regtest)).toBe(regAddr);
    // bech32m: version 0 then the hash in 5-bit words.
    const { prefix, words } = bech32m.decode(regAddr as `${string}1${string}`);
    expect(prefix).toBe('ourreg');
    expect(words[0]).toBe(0);
    expect(hex(bech32m.fromWords(words.slice(1)))).toBe(hex(alice.address));
    // All-uppercase is the same address in bech32.
    expect(hex(decodeAddress(regAddr.toUpperCase(), regtest))).toBe(hex(alice.address));
  });

  it('any single changed data character fails the checksum', () => {
    const alphabet = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
    for (let i = 'ourreg1'.length; i < regAddr.length; i++) {
      const ch = regAddr[i]!;
      const other = alphabet[(alphabet.indexOf(ch) + 1) % alphabet.length]!;
      const typo = regAddr.slice(0, i) + other + regAddr.slice(i + 1);
      expectCode(() => decodeAddress(typo, regtest), 'ADDRESS_BAD_CHECKSUM');
    }
  });

  it('a devnet address decoded as regtest is ADDRESS_WRONG_NETWORK', () => {
    expectCode(() => decodeAddress(devAddr, regtest), 'ADDRESS_WRONG_NETWORK');
    expectCode(() => decodeAddress(regAddr, devnet), 'ADDRESS_WRONG_NETWORK');
    expectCode(
      () => decodeAddress(bech32m.encode('bc', [0, ...bech32m.toWords(alice.address)]), regtest),
      'ADDRESS_WRONG_NETWORK',
    );
  });

  it('rejects non-strings, empty and garbage strings with ADDRESS_BAD_FORMAT', () => {
    for (const bad of [undefined, null, 5, {}, [], alice.address])
      expectCode(() => decodeAddress(bad, regtest), 'ADDRESS_BAD_FORMAT');
    for (const bad of ['', 'garbage', 'ourreg1', 'ourreg1qqqq', regAddr.slice(0, 12) + 'b' + regAddr.slice(13)]) {
      expectCode(() => decodeAddress(bad, regtest), 'ADDRESS_BAD_FORMAT');
    }
    // Mixed case is not bech32.
    expectCode(() => decodeAddress('OURREG1' + regAddr.slice(7), regtest), 'ADDRESS_BAD_FORMAT');
  });

  it('rejects a bech32 (not bech32m) string with ADDRESS_BAD_CHECKSUM', () => {
    const legacy = bech32.encode('ourreg', [0, ...bech32.toWords(alice.address)]);
    expect(legacy.startsWith('ourreg1')).toBe(true);
    expect(legacy).not.toBe(regAddr);
    expectCode(() => decodeAddress(legacy, regtest), 'ADDRESS_BAD_CHECKSUM');
  });

  it('rejects an unknown version or a wrong hash length with ADDRESS_BAD_FORMAT', () => {
    expectCode(
      () => decodeAddress(bech32m.encode('ourreg', [1, ...bech32m.toWords(alice.address)]), regtest),
      'ADDRESS_BAD_FORMAT',
    );
    expectCode(
      () => decodeAddress(bech32m.encode('ourreg', [0, ...bech32m.toWords(new Uint8Array(32))]), regtest),
      'ADDRESS_BAD_FORMAT',
    );
    expectCode(
      () => decodeAddress(bech32m.encode('ourreg', [0, ...bech32m.toWords(new Uint8Array(19))]), regtest),
      'ADDRESS_BAD_FORMAT',
    );
  });
});

// ---------------------------------------------------------------- amounts

describe('amounts', () => {
  it('parseBaseUnits accepts canonical decimal strings up to MAX_MONEY', () => {
    expect(parseBaseUnits('0', 'a')).toBe(0n);
    expect(parseBaseUnits('150000000', 'a')).toBe(150_000_000n);
    expect(parseBaseUnits(MAX_MONEY.toString(), 'a')).toBe(MAX_MONEY);
    expect(MAX_MONEY).toBe(2_100_000_000_000_000n);
  });

  it('parseBaseUnits rejects malformed input with AMOUNT_INVALID', () => {
    for (const bad of ['-1', '01', '00', '1.5', '', ' 1', '1 ', '+1', '1e3', '0x10', 'abc']) {
      expectCode(() => parseBaseUnits(bad, 'a'), 'AMOUNT_INVALID');
    }
    for (const bad of [5, 5n, null, undefined, {}]) expectCode(() => parseBaseUnits(bad, 'a'), 'AMOUNT_INVALID');
  });

  it('parseBaseUnits rejects amounts above MAX_MONEY with AMOUNT_OUT_OF_RANGE', () => {
    expectCode(() => parseBaseUnits((MAX_MONEY + 1n).toString(), 'a'), 'AMOUNT_OUT_OF_RANGE');
    expectCode(() => parseBaseUnits('999999999999999999', 'a'), 'AMOUNT_OUT_OF_RANGE');
  });

  it('parseCoins parses OUR exactly', () => {
    expect(parseCoins('1.5')).toBe(150_000_000n);
    expect(parseCoins('0.00000001')).toBe(1n);
    expect(parseCoins('21000000')).toBe(MAX_MONEY);
    expect(parseCoins('21000000.00000000')).toBe(MAX_MONEY);
    expect(parseCoins('0')).toBe(0n);
    expect(parseCoins('1')).toBe(COIN);
    expect(parseCoins('0.1')).toBe(10_000_000n);
    expect(parseCoins('12345.6789')).toBe(1_234_567_890_000n);
  });

  it('parseCoins rejects bad input with a precise code', () => {
    expectCode(() => parseCoins('0.000000001'), 'AMOUNT_TOO_PRECISE');
    for (const bad of ['abc', '1,5', '-1', '', '.5', '1.', '1e3', '1.2.3'])
      expectCode(() => parseCoins(bad), 'AMOUNT_INVALID');
    expectCode(() => parseCoins('21000000.00000001'), 'AMOUNT_OUT_OF_RANGE');
    expectCode(() => parseCoins('99999999999'), 'AMOUNT_OUT_OF_RANGE');
  });

  it('formatCoins round-trips with parseCoins', () => {
    expect(formatCoins(150_000_000n)).toBe('1.5');
    expect(formatCoins(1n)).toBe('0.00000001');
    expect(formatCoins(0n)).toBe('0');
    expect(formatCoins(COIN)).toBe('1');
    expect(formatCoins(MAX_MONEY)).toBe('21000000');
    expect(formatCoins(-150_000_000n)).toBe('-1.5');
    for (const n of [0n, 1n, 10n, 99_999_999n, COIN, 150_000_000n, 1_234_567_890_123n, MAX_MONEY - 1n, MAX_MONEY]) {
      expect(parseCoins(formatCoins(n))).toBe(n);
    }
  });
});

// ---------------------------------------------------------------- JSON

describe('transfer JSON', () => {
  const stx = transfer(alice, bob.address, 12n * COIN + 345n, 9, 2500n);
  const json = transferToJson(stx.tx, regtest, stx.signature);

  it('transferToJson uses decimal strings, bech32m and 0x-hex', () => {
    expect(json).toEqual({
      type: 'transfer',
      txid: hex(transferTxid(stx.tx)),
      chainId: regtest.chainId,
      senderPublicKey: hex(alice.publicKey),
      sender: addressOf(alice.publicKey, regtest),
      recipient: addressOf(bob.publicKey, regtest),
      amount: '1200000345',
      fee: '2500',
      nonce: 9,
      signature: hex(stx.signature),
    });
    expect(transferToJson(stx.tx, regtest)).not.toHaveProperty('signature');
  });

  it('signedTransferFromJson(transferToJson(x)) round-trips through JSON text', () => {
    const wire = JSON.parse(JSON.stringify(json)) as unknown;
    expect(signedTransferFromJson(wire, regtest)).toEqual(stx);
    // Read-only fields are ignored.
    const minimal: Partial<TransferJson> = { ...json };
    delete minimal.txid;
    delete minimal.sender;
    delete minimal.type;
    expect(signedTransferFromJson(minimal, regtest)).toEqual(stx);
  });

  const cases: readonly [string, (j: Record<string, unknown>) => void, string][] = [
    ['chainId as string', (j) => (j.chainId = String(regtest.chainId)), 'TX_JSON_INVALID'],
    ['chainId negative', (j) => (j.chainId = -1), 'TX_JSON_INVALID'],
    ['chainId above u32', (j) => (j.chainId = 2 ** 32), 'TX_JSON_INVALID'],
    ['chainId fractional', (j) => (j.chainId = 1.5), 'TX_JSON_INVALID'],
    ['chainId missing', (j) => delete j.chainId, 'TX_JSON_INVALID'],
    ['nonce as string', (j) => (j.nonce = '9'), 'TX_JSON_INVALID'],
    ['nonce negative', (j) => (j.nonce = -1), 'TX_JSON_INVALID'],
    ['nonce fractional', (j) => (j.nonce = 1.5), 'TX_JSON_INVALID'],
    ['nonce above 2^53-1', (j) => (j.nonce = 2 ** 53), 'TX_JSON_INVALID'],
    ['nonce missing', (j) => delete j.nonce, 'TX_JSON_INVALID'],
    ['senderPublicKey as number', (j) => (j.senderPublicKey = 5), 'ENCODING_BAD_HEX'],
    [
      'senderPublicKey without 0x',
      (j) => (j.senderPublicKey = (j.senderPublicKey as string).slice(2)),
      'ENCODING_BAD_HEX',
    ],
    ['senderPublicKey 47 bytes', (j) => (j.senderPublicKey = '0x' + '11'.repeat(47)), 'ENCODING_BAD_LENGTH'],
    ['senderPublicKey missing', (j) => delete j.senderPublicKey, 'ENCODING_BAD_HEX'],
    ['signature missing', (j) => delete j.signature, 'ENCODING_BAD_HEX'],
    ['signature odd length', (j) => (j.signature = (j.signature as string).slice(0, -1)), 'ENCODING_BAD_HEX'],
    ['signature 95 bytes', (j) => (j.signature = (j.signature as string).slice(0, -2)), 'ENCODING_BAD_LENGTH'],
    ['recipient as number', (j) => (j.recipient = 1), 'ADDRESS_BAD_FORMAT'],
    ['recipient empty', (j) => (j.recipient = ''), 'ADDRESS_BAD_FORMAT'],
    ['recipient on devnet', (j) => (j.recipient = addressOf(bob.publicKey, devnet)), 'ADDRESS_WRONG_NETWORK'],
    [
      'recipient with a typo',
      (j) => (j.recipient = (j.recipient as string).slice(0, -1) + ((j.recipient as string).endsWith('q') ? 'p' : 'q')),
      'ADDRESS_BAD_CHECKSUM',
    ],
    ['amount as number', (j) => (j.amount = 5), 'AMOUNT_INVALID'],
    ['amount in coins', (j) => (j.amount = '1.5'), 'AMOUNT_INVALID'],
    ['amount above MAX_MONEY', (j) => (j.amount = (MAX_MONEY + 1n).toString()), 'AMOUNT_OUT_OF_RANGE'],
    ['fee negative', (j) => (j.fee = '-1'), 'AMOUNT_INVALID'],
    ['fee missing', (j) => delete j.fee, 'AMOUNT_INVALID'],
  ];

  it.each(cases)('signedTransferFromJson rejects %s', (_name, mutate, code) => {
    const j = { ...json } as Record<string, unknown>;
    mutate(j);
    expectCode(() => signedTransferFromJson(j, regtest), code);
  });

  it('signedTransferFromJson rejects a non-object with TX_JSON_INVALID', () => {
    for (const bad of [null, undefined, 'tx', 5, true])
      expectCode(() => signedTransferFromJson(bad, regtest), 'TX_JSON_INVALID');
    expectCode(() => signedTransferFromJson([], regtest), 'TX_JSON_INVALID');
  });
});
