/**
 * scrypt from node:crypto (OpenSSL, on libuv's thread pool): about three times faster than the
 * JS implementation and off the main thread, so a spinner turns while a keystore is sealed or
 * opened. The same function as noble's: keystores stay EIP-2335 byte-compatible either way.
 */
import { scrypt } from 'node:crypto';
import type { ScryptFn } from './keystore.js';

export const nodeScrypt: ScryptFn = (password, salt, { N, r, p, dkLen }) =>
  new Promise((resolve, reject) => {
    // OpenSSL refuses to use more than maxmem: 128 * N * r bytes (256 MiB at EIP-2335's N=2^18, r=8), plus room.
    const maxmem = 128 * r * (N + p + 2) + 2 ** 20;
    scrypt(password, salt, dkLen, { N, r, p, maxmem }, (err, key) => {
      if (err) return reject(err);
      const out = Uint8Array.from(key);
      key.fill(0);
      resolve(out);
    });
  });
