/**
 * Wire messages (src/network/messages.ts): round trips, limits, and garbage that never
 * throws anything but an OurCoinError.
 */
import { describe, expect, it } from 'vitest';
import { prng as rng } from '../../helpers/replay.js';
import { SIGNATURE_LENGTH } from '../../../src/crypto/interface.js';
import { HEADER_LENGTH, blockHash } from '../../../src/protocol/block.js';
import type { BlockHeader } from '../../../src/protocol/block.js';
import { ByteWriter, EncodingErrorCode, bigIntToBytes, toHex } from '../../../src/protocol/bytes.js';
import { OurCoinError } from '../../../src/errors.js';
import { regtest } from '../../../src/protocol/networks.js';
import { COINBASE_LENGTH, TRANSFER_LENGTH } from '../../../src/protocol/transaction.js';
import {
  MAX_BLOCKS_PER_REQUEST,
  MAX_HEADERS,
  MAX_LOCATOR,
  MAX_TXIDS,
  STATUS_VERSION,
  decodeBlocksRequest,
  decodeCompactBlock,
  decodeHeaders,
  decodeHeadersRequest,
  decodeSignedTransfers,
  decodeStatus,
  decodeTxsRequest,
  encodeBlocksRequest,
  encodeCompactBlock,
  encodeHeaders,
  encodeHeadersRequest,
  encodeSignedTransfers,
  encodeStatus,
  encodeTxsRequest,
} from '../../../src/network/messages.js';
import type { PeerStatus } from '../../../src/network/messages.js';
import { toCompactBlock } from '../../../src/network/compactBlock.js';
import { block, genesis, hash, signed } from '../../helpers/messages.js';

/** Throws unless `fn` fails with an OurCoinError of `code`. */
function expectCode(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(OurCoinError);
  expect((caught as OurCoinError).code).toBe(code);
}

const hashes = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => hash(i));

/** count u32 | count x 32-byte hash, written by hand so the encoders' own checks do not matter. */
const hashList = (count: number, present = count): Uint8Array => {
  const w = new ByteWriter().u32(count);
  for (const h of hashes(present)) w.bytes(h);
  return w.finish();
};
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const u32 = (n: number): Uint8Array => new ByteWriter(4).u32(n).finish();

const status: PeerStatus = {
  version: STATUS_VERSION,
  networkName: 'regtest',
  chainId: regtest.chainId,
  genesisHash: blockHash(genesis.header),
  tipHash: blockHash(block.header),
  height: 1,
  cumulativeWork: 2n ** 256n - 1n,
};

/** status with the name length byte and name bytes given raw. */
function rawStatus(nameLen: number, name: Uint8Array): Uint8Array {
  const w = new ByteWriter()
    .u32(STATUS_VERSION)
    .u32(regtest.chainId)
    .bytes(status.genesisHash)
    .bytes(status.tipHash)
    .u32(7)
    .bytes(bigIntToBytes(5n, 32))
    .u8(nameLen)
    .bytes(name);
  return w.finish();
}

describe('status', () => {
  it('round-trips, with the largest cumulative work and the longest height', () => {
    expect(decodeStatus(encodeStatus(status))).toEqual(status);
    const other = { ...status, networkName: 'my-test-net-2', cumulativeWork: 0n, height: 0xffff_ffff };
    expect(decodeStatus(encodeStatus(other))).toEqual(other);
  });

  it('is 109 bytes plus the name', () => {
    expect(encodeStatus(status).length).toBe(4 + 4 + 32 + 32 + 4 + 32 + 1 + 'regtest'.length);
  });

  it('accepts names of 1 and 32 bytes, refuses 0 and 33', () => {
    expect(decodeStatus(encodeStatus({ ...status, networkName: 'x' })).networkName).toBe('x');
    expect(decodeStatus(encodeStatus({ ...status, networkName: 'n'.repeat(32) })).networkName).toBe('n'.repeat(32));
    expectCode(() => decodeStatus(encodeStatus({ ...status, networkName: '' })), EncodingErrorCode.outOfRange);
    expectCode(
      () => decodeStatus(encodeStatus({ ...status, networkName: 'n'.repeat(33) })),
      EncodingErrorCode.outOfRange,
    );
    expectCode(() => decodeStatus(rawStatus(255, new Uint8Array(255).fill(0x61))), EncodingErrorCode.outOfRange);
  });

  it('refuses a network name that is not lowercase ASCII letters, digits and dashes', () => {
    const bad = [
      [0xff],
      [0xc3],
      [0x80],
      [0xed, 0xa0, 0x80],
      [0xc0, 0xaf],
      [0x41] /* 'A' */,
      [0x20] /* space */,
      [0x2f] /* '/' */,
    ];
    for (const bytes of bad)
      expectCode(() => decodeStatus(rawStatus(bytes.length, new Uint8Array(bytes))), EncodingErrorCode.outOfRange);
  });

  it('refuses truncation and trailing bytes', () => {
    const bytes = encodeStatus(status);
    expectCode(() => decodeStatus(bytes.subarray(0, bytes.length - 1)), EncodingErrorCode.truncated);
    expectCode(() => decodeStatus(bytes.subarray(0, 108)), EncodingErrorCode.truncated);
    expectCode(() => decodeStatus(concat(bytes, new Uint8Array(1))), EncodingErrorCode.trailingBytes);
  });
});

