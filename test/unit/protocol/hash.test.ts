/**
 * Merkle roots (src/protocol/hash.ts).
 */
import { describe, expect, it } from 'vitest';
import { concatBytes as concat } from '@noble/hashes/utils.js';
import { merkleRoot, sha256 } from '../../../src/protocol/hash.js';
import { ascii, hex } from '../../helpers/encoding.js';

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
