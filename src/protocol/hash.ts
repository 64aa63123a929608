/**
 * Hash functions of the protocol, all SHA-256 (FIPS 180-4) via @noble/hashes.
 *
 * - `sha256`: txids, address hashes, the aggregate-signature commitment.
 * - `sha256d` (SHA-256 applied twice): block hashes and proof of work, as in Bitcoin.
 * - Merkle tree over txids with RFC 6962 domain separation: leaf = sha256(0x00 || txid),
 *   node = sha256(0x01 || left || right), an odd node is carried up unchanged (never
 *   duplicated, which avoids Bitcoin's CVE-2012-2459 mutation).
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';

export const HASH_LENGTH = 32;
export const ZERO_HASH = new Uint8Array(HASH_LENGTH);

export type Sha256 = (data: Uint8Array) => Uint8Array;

let sha256Impl: Sha256 = nobleSha256;

/**
 * Swaps in another implementation of the same function, checked against noble on a test
 * vector first: a node process installs node:crypto's (src/crypto/nativeSha256.ts), about
 * twice as fast on the short inputs hashed per transfer; browsers keep noble.
 */
export function useSha256(impl: Sha256): void {
  const probe = Uint8Array.from({ length: 97 }, (_, i) => i);
  const got = impl(probe);
  const want = nobleSha256(probe);
  if (got.length !== HASH_LENGTH || got.some((b, i) => b !== want[i]))
    throw new Error('useSha256: the implementation does not compute SHA-256');
  sha256Impl = impl;
}

export function sha256(data: Uint8Array): Uint8Array {
  return sha256Impl(data);
}

export function sha256d(data: Uint8Array): Uint8Array {
  return sha256Impl(sha256Impl(data));
}

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** Merkle root of a non-empty list of txids (the coinbase's txid is always first in a block). */
export function merkleRoot(txids: readonly Uint8Array[]): Uint8Array {
  if (txids.length === 0) throw new Error('merkleRoot of an empty list');
  let level = txids.map((id) => sha256(concatBytes(Uint8Array.of(LEAF_PREFIX), id)));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1];
      next.push(right === undefined ? left : sha256(concatBytes(Uint8Array.of(NODE_PREFIX), left, right)));
    }
    level = next;
  }
  return level[0]!;
}