describe('headers request', () => {
  it('round-trips with 1 and 64 locator hashes and maxHeaders 1 and 2000', () => {
    for (const [n, max] of [
      [1, 1],
      [MAX_LOCATOR, MAX_HEADERS],
    ] as const) {
      const bytes = encodeHeadersRequest(hashes(n), max);
      expect(bytes.length).toBe(1 + 32 * n + 4);
      expect(decodeHeadersRequest(bytes)).toEqual({ locator: hashes(n), maxHeaders: max });
    }
  });

  it('refuses 0 or 65 locator hashes, maxHeaders 0 or 2001', () => {
    expectCode(() => decodeHeadersRequest(encodeHeadersRequest([], 10)), EncodingErrorCode.outOfRange);
    expectCode(() => decodeHeadersRequest(encodeHeadersRequest(hashes(65), 10)), EncodingErrorCode.outOfRange);
    expectCode(() => decodeHeadersRequest(encodeHeadersRequest(hashes(3), 0)), EncodingErrorCode.outOfRange);
    expectCode(() => decodeHeadersRequest(encodeHeadersRequest(hashes(3), 2001)), EncodingErrorCode.outOfRange);
    expectCode(() => decodeHeadersRequest(encodeHeadersRequest(hashes(3), 0xffff_ffff)), EncodingErrorCode.outOfRange);
  });

  it('refuses truncation and trailing bytes', () => {
    const bytes = encodeHeadersRequest(hashes(2), 5);
    expectCode(() => decodeHeadersRequest(bytes.subarray(0, bytes.length - 1)), EncodingErrorCode.truncated);
    expectCode(() => decodeHeadersRequest(concat(bytes, new Uint8Array(1))), EncodingErrorCode.trailingBytes);
    expectCode(() => decodeHeadersRequest(new Uint8Array(0)), EncodingErrorCode.truncated);
  });
});

describe('headers', () => {
  const headers: BlockHeader[] = [genesis.header, block.header];

  it('round-trips 0, 2 and 2000 headers', () => {
    expect(decodeHeaders(encodeHeaders([]))).toEqual([]);
    expect(encodeHeaders([]).length).toBe(4);
    expect(decodeHeaders(encodeHeaders(headers))).toEqual(headers);
    const many = Array.from({ length: MAX_HEADERS }, (_, i) => ({ ...block.header, nonce: BigInt(i) }));
    const bytes = encodeHeaders(many);
    expect(bytes.length).toBe(4 + HEADER_LENGTH * MAX_HEADERS);
    expect(decodeHeaders(bytes)).toEqual(many);
  });

  it('refuses a count that does not match the bytes, and more than 2000', () => {
    const two = encodeHeaders(headers);
    expectCode(() => decodeHeaders(concat(u32(3), two.subarray(4))), EncodingErrorCode.badLength);
    expectCode(() => decodeHeaders(concat(u32(1), two.subarray(4))), EncodingErrorCode.badLength);
    expectCode(() => decodeHeaders(two.subarray(0, two.length - 1)), EncodingErrorCode.badLength);
    expectCode(() => decodeHeaders(concat(two, new Uint8Array(1))), EncodingErrorCode.badLength);
    expectCode(
      () => decodeHeaders(concat(u32(MAX_HEADERS + 1), new Uint8Array(HEADER_LENGTH * (MAX_HEADERS + 1)))),
      EncodingErrorCode.outOfRange,
    );
    expectCode(() => decodeHeaders(new Uint8Array(3)), EncodingErrorCode.truncated);
  });
});

