/**
 * Merkle inclusion proofs (docs/protocol.md 5.5): every leaf of every tree of 1..33 leaves
 * proves against merkleRoot, round-trips through its encoding, and fails when a sibling, the
 * index or the leaf is changed; malformed encodings name the problem; the worked vector of the
 * spec is rebuilt.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OurCoinError } from '../../../src/errors.js';
import { fromHex, toHex } from '../../../src/protocol/bytes.js';
import { merkleRoot, sha256 } from '../../../src/protocol/hash.js';
import {
  buildMerkleProof,
  decodeMerkleProof,
  encodeMerkleProof,
  merkleProofRoot,
  merkleSiblingCount,
  verifyMerkleProof,
} from '../../../src/protocol/merkleProof.js';

const txidsOf = (n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => sha256(new TextEncoder().encode(`ourcoin merkle leaf ${i}`)));

describe('Merkle inclusion proofs', () => {
  it('prove every leaf of trees of 1..33 leaves; any changed part fails', () => {
    for (let n = 1; n <= 33; n++) {
      const txids = txidsOf(n);
      const root = merkleRoot(txids);
      for (let index = 0; index < n; index++) {
        const txid = txids[index]!;
        const proof = buildMerkleProof(txids, index);
        expect(proof.siblings.length).toBe(merkleSiblingCount(index, n));
        expect(verifyMerkleProof(txid, proof, root), `leaf ${index} of ${n}`).toBe(true);
        const bytes = encodeMerkleProof(proof);
        expect(bytes.length).toBe(8 + 32 * proof.siblings.length);
        expect(decodeMerkleProof(bytes)).toEqual(proof);

        // Another leaf, or this leaf at another position, does not reach the root.
        expect(verifyMerkleProof(txids[(index + 1) % n]!, proof, root)).toBe(n === 1 ? true : false);
        for (let s = 0; s < proof.siblings.length; s++) {
          const siblings = proof.siblings.map((x) => x.slice());
          siblings[s]!.set([siblings[s]![s % 32]! ^ 1], s % 32);
          expect(verifyMerkleProof(txid, { ...proof, siblings }, root)).toBe(false);
        }
        for (let other = 0; other < n; other++) {
          if (other === index) continue;
          expect(verifyMerkleProof(txid, { ...proof, index: other }, root), `index ${other} for ${index}/${n}`).toBe(
            false,
          );
        }
        const flipped = txid.slice();
        flipped[31]! ^= 0x80;
        expect(verifyMerkleProof(flipped, proof, root)).toBe(false);
      }
    }
  });

  it('a single-leaf tree: no siblings, the root is the leaf hash', () => {
    const [txid] = txidsOf(1);
    const proof = buildMerkleProof([txid!], 0);
    expect(proof.siblings).toEqual([]);
    expect(toHex(encodeMerkleProof(proof))).toBe('0x0000000100000000');
    expect(toHex(merkleProofRoot(txid!, proof))).toBe(toHex(merkleRoot([txid!])));
  });

  it('refuses malformed encodings with MERKLE_PROOF_BAD_SHAPE or an encoding error', () => {
    const txids = txidsOf(5);
    const bytes = encodeMerkleProof(buildMerkleProof(txids, 4)); // leaf 4 of 5 is carried twice: 1 sibling
    expect(bytes.length).toBe(8 + 32);
    const codeOf = (b: Uint8Array): string => {
      try {
        decodeMerkleProof(b);
        return 'decoded';
      } catch (err) {
        return err instanceof OurCoinError ? err.code : String(err);
      }
    };
    expect(codeOf(bytes.subarray(0, 7))).toBe('ENCODING_TRUNCATED');
    expect(codeOf(bytes.subarray(0, 8 + 31))).toBe('MERKLE_PROOF_BAD_SHAPE');
    expect(codeOf(Uint8Array.of(...bytes, 0))).toBe('MERKLE_PROOF_BAD_SHAPE');
    expect(codeOf(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0))).toBe('MERKLE_PROOF_BAD_SHAPE'); // zero leaves
    expect(codeOf(Uint8Array.of(0, 0, 0, 5, 0, 0, 0, 5))).toBe('MERKLE_PROOF_BAD_SHAPE'); // index = leafCount
    expect(() => buildMerkleProof(txids, 5)).toThrow(/index 5 is not below the leaf count 5/);
    // A proof whose sibling list does not match its shape is not valid, and says so when encoded.
    const proof = buildMerkleProof(txids, 0);
    expect(verifyMerkleProof(txids[0]!, { ...proof, siblings: proof.siblings.slice(1) }, merkleRoot(txids))).toBe(
      false,
    );
    expect(() => encodeMerkleProof({ ...proof, siblings: [] })).toThrow(/siblings/);
  });
});

describe('docs/protocol.md 5.5 worked vector', () => {
  it('is what the code builds, and what the section shows', () => {
    const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('### 5.5 Merkle inclusion proof'), doc.indexOf('## 6. Proof of work'));
    const shown = (name: string): string => {
      const m = new RegExp(`${name}\\s+= (0x[0-9a-f ]+(?:\\n\\s+[0-9a-f]+)*)`).exec(section);
      return m![1]!.replace(/\s+/g, '');
    };
    const txids = txidsOf(5);
    const proof = buildMerkleProof(txids, 2);
    expect(shown('txid_2')).toBe(toHex(txids[2]!));
    expect(shown('txRoot')).toBe(toHex(merkleRoot(txids)));
    expect(shown('proof')).toBe(toHex(encodeMerkleProof(proof)));
    expect(verifyMerkleProof(txids[2]!, decodeMerkleProof(fromHex(shown('proof'), 'proof')), merkleRoot(txids))).toBe(
      true,
    );
  });
});
