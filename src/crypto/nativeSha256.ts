/**
 * SHA-256 from node:crypto (OpenSSL, with the CPU's SHA extensions where present) for the
 * protocol's hashes in a node process: txids, merkle trees, addresses and block hashes
 * cost about half of noble's pure-JS time per short input. Node-only, so it lives here
 * and not in src/protocol, which browsers load too.
 */
import { hash } from 'node:crypto';
import { useSha256 } from './sha256.js';

export function useNativeSha256(): void {
  useSha256((data) => {
    const digest = hash('sha256', data, 'buffer');
    // A plain Uint8Array view, as noble returns: Buffer's slice() would not copy.
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  });
}
