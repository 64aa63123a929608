/**
 * SHA-256 (FIPS 180-4) for every protocol hash, with a hook to swap the implementation.
 *
 * noble's pure-JS SHA-256 by default, so browsers need nothing else; a node process installs
 * node:crypto's (`nativeSha256.ts`), about twice as fast on the short inputs hashed per
 * transfer. A replacement is checked against noble on a vector before it is used.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesEqual } from './constantTime.js';

export const HASH_LENGTH = 32;

export type Sha256 = (data: Uint8Array) => Uint8Array;

let sha256Impl: Sha256 = nobleSha256;

export function useSha256(impl: Sha256): void {
  const probe = Uint8Array.from({ length: 97 }, (_, i) => i);
  const got = impl(probe);
  const want = nobleSha256(probe);
  if (!bytesEqual(got, want)) throw new Error('useSha256: the implementation does not compute SHA-256');
  sha256Impl = impl;
}

export function sha256(data: Uint8Array): Uint8Array {
  return sha256Impl(data);
}
