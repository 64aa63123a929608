/**
 * Compact bits, work and target checks (src/protocol/pow.ts).
 */
import { describe, expect, it } from 'vitest';
import { bigIntToBytes } from '../../../src/protocol/bytes.js';
import { ZERO_HASH } from '../../../src/protocol/hash.js';
import { devnet, networks, regtest } from '../../../src/protocol/networks.js';
import { decodeCompact, encodeCompact, hashMeetsTarget, workForTarget } from '../../../src/protocol/pow.js';
import { expectCode } from '../../helpers/encoding.js';

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
