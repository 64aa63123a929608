/**
 * Keystores, passwords and a JSON-path setter shared by the keystore tests in test/unit/crypto/.
 */
import { expect } from 'vitest';
import { blstBls, generateSecretKey } from '../../src/crypto/blst.js';
import { isOurCoinError } from '../../src/errors.js';
import { encryptKeystore } from '../../src/crypto/keystore.js';
import type { Keystore } from '../../src/crypto/keystore.js';

/** Runs `fn`, expects an OurCoinError with `code` (kind 'input') whose message contains `text`. */
export function expectCode(fn: () => unknown, code: string, text?: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  if (!isOurCoinError(thrown)) {
    const got =
      thrown === undefined
        ? 'no error'
        : thrown instanceof Error
          ? `${thrown.name}: ${thrown.message}`
          : 'a non-Error throw';
    throw new Error(`expected ${code}, got ${got}`);
  }
  expect(thrown.code).toBe(code);
  expect(thrown.kind).toBe('input');
  if (text !== undefined) expect(thrown.message).toContain(text);
}

/** Deep copy of a JSON value as a mutable record, for tampering. */
export function clone(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** Sets a dotted path (e.g. "crypto.kdf.params.n") in a JSON object; `undefined` deletes it. */
export function withField(value: unknown, dotted: string, v: unknown): Record<string, unknown> {
  const root = clone(value);
  const keys = dotted.split('.');
  let obj = root;
  for (const k of keys.slice(0, -1)) obj = obj[k] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (v === undefined) delete obj[last];
  else obj[last] = v;
  return root;
}

export const FAST_SCRYPT_N = 2 ** 10;
export const sk = generateSecretKey();
export const pk = blstBls.secretKeyToPublicKey(sk);
export const PASSWORD = 'correct horse battery staple';
export const fast: Keystore = encryptKeystore(sk, PASSWORD, {
  publicKey: pk,
  scryptN: FAST_SCRYPT_N,
  path: 'm/12381/3600/0/0/0',
  description: 'test key',
});
