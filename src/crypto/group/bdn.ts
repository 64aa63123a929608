/**
 * n-of-n keys: Boneh-Drijvers-Neven public-key aggregation, safe against rogue keys without
 * proofs of possession.
 *
 * Boneh, Drijvers, Neven (2018), "Compact multi-signatures for smaller blockchains" (ASIACRYPT
 * 2018), scheme MSP: for the key set PK = {pk_1..pk_n},
 *
 *     a_i = H(pk_i, PK)        apk = sum a_i * pk_i        sigma = sum a_i * sigma_i,
 *
 * where each sigma_i = sk_i * H(m) is an ordinary BLS signature of the SAME message m. Then
 * sigma = (sum a_i sk_i) * H(m) is the ordinary signature of m under apk, and `verify(apk, m,
 * sigma)` is the one check anyone makes. With plain addition (apk = sum pk_i) a participant who
 * announces pk_n = x*G1 - sum_{i<n} pk_i knows the discrete log x of the sum and signs alone;
 * here a_n depends on pk_n itself, so choosing pk_n to cancel the others is as hard as
 * finding a hash preimage (the paper's proof, in the random-oracle model).
 *
 * In OurCoin m is the transfer's signing message (docs/protocol.md 4.3), which embeds apk as
 * the sender key; the chain sees one ordinary key and one ordinary signature.
 *
 * H is RFC 9380 hash_to_field (expand_message_xmd with SHA-256, k = 128, so 48 bytes reduced
 * mod r) under the DST `BDN_COEFFICIENT_DST`, over pk_i || pk_(1) || ... || pk_(n): the set in
 * canonical order (sorted by bytes), so every signer derives the same coefficients whatever
 * order it was given the keys in. Keys are 48 bytes each, so the concatenation is unambiguous.
 * Browser-safe: no `node:` imports.
 */
import { hash_to_field } from '@noble/curves/abstract/hash-to-curve.js';
import { bytesToHex, concatBytes } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { GroupErrorCode, groupError } from './interface.js';
import { G1, G2, decodeG1, decodeG2 } from './points.js';
import type { G1Point } from './points.js';
import { Fr } from './polynomial.js';

/** OurCoin's domain tag for BDN coefficients: no other hash in the protocol uses it. */
export const BDN_COEFFICIENT_DST = 'OURCOIN-BDN-COEFFICIENT-V1';

/** Byte-wise lexicographic order, the canonical order of a key set. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function parseKeys(publicKeys: readonly Uint8Array[]): G1Point[] {
  if (publicKeys.length === 0)
    throw groupError(GroupErrorCode.emptyGroup, 'a BDN group needs at least one key', 'input');
  const seen = new Set<string>();
  return publicKeys.map((bytes, k) => {
    // Decoded first, so a non-Uint8Array is refused before it is hexed.
    const point = decodeG1(bytes, GroupErrorCode.invalidKey, `public key ${k + 1}`);
    const hex = bytesToHex(bytes);
    // A repeated key would be counted twice in apk; refuse rather than define what it means.
    if (seen.has(hex)) throw groupError(GroupErrorCode.duplicateKey, `public key ${k + 1} appears twice`, 'input');
    seen.add(hex);
    return point;
  });
}

/** a_i = H(pk_i, sorted PK) in Fr, in the order of `publicKeys` (which is otherwise free). */
export function bdnCoefficients(publicKeys: readonly Uint8Array[]): bigint[] {
  parseKeys(publicKeys);
  return coefficientsOf(publicKeys);
}

/** The coefficients of keys already checked by `parseKeys`. */
function coefficientsOf(publicKeys: readonly Uint8Array[]): bigint[] {
  const set = concatBytes(...[...publicKeys].sort(compareBytes));
  return publicKeys.map((pk) => {
    const [[a]] = hash_to_field(concatBytes(pk, set), 1, {
      DST: BDN_COEFFICIENT_DST,
      p: Fr.ORDER,
      m: 1,
      k: 128,
      expand: 'xmd',
      hash: sha256,
    }) as [[bigint]];
    // Zero with probability 1/r; refused rather than letting a key drop out of apk.
    if (a === Fr.ZERO) throw groupError(GroupErrorCode.invalidKey, 'a BDN coefficient is zero');
    return a;
  });
}

/** apk = sum a_i * pk_i: an ordinary 48-byte public key, the group's address key. */
export function aggregatePublicKey(publicKeys: readonly Uint8Array[]): Uint8Array {
  const points = parseKeys(publicKeys);
  const coefficients = coefficientsOf(publicKeys);
  // Public points and scalars: the variable-time multiply is fine.
  const apk = points.reduce((sum, P, k) => sum.add(P.multiplyUnsafe(coefficients[k]!)), G1.ZERO);
  if (apk.is0()) throw groupError(GroupErrorCode.invalidKey, 'the keys aggregate to the point at infinity');
  return apk.toBytes(true);
}

/**
 * sigma = sum a_i * sigma_i, with sigma_i the signature of the same message by publicKeys[i].
 * Each signature must be a valid, non-infinity G2 point; a wrong one makes sigma fail to
 * verify under apk (check each with `nobleBls.verify(pk_i, m, sigma_i)` to name it).
 */
export function bdnCombine(publicKeys: readonly Uint8Array[], signatures: readonly Uint8Array[]): Uint8Array {
  if (signatures.length !== publicKeys.length) {
    throw groupError(
      GroupErrorCode.lengthMismatch,
      `${signatures.length} signature(s) for ${publicKeys.length} key(s): BDN needs one per key`,
      'input',
    );
  }
  const coefficients = bdnCoefficients(publicKeys);
  const sum = signatures.reduce((acc, bytes, k) => {
    const sig = decodeG2(bytes, GroupErrorCode.badPartial, `signature ${k + 1}`);
    return acc.add(sig.multiplyUnsafe(coefficients[k]!));
  }, G2.ZERO);
  if (sum.is0()) throw groupError(GroupErrorCode.badPartial, 'the signatures combine to the point at infinity');
  return sum.toBytes(true);
}
