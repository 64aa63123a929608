/**
 * ByteWriter / ByteReader, hex and big-integer conversions (src/protocol/bytes.ts).
 */
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, bigIntToBytes, bytesToBigInt, fromHex, toHex } from '../../../src/protocol/bytes.js';
import { expectCode, hex } from '../../helpers/encoding.js';

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