describe('blocks and transactions requests', () => {
  it('blocks request: round-trips 1 and 128 hashes, refuses 0 and 129', () => {
    expect(decodeBlocksRequest(encodeBlocksRequest(hashes(1)))).toEqual(hashes(1));
    expect(decodeBlocksRequest(encodeBlocksRequest(hashes(MAX_BLOCKS_PER_REQUEST)))).toEqual(
      hashes(MAX_BLOCKS_PER_REQUEST),
    );
    expect(encodeBlocksRequest(hashes(5)).length).toBe(4 + 5 * 32);
    expectCode(() => decodeBlocksRequest(encodeBlocksRequest([])), EncodingErrorCode.outOfRange);
    expectCode(
      () => decodeBlocksRequest(encodeBlocksRequest(hashes(MAX_BLOCKS_PER_REQUEST + 1))),
      EncodingErrorCode.outOfRange,
    );
  });

  it('transactions request: round-trips 1 and 10,400 txids, refuses 0 and 10,401', () => {
    expect(MAX_TXIDS).toBe(10_400);
    expect(decodeTxsRequest(encodeTxsRequest(hashes(1)))).toEqual(hashes(1));
    expect(decodeTxsRequest(encodeTxsRequest(hashes(MAX_TXIDS)))).toEqual(hashes(MAX_TXIDS));
    expectCode(() => decodeTxsRequest(encodeTxsRequest([])), EncodingErrorCode.outOfRange);
    expectCode(() => decodeTxsRequest(hashList(MAX_TXIDS + 1)), EncodingErrorCode.outOfRange);
  });

  it('both refuse a count that does not match the bytes, and trailing bytes', () => {
    for (const decode of [decodeBlocksRequest, decodeTxsRequest]) {
      expectCode(() => decode(hashList(3, 2)), EncodingErrorCode.truncated);
      expectCode(() => decode(hashList(2, 3)), EncodingErrorCode.trailingBytes);
      expectCode(() => decode(concat(hashList(2), new Uint8Array(31))), EncodingErrorCode.trailingBytes);
      expectCode(() => decode(hashList(2).subarray(0, 4 + 32 + 31)), EncodingErrorCode.truncated);
      expectCode(() => decode(new Uint8Array(0)), EncodingErrorCode.truncated);
    }
  });
});

describe('signed transfers (transactions response)', () => {
  it('round-trips an empty list and a list of three, 4 + 193 bytes each', () => {
    expect(decodeSignedTransfers(encodeSignedTransfers([]))).toEqual([]);
    const bytes = encodeSignedTransfers(signed);
    expect(bytes.length).toBe(4 + 3 * (TRANSFER_LENGTH + SIGNATURE_LENGTH));
    expect(decodeSignedTransfers(bytes)).toEqual(signed);
  });

  it('refuses a count that does not match, trailing bytes, a bad type byte and too many', () => {
    const bytes = encodeSignedTransfers(signed);
    expectCode(() => decodeSignedTransfers(concat(u32(4), bytes.subarray(4))), EncodingErrorCode.truncated);
    expectCode(() => decodeSignedTransfers(concat(u32(2), bytes.subarray(4))), EncodingErrorCode.trailingBytes);
    expectCode(() => decodeSignedTransfers(bytes.subarray(0, bytes.length - 1)), EncodingErrorCode.truncated);
    const coinbaseType = bytes.slice();
    coinbaseType[4] = 0x00;
    expectCode(() => decodeSignedTransfers(coinbaseType), EncodingErrorCode.badType);
    expectCode(
      () => decodeSignedTransfers(concat(u32(MAX_TXIDS + 1), bytes.subarray(4))),
      EncodingErrorCode.outOfRange,
    );
  });
});

