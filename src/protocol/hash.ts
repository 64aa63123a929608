/**
 * Hash functions of the protocol, all SHA-256 (FIPS 180-4; the implementation is chosen in
 * crypto/sha256.ts).
 *
 * - `sha256`: txids, address hashes, the aggregate-signature commitment, and the block hash
 *   (of the 64-byte proof-of-work message, pow.ts).
 * - Merkle tree over txids with RFC 6962 domain separation: leaf = sha256(0x00 || txid),
 *   node = sha256(0x01 || left || right), an odd node is carried up unchanged (never
 *   duplicated, which avoids Bitcoin's CVE-2012-2459 mutation).
 */
import { concatBytes } from '@noble/hashes/utils.js';
import { HASH_LENGTH, sha256 } from '../crypto/sha256.js';

export { HASH_LENGTH, sha256 };
export const ZERO_HASH = new Uint8Array(HASH_LENGTH);

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** RFC 6962 leaf hash: sha256(0x00 || txid). */
export function merkleLeaf(txid: Uint8Array): Uint8Array {
  return sha256(concatBytes(Uint8Array.of(LEAF_PREFIX), txid));
}

/** RFC 6962 inner node: sha256(0x01 || left || right). */
export function merkleNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes(Uint8Array.of(NODE_PREFIX), left, right));
}

/** The level above `level`: pairs hashed, an odd last node carried up unchanged. */
export function merkleLevelAbove(level: readonly Uint8Array[]): Uint8Array[] {
  const next: Uint8Array[] = [];
  for (let i = 0; i < level.length; i += 2) {
    const left = level[i]!;
    const right = level[i + 1];
    next.push(right === undefined ? left : merkleNode(left, right));
  }
  return next;
}

/** Merkle root of a non-empty list of txids (the coinbase's txid is always first in a block). */
export function merkleRoot(txids: readonly Uint8Array[]): Uint8Array {
  if (txids.length === 0) throw new Error('merkleRoot of an empty list');
  let level = txids.map(merkleLeaf);
  while (level.length > 1) level = merkleLevelAbove(level);
  return level[0]!;
}
