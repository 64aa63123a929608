/**
 * The node:crypto SHA-256 the node installs (src/crypto/nativeSha256.ts) agrees with noble's.
 */
import { describe, expect, it } from 'vitest';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concatBytes as concat } from '@noble/hashes/utils.js';
import { useNativeSha256 } from '../../../src/crypto/nativeSha256.js';
import { sha256 } from '../../../src/protocol/hash.js';
import { useSha256 } from '../../../src/crypto/sha256.js';
import { hex } from '../../helpers/encoding.js';

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