describe('compact block', () => {
  const cb = toCompactBlock(block);
  const bytes = encodeCompactBlock(cb);

  it('round-trips, with and without transfers', () => {
    expect(decodeCompactBlock(bytes)).toEqual(cb);
    const empty = toCompactBlock(genesis);
    expect(empty.txids).toEqual([]);
    expect(decodeCompactBlock(encodeCompactBlock(empty))).toEqual(empty);
    expect(encodeCompactBlock(empty).length).toBe(HEADER_LENGTH + COINBASE_LENGTH + 4 + SIGNATURE_LENGTH);
  });

  it('refuses a count that does not match the bytes, trailing bytes, a truncated signature', () => {
    const countAt = HEADER_LENGTH + COINBASE_LENGTH;
    const withCount = (n: number): Uint8Array =>
      concat(bytes.subarray(0, countAt), u32(n), bytes.subarray(countAt + 4));
    expectCode(() => decodeCompactBlock(withCount(4)), EncodingErrorCode.badLength);
    expectCode(() => decodeCompactBlock(withCount(2)), EncodingErrorCode.badLength);
    expectCode(() => decodeCompactBlock(withCount(0)), EncodingErrorCode.badLength);
    expectCode(() => decodeCompactBlock(withCount(MAX_TXIDS + 1)), EncodingErrorCode.outOfRange);
    expectCode(() => decodeCompactBlock(concat(bytes, new Uint8Array(1))), EncodingErrorCode.badLength);
    expectCode(() => decodeCompactBlock(bytes.subarray(0, bytes.length - 1)), EncodingErrorCode.badLength);
    expectCode(() => decodeCompactBlock(bytes.subarray(0, countAt + 2)), EncodingErrorCode.truncated);
  });

  it('refuses a transfer type byte where the coinbase must be', () => {
    const bad = bytes.slice();
    bad[HEADER_LENGTH] = 0x01;
    expectCode(() => decodeCompactBlock(bad), EncodingErrorCode.badType);
  });
});

describe('garbage never throws anything but an OurCoinError', () => {
  const decoders: [string, (b: Uint8Array) => unknown, Uint8Array][] = [
    ['status', decodeStatus, encodeStatus(status)],
    ['headers request', decodeHeadersRequest, encodeHeadersRequest(hashes(3), 100)],
    ['headers', decodeHeaders, encodeHeaders([genesis.header, block.header])],
    ['blocks request', decodeBlocksRequest, encodeBlocksRequest(hashes(3))],
    ['transactions request', decodeTxsRequest, encodeTxsRequest(hashes(3))],
    ['transactions', decodeSignedTransfers, encodeSignedTransfers(signed)],
    ['compact block', decodeCompactBlock, encodeCompactBlock(toCompactBlock(block))],
  ];

  /** Random bytes, random lengths (mostly short, some around the valid length), or a valid message damaged. */
  function garbage(next: () => number, valid: Uint8Array): Uint8Array {
    const int = (n: number): number => Math.floor(next() * n);
    const random = (len: number): Uint8Array => Uint8Array.from({ length: len }, () => int(256));
    switch (int(4)) {
      case 0:
        return random(int(600));
      case 1:
        return random(Math.max(0, valid.length + int(65) - 32));
      case 2: {
        // Truncated or extended.
        const cut = int(valid.length + 1);
        return next() < 0.5 ? valid.slice(0, cut) : concat(valid, random(1 + int(64)));
      }
      default: {
        // A few bytes overwritten: counts, lengths and type bytes get wild values.
        const out = valid.slice();
        for (let i = 1 + int(4); i > 0; i--) out[int(out.length)] = int(256);
        return out;
      }
    }
  }

  it('on 2,100 seeded cases across every decoder', () => {
    const next = rng(0x0c01);
    const failures: string[] = [];
    let accepted = 0;
    for (let i = 0; i < 2100; i++) {
      const [name, decode, valid] = decoders[i % decoders.length]!;
      const input = garbage(next, valid);
      try {
        decode(input);
        accepted++;
      } catch (err) {
        if (err instanceof OurCoinError && err.kind === 'encoding') continue;
        failures.push(`${name} ${toHex(input)}: ${String(err)}`);
      }
    }
    expect(failures).toEqual([]);
    // Some damaged messages still decode (a changed hash is still a hash); most do not.
    expect(accepted).toBeLessThan(2100 / 2);
  });
});
