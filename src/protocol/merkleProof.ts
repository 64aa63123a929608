/**
 * Merkle inclusion proofs over the transaction tree of docs/protocol.md 5.3 (RFC 6962 hashing,
 * an odd node carried up unchanged). A node builds one from a block's txids; a light client
 * checks it against the `txRoot` of a header it verified itself (docs/protocol.md 5.5):
 *
 *   proof = leafCount u32 | index u32 | siblings (32 bytes each, leaf level first)
 *
 * The number of siblings is not sent: it follows from (index, leafCount), since a node with
 * no right neighbour is carried up and has no sibling at that level. So a proof has exactly
 * one encoding, and one that claims another position or tree size than it was built for does
 * not reach the root. What a valid proof shows is the txid at that index of the tree; the leaf
 * count is only checked as far as it shapes the path (3 and 4 leaves give leaf 0 the same
 * path), which is all inclusion needs.
 */
import { OurCoinError } from '../errors.js';
import type { CodeOf } from '../errors.js';
import { ByteReader, ByteWriter, bytesEqual, checkLength } from './bytes.js';
import { HASH_LENGTH, merkleLeaf, merkleLevelAbove, merkleNode } from './hash.js';

export const MerkleProofErrorCode = {
  badShape: 'MERKLE_PROOF_BAD_SHAPE',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    merkleProof: CodeOf<typeof MerkleProofErrorCode>;
  }
}

export interface MerkleProof {
  /** Leaves in the tree: the block's transactions, coinbase included. */
  readonly leafCount: number;
  /** The leaf's position: 0 is the coinbase, 1.. the transfers in block order. */
  readonly index: number;
  /** The sibling hashes on the way up, leaf level first. */
  readonly siblings: readonly Uint8Array[];
}

/** Bytes before the siblings: leafCount and index. */
export const MERKLE_PROOF_FIXED_LENGTH = 8;

function badShape(message: string): OurCoinError {
  return new OurCoinError(MerkleProofErrorCode.badShape, `Merkle proof: ${message}`, 'encoding');
}

/** Siblings a proof for leaf `index` of a `leafCount`-leaf tree carries (throws unless index < leafCount). */
export function merkleSiblingCount(index: number, leafCount: number): number {
  if (!Number.isSafeInteger(leafCount) || leafCount < 1 || leafCount > 0xffff_ffff)
    throw badShape(`leaf count ${leafCount} is not in 1..2^32-1`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= leafCount)
    throw badShape(`index ${index} is not below the leaf count ${leafCount}`);
  let count = 0;
  for (let i = index, n = leafCount; n > 1; i = Math.floor(i / 2), n = Math.ceil(n / 2)) {
    if (i % 2 === 1 || i + 1 < n) count++;
  }
  return count;
}

/** The inclusion proof of `txids[index]` (node side: the block's txids, coinbase first). */
export function buildMerkleProof(txids: readonly Uint8Array[], index: number): MerkleProof {
  merkleSiblingCount(index, txids.length);
  const siblings: Uint8Array[] = [];
  let level = txids.map(merkleLeaf);
  for (let i = index; level.length > 1; i = Math.floor(i / 2)) {
    const sibling = i % 2 === 1 ? level[i - 1] : level[i + 1];
    if (sibling !== undefined) siblings.push(sibling);
    level = merkleLevelAbove(level);
  }
  return { leafCount: txids.length, index, siblings };
}

export function encodeMerkleProof(proof: MerkleProof): Uint8Array {
  const count = merkleSiblingCount(proof.index, proof.leafCount);
  if (proof.siblings.length !== count)
    throw badShape(`${proof.siblings.length} siblings, position ${proof.index} of ${proof.leafCount} has ${count}`);
  const w = new ByteWriter(MERKLE_PROOF_FIXED_LENGTH + count * HASH_LENGTH).u32(proof.leafCount).u32(proof.index);
  for (const s of proof.siblings) w.bytes(checkLength(s, HASH_LENGTH, 'sibling'));
  return w.finish();
}

/** Strict: the length must be exactly 8 + 32 x the siblings (index, leafCount) implies. */
export function decodeMerkleProof(bytes: Uint8Array): MerkleProof {
  const r = new ByteReader(bytes, 'Merkle proof');
  const leafCount = r.u32('leafCount');
  const index = r.u32('index');
  const count = merkleSiblingCount(index, leafCount);
  if (r.remaining !== count * HASH_LENGTH)
    throw badShape(`${r.remaining} bytes of siblings, position ${index} of ${leafCount} needs ${count * HASH_LENGTH}`);
  const siblings: Uint8Array[] = [];
  for (let i = 0; i < count; i++) siblings.push(r.bytesN(HASH_LENGTH, 'sibling'));
  r.finish();
  return { leafCount, index, siblings };
}

/** The root a proof leads to from `txid` (throws when its shape is inconsistent). */
export function merkleProofRoot(txid: Uint8Array, proof: MerkleProof): Uint8Array {
  const count = merkleSiblingCount(proof.index, proof.leafCount);
  if (proof.siblings.length !== count)
    throw badShape(`${proof.siblings.length} siblings, position ${proof.index} of ${proof.leafCount} has ${count}`);
  let node = merkleLeaf(checkLength(txid, HASH_LENGTH, 'txid'));
  let k = 0;
  for (let i = proof.index, n = proof.leafCount; n > 1; i = Math.floor(i / 2), n = Math.ceil(n / 2)) {
    if (i % 2 === 1) node = merkleNode(proof.siblings[k++]!, node);
    else if (i + 1 < n) node = merkleNode(node, proof.siblings[k++]!);
  }
  return node;
}

/** Whether `proof` shows `txid` under `txRoot` (light client side). False for a malformed proof too. */
export function verifyMerkleProof(txid: Uint8Array, proof: MerkleProof, txRoot: Uint8Array): boolean {
  try {
    return bytesEqual(merkleProofRoot(txid, proof), txRoot);
  } catch (err) {
    if (err instanceof OurCoinError) return false;
    throw err;
  }
}
