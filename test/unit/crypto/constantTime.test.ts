/** The one byte-string comparison every module uses (re-exported by protocol/bytes.ts). */
import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../../src/crypto/constantTime.js';
import { bytesEqual as protocolBytesEqual } from '../../../src/protocol/bytes.js';

describe('bytesEqual', () => {
  const a = Uint8Array.from({ length: 32 }, (_, i) => i);

  it('is true for the same bytes in different arrays, and for two empty arrays', () => {
    expect(bytesEqual(a, a.slice())).toBe(true);
    expect(bytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it.each([0, 15, 31])('is false when only byte %d differs', (i) => {
    const b = a.slice();
    b[i]! ^= 0x80;
    expect(bytesEqual(a, b)).toBe(false);
  });

  it('is false for a prefix, either way round', () => {
    expect(bytesEqual(a, a.subarray(0, 31))).toBe(false);
    expect(bytesEqual(a.subarray(0, 31), a)).toBe(false);
  });

  it('is the function protocol/bytes.ts exports, not a second copy', () => {
    expect(protocolBytesEqual).toBe(bytesEqual);
  });
});
