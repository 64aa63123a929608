/**
 * EIP-2335 (BLS12-381) keystores: a password-encrypted JSON form of one 32-byte secret key.
 *
 *   DK       = scrypt(password, salt) or PBKDF2-HMAC-SHA256(password, salt), 32 bytes
 *   checksum = sha256(DK[16:32] | ciphertext)      (tells a wrong password from a right one)
 *   secret   = AES-128-CTR(key = DK[0:16], iv) over ciphertext
 *
 * The password is NFKD-normalized, stripped of C0 (0x00-0x1F), DEL (0x7F) and C1 (0x80-0x9F)
 * control codes, then UTF-8 encoded, exactly as EIP-2335 says. `decryptKeystore` treats its
 * input as hostile: it validates every field it uses, refuses KDF parameters that would cost
 * more than a few seconds or more than 512 MiB, and checks the checksum before decrypting.
 *
 * Browser-safe by design: no `node:` imports. Randomness comes from
 * `globalThis.crypto.getRandomValues` unless the caller passes its own source. File I/O lives in
 * ./keystoreFile.ts. All failures are `OurCoinError` with kind 'input' and a `KeystoreErrorCode`.
 */
import { ctr } from '@noble/ciphers/aes.js';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { Bls } from './interface.js';
import { bytesEqual } from './constantTime.js';
import { OurCoinError } from '../errors.js';
import type { CodeOf } from '../errors.js';

export const KeystoreErrorCode = {
  /** The checksum does not match: wrong password (or a tampered kdf/cipher message). */
  wrongPassword: 'KEYSTORE_WRONG_PASSWORD',
  /** Malformed or foreign JSON; the message names the field. */
  invalid: 'KEYSTORE_INVALID',
  /** Well-formed but uses a version, kdf, prf, checksum or cipher we do not implement. */
  unsupported: 'KEYSTORE_UNSUPPORTED',
  /** KDF parameters above our time/memory bounds (see MAX_* below). */
  kdfTooCostly: 'KEYSTORE_KDF_TOO_COSTLY',
  /** encryptKeystore refuses a password that is empty after EIP-2335 normalization. */
  emptyPassword: 'KEYSTORE_EMPTY_PASSWORD',
  /** keystoreFile.ts: the target file already exists; it is never overwritten. */
  exists: 'KEYSTORE_EXISTS',
  /** keystoreFile.ts: no file at that path. */
  notFound: 'KEYSTORE_NOT_FOUND',
  /** keystoreFile.ts: the path exists but cannot be read (permissions, a directory, I/O error). */
  unreadable: 'KEYSTORE_UNREADABLE',
  /** keystoreFile.ts: the file or its directory could not be created or written. */
  writeFailed: 'KEYSTORE_WRITE_FAILED',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    keystore: CodeOf<typeof KeystoreErrorCode>;
  }
}

/** One EIP-2335 module: which construction, its parameters, its main input. */
export interface KeystoreModule<F extends string, P> {
  function: F;
  params: P;
  message: string;
}

export interface ScryptParams {
  dklen: number;
  n: number;
  r: number;
  p: number;
  salt: string;
}

export interface Pbkdf2Params {
  dklen: number;
  c: number;
  prf: 'hmac-sha256';
  salt: string;
}

/** The EIP-2335 JSON object. Hex fields are lowercase without `0x`, as the EIP's vectors. */
export interface Keystore {
  crypto: {
    kdf: KeystoreModule<'scrypt', ScryptParams> | KeystoreModule<'pbkdf2', Pbkdf2Params>;
    checksum: KeystoreModule<'sha256', Record<string, never>>;
    cipher: KeystoreModule<'aes-128-ctr', { iv: string }>;
  };
  description: string;
  /** 48-byte compressed BLS12-381 G1 public key, hex. */
  pubkey: string;
  /** EIP-2334 derivation path, or "" when unknown. */
  path: string;
  uuid: string;
  version: 4;
}

export type KeystoreKdf = 'scrypt' | 'pbkdf2';

export interface EncryptKeystoreOptions {
  /** Default 'scrypt'. */
  kdf?: KeystoreKdf;
  /** The public key of `secretKey` (48 bytes), stored in clear so tools can show it without the password. */
  publicKey: Uint8Array;
  /** EIP-2334 path; default "". */
  path?: string;
  description?: string;
  /** Source of salt, iv and uuid; default globalThis.crypto.getRandomValues. */
  random?: (length: number) => Uint8Array;
  /** scrypt N, a power of two >= 2; default 262144 (2^18) as EIP-2335. Lower only in tests. */
  scryptN?: number;
  /** PBKDF2 iteration count >= 1; default 262144 as EIP-2335. Lower only in tests. */
  pbkdf2C?: number;
}

export interface DecryptKeystoreOptions {
  /**
   * When given, the decrypted key must derive the file's `pubkey` (else KEYSTORE_INVALID).
   * Pass it whenever a backend is at hand: EIP-2335's checksum covers the ciphertext but not
   * the iv or the pubkey, so this is the only check that catches an edited iv or pubkey.
   */
  bls?: Pick<Bls, 'secretKeyToPublicKey'>;
}

export const KEYSTORE_VERSION = 4;
export const KEYSTORE_SECRET_LENGTH = 32;
export const KEYSTORE_PUBKEY_LENGTH = 48;

export const SCRYPT_DEFAULT_N = 2 ** 18;
export const SCRYPT_DEFAULT_R = 8;
export const SCRYPT_DEFAULT_P = 1;
export const PBKDF2_DEFAULT_C = 2 ** 18;
const DKLEN = 32;
const SALT_LENGTH = 32;
const IV_LENGTH = 16;
const CHECKSUM_LENGTH = 32;
const MAX_SALT_LENGTH = 1024;

/** scrypt N above this is refused (the EIP default is 2^18). */
export const MAX_SCRYPT_N = 2 ** 20;
/** Memory bound: scrypt needs about 128 * r * N bytes. 512 MiB is twice the EIP default. */
export const MAX_SCRYPT_MEMORY = 512 * 1024 * 1024;
/** Work bound: N * r * p; 2^23 is four times the EIP default (~0.85 s in noble, so ~3.5 s). */
export const MAX_SCRYPT_WORK = 2 ** 23;
/** PBKDF2 iterations above this are refused: 2^22 is 16x the EIP default (~0.3 s, so ~5 s). */
export const MAX_PBKDF2_C = 2 ** 22;

function fail(code: CodeOf<typeof KeystoreErrorCode>, message: string, cause?: unknown): OurCoinError {
  return new OurCoinError(code, message, 'input', cause === undefined ? undefined : { cause });
}

function invalid(field: string, what: string): OurCoinError {
  return fail(KeystoreErrorCode.invalid, `keystore ${field}: ${what}`);
}

// ---------------------------------------------------------------- password

/**
 * EIP-2335 password processing: NFKD, strip C0/C1 control codes and DEL, UTF-8.
 * Space (0x20) is kept. The caller should `fill(0)` the result when done.
 */
export function normalizePassword(password: string): Uint8Array {
  if (typeof password !== 'string') throw fail(KeystoreErrorCode.invalid, 'password must be a string');
  let stripped = '';
  for (const ch of password.normalize('NFKD')) {
    const cp = ch.codePointAt(0)!;
    if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f)) continue;
    stripped += ch;
  }
  return new TextEncoder().encode(stripped);
}

// ---------------------------------------------------------------- validation

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectField(obj: Json, key: string, field: string): Json {
  const v = obj[key];
  if (!isObject(v)) throw invalid(field, v === undefined ? 'missing' : 'expected an object');
  return v;
}

function stringField(obj: Json, key: string, field: string): string {
  const v = obj[key];
  if (typeof v !== 'string') throw invalid(field, v === undefined ? 'missing' : 'expected a string');
  return v;
}

function intField(obj: Json, key: string, field: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw invalid(field, v === undefined ? 'missing' : 'expected a positive integer');
  }
  return v;
}

/** Hex without 0x, either case, even length; `length` in bytes when fixed, else [min, max]. */
function hexField(obj: Json, key: string, field: string, length: number | readonly [number, number]): Uint8Array {
  const s = stringField(obj, key, field);
  if (!/^[0-9a-fA-F]*$/.test(s) || s.length % 2 !== 0) throw invalid(field, 'expected hex (no 0x prefix, even length)');
  const n = s.length / 2;
  const [min, max] = typeof length === 'number' ? [length, length] : length;
  if (n < min || n > max) {
    throw invalid(field, min === max ? `expected ${min} bytes, got ${n}` : `expected ${min} to ${max} bytes, got ${n}`);
  }
  return hexToBytes(s);
}

function onlyKeys(obj: Json, allowed: readonly string[], field: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw invalid(`${field}.${k}`, 'unexpected parameter');
  }
}

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 2 && 2 ** Math.round(Math.log2(n)) === n;
}

/** `where` prefixes the message, e.g. "keystore crypto.kdf.params". */
function checkScryptCost(n: number, r: number, p: number, where: string): void {
  if (n > MAX_SCRYPT_N) {
    throw fail(KeystoreErrorCode.kdfTooCostly, `${where}: scrypt n=${n} is above the limit ${MAX_SCRYPT_N}`);
  }
  // noble allocates 128 * r * (N + p + 1) bytes.
  if (128 * r * (n + p + 1) > MAX_SCRYPT_MEMORY) {
    throw fail(
      KeystoreErrorCode.kdfTooCostly,
      `${where}: scrypt n=${n}, r=${r} needs more than ${MAX_SCRYPT_MEMORY / 2 ** 20} MiB`,
    );
  }
  if (n * r * p > MAX_SCRYPT_WORK) {
    throw fail(
      KeystoreErrorCode.kdfTooCostly,
      `${where}: scrypt n*r*p=${n * r * p} is above the limit ${MAX_SCRYPT_WORK}`,
    );
  }
}

function checkDklen(params: Json, field: string): void {
  const dklen = intField(params, 'dklen', `${field}.dklen`);
  // DK[0:16] is the AES key and DK[16:32] the checksum key; every known implementation uses 32.
  if (dklen !== DKLEN)
    throw fail(KeystoreErrorCode.unsupported, `keystore ${field}.dklen: only ${DKLEN} is supported, got ${dklen}`);
}

/** Parsed, validated keystore with its binary fields decoded. */
interface ParsedKeystore {
  readonly keystore: Keystore;
  readonly salt: Uint8Array;
  readonly checksum: Uint8Array;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly pubkey: Uint8Array;
}

function parse(value: unknown): ParsedKeystore {
  if (!isObject(value)) throw invalid('(root)', 'expected a JSON object');
  // Version first: a Web3 Secret Storage (v3) file should read as "unsupported version", not as
  // a pile of missing fields.
  const version = value.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw invalid('version', version === undefined ? 'missing' : 'expected an integer');
  }
  if (version !== KEYSTORE_VERSION) {
    throw fail(
      KeystoreErrorCode.unsupported,
      `keystore version ${version} is not supported (EIP-2335 keystores are version ${KEYSTORE_VERSION})`,
    );
  }

  const crypto = objectField(value, 'crypto', 'crypto');
  const kdf = objectField(crypto, 'kdf', 'crypto.kdf');
  const checksumModule = objectField(crypto, 'checksum', 'crypto.checksum');
  const cipherModule = objectField(crypto, 'cipher', 'crypto.cipher');

  // kdf
  const kdfFunction = stringField(kdf, 'function', 'crypto.kdf.function');
  const kdfParams = objectField(kdf, 'params', 'crypto.kdf.params');
  if (stringField(kdf, 'message', 'crypto.kdf.message') !== '') throw invalid('crypto.kdf.message', 'expected ""');
  let kdfOut: Keystore['crypto']['kdf'];
  const salt = hexField(kdfParams, 'salt', 'crypto.kdf.params.salt', [1, MAX_SALT_LENGTH]);
  const saltHex = bytesToHex(salt);
  if (kdfFunction === 'scrypt') {
    onlyKeys(kdfParams, ['dklen', 'n', 'r', 'p', 'salt'], 'crypto.kdf.params');
    checkDklen(kdfParams, 'crypto.kdf.params');
    const n = intField(kdfParams, 'n', 'crypto.kdf.params.n');
    const r = intField(kdfParams, 'r', 'crypto.kdf.params.r');
    const p = intField(kdfParams, 'p', 'crypto.kdf.params.p');
    // Cost first, so an absurd n reads as "too costly" whatever its shape.
    checkScryptCost(n, r, p, 'keystore crypto.kdf.params');
    if (!isPowerOfTwo(n)) throw invalid('crypto.kdf.params.n', `expected a power of two >= 2, got ${n}`);
    kdfOut = { function: 'scrypt', params: { dklen: DKLEN, n, r, p, salt: saltHex }, message: '' };
  } else if (kdfFunction === 'pbkdf2') {
    onlyKeys(kdfParams, ['dklen', 'c', 'prf', 'salt'], 'crypto.kdf.params');
    checkDklen(kdfParams, 'crypto.kdf.params');
    const c = intField(kdfParams, 'c', 'crypto.kdf.params.c');
    const prf = stringField(kdfParams, 'prf', 'crypto.kdf.params.prf');
    if (prf !== 'hmac-sha256')
      throw fail(
        KeystoreErrorCode.unsupported,
        `keystore crypto.kdf.params.prf: "${prf}" is not supported (only hmac-sha256)`,
      );
    if (c > MAX_PBKDF2_C) {
      throw fail(
        KeystoreErrorCode.kdfTooCostly,
        `keystore crypto.kdf.params.c: ${c} is above the limit ${MAX_PBKDF2_C}`,
      );
    }
    kdfOut = { function: 'pbkdf2', params: { dklen: DKLEN, c, prf, salt: saltHex }, message: '' };
  } else {
    throw fail(
      KeystoreErrorCode.unsupported,
      `keystore crypto.kdf.function: "${kdfFunction}" is not supported (scrypt, pbkdf2)`,
    );
  }

  // checksum
  const checksumFunction = stringField(checksumModule, 'function', 'crypto.checksum.function');
  if (checksumFunction !== 'sha256') {
    throw fail(
      KeystoreErrorCode.unsupported,
      `keystore crypto.checksum.function: "${checksumFunction}" is not supported (sha256)`,
    );
  }
  onlyKeys(objectField(checksumModule, 'params', 'crypto.checksum.params'), [], 'crypto.checksum.params');
  const checksum = hexField(checksumModule, 'message', 'crypto.checksum.message', CHECKSUM_LENGTH);

  // cipher
  const cipherFunction = stringField(cipherModule, 'function', 'crypto.cipher.function');
  if (cipherFunction !== 'aes-128-ctr') {
    throw fail(
      KeystoreErrorCode.unsupported,
      `keystore crypto.cipher.function: "${cipherFunction}" is not supported (aes-128-ctr)`,
    );
  }
  const cipherParams = objectField(cipherModule, 'params', 'crypto.cipher.params');
  onlyKeys(cipherParams, ['iv'], 'crypto.cipher.params');
  const iv = hexField(cipherParams, 'iv', 'crypto.cipher.params.iv', IV_LENGTH);
  const ciphertext = hexField(cipherModule, 'message', 'crypto.cipher.message', KEYSTORE_SECRET_LENGTH);

  // the rest
  const description = value.description === undefined ? '' : stringField(value, 'description', 'description');
  const pubkey = hexField(value, 'pubkey', 'pubkey', KEYSTORE_PUBKEY_LENGTH);
  const path = stringField(value, 'path', 'path');
  const uuid = stringField(value, 'uuid', 'uuid');
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(uuid)) {
    throw invalid('uuid', 'expected an RFC 4122 UUID (8-4-4-4-12 hex digits)');
  }

  const keystore: Keystore = {
    crypto: {
      kdf: kdfOut,
      checksum: { function: 'sha256', params: {}, message: bytesToHex(checksum) },
      cipher: { function: 'aes-128-ctr', params: { iv: bytesToHex(iv) }, message: bytesToHex(ciphertext) },
    },
    description,
    pubkey: bytesToHex(pubkey),
    path,
    uuid: uuid.toLowerCase(),
    version: KEYSTORE_VERSION,
  };
  return { keystore, salt, checksum, iv, ciphertext, pubkey };
}

/**
 * Validates untrusted JSON as an EIP-2335 keystore we can decrypt (including the KDF cost
 * bounds) and returns a clean copy: known fields only, hex lowercased. Throws KEYSTORE_INVALID,
 * KEYSTORE_UNSUPPORTED or KEYSTORE_KDF_TOO_COSTLY. Needs no password.
 */
export function parseKeystore(value: unknown): Keystore {
  return parse(value).keystore;
}

/** The keystore's public key (48 bytes), read without the password. */
export function keystorePublicKey(value: unknown): Uint8Array {
  return parse(value).pubkey;
}

// ---------------------------------------------------------------- crypto

function deriveKey(kdf: Keystore['crypto']['kdf'], password: Uint8Array, salt: Uint8Array): Uint8Array {
  if (kdf.function === 'scrypt') {
    const { n, r, p } = kdf.params;
    return scrypt(password, salt, { N: n, r, p, dkLen: DKLEN, maxmem: MAX_SCRYPT_MEMORY });
  }
  return pbkdf2(sha256, password, salt, { c: kdf.params.c, dkLen: DKLEN });
}

/**
 * scrypt done elsewhere, e.g. node:crypto's on the thread pool (crypto/nodeScrypt.ts): the same
 * function as noble's, so a keystore made by either opens with the other.
 */
export type ScryptFn = (
  password: Uint8Array,
  salt: Uint8Array,
  params: { readonly N: number; readonly r: number; readonly p: number; readonly dkLen: number },
) => Promise<Uint8Array>;

async function deriveKeyWith(
  kdf: Keystore['crypto']['kdf'],
  password: Uint8Array,
  salt: Uint8Array,
  scryptFn: ScryptFn,
): Promise<Uint8Array> {
  if (kdf.function !== 'scrypt') return deriveKey(kdf, password, salt);
  const { n, r, p } = kdf.params;
  return scryptFn(password, salt, { N: n, r, p, dkLen: DKLEN });
}

function checksumOf(dk: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const pre = new Uint8Array(16 + ciphertext.length);
  pre.set(dk.subarray(16, 32), 0);
  pre.set(ciphertext, 16);
  const out = sha256(pre);
  pre.fill(0);
  return out;
}

function defaultRandom(length: number): Uint8Array {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (c?.getRandomValues === undefined)
    throw new Error('keystore: no globalThis.crypto.getRandomValues; pass opts.random');
  return c.getRandomValues(new Uint8Array(length));
}

function randomBytes(random: (length: number) => Uint8Array, length: number): Uint8Array {
  const out = random(length);
  if (!(out instanceof Uint8Array) || out.length !== length)
    throw new Error(`keystore: random source must return ${length} bytes`);
  return Uint8Array.from(out);
}

/** RFC 4122 version 4 UUID from 16 random bytes. */
function uuidV4(bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = bytesToHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Encrypts a 32-byte BLS secret key under `password` into an EIP-2335 keystore.
 * Defaults: scrypt N=2^18, r=8, p=1, dklen=32 (or PBKDF2-HMAC-SHA256 c=2^18), AES-128-CTR,
 * fresh 32-byte salt, 16-byte iv and a v4 uuid from `opts.random`.
 */
export function encryptKeystore(secretKey: Uint8Array, password: string, opts: EncryptKeystoreOptions): Keystore {
  const plan = planEncryption(secretKey, password, opts);
  return seal(plan, secretKey, opts, deriveKey(plan.kdf, plan.pw, plan.salt));
}

/** encryptKeystore with scrypt done by `scryptFn` (off the main thread), byte-for-byte the same format. */
export async function encryptKeystoreWith(
  scryptFn: ScryptFn,
  secretKey: Uint8Array,
  password: string,
  opts: EncryptKeystoreOptions,
): Promise<Keystore> {
  const plan = planEncryption(secretKey, password, opts);
  let dk: Uint8Array;
  try {
    dk = await deriveKeyWith(plan.kdf, plan.pw, plan.salt, scryptFn);
  } catch (err) {
    plan.pw.fill(0);
    throw err;
  }
  return seal(plan, secretKey, opts, dk);
}

interface EncryptionPlan {
  readonly kdf: Keystore['crypto']['kdf'];
  readonly salt: Uint8Array;
  readonly iv: Uint8Array;
  readonly uuid: string;
  /** The normalized password; seal() wipes it. */
  readonly pw: Uint8Array;
}

function planEncryption(secretKey: Uint8Array, password: string, opts: EncryptKeystoreOptions): EncryptionPlan {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== KEYSTORE_SECRET_LENGTH) {
    throw fail(KeystoreErrorCode.invalid, `secret key must be ${KEYSTORE_SECRET_LENGTH} bytes`);
  }
  if (!(opts.publicKey instanceof Uint8Array) || opts.publicKey.length !== KEYSTORE_PUBKEY_LENGTH) {
    throw fail(KeystoreErrorCode.invalid, `public key must be ${KEYSTORE_PUBKEY_LENGTH} bytes`);
  }
  const kdfName = opts.kdf ?? 'scrypt';
  const random = opts.random ?? defaultRandom;
  const salt = randomBytes(random, SALT_LENGTH);
  const iv = randomBytes(random, IV_LENGTH);
  const uuid = uuidV4(randomBytes(random, 16));

  let kdf: Keystore['crypto']['kdf'];
  if (kdfName === 'scrypt') {
    const n = opts.scryptN ?? SCRYPT_DEFAULT_N;
    if (!isPowerOfTwo(n)) throw fail(KeystoreErrorCode.invalid, `scryptN must be a power of two >= 2, got ${n}`);
    checkScryptCost(n, SCRYPT_DEFAULT_R, SCRYPT_DEFAULT_P, 'scryptN');
    kdf = {
      function: 'scrypt',
      params: { dklen: DKLEN, n, r: SCRYPT_DEFAULT_R, p: SCRYPT_DEFAULT_P, salt: bytesToHex(salt) },
      message: '',
    };
  } else if (kdfName === 'pbkdf2') {
    const c = opts.pbkdf2C ?? PBKDF2_DEFAULT_C;
    if (!Number.isSafeInteger(c) || c < 1)
      throw fail(KeystoreErrorCode.invalid, `pbkdf2C must be a positive integer, got ${c}`);
    if (c > MAX_PBKDF2_C) throw fail(KeystoreErrorCode.kdfTooCostly, `pbkdf2C ${c} is above the limit ${MAX_PBKDF2_C}`);
    kdf = { function: 'pbkdf2', params: { dklen: DKLEN, c, prf: 'hmac-sha256', salt: bytesToHex(salt) }, message: '' };
  } else {
    throw fail(KeystoreErrorCode.unsupported, `kdf "${String(kdfName)}" is not supported (scrypt, pbkdf2)`);
  }

  const pw = normalizePassword(password);
  if (pw.length === 0) {
    throw fail(KeystoreErrorCode.emptyPassword, 'password is empty (after removing control characters)');
  }
  return { kdf, salt, iv, uuid, pw };
}

function seal(plan: EncryptionPlan, secretKey: Uint8Array, opts: EncryptKeystoreOptions, dk: Uint8Array): Keystore {
  const { kdf, iv, uuid } = plan;
  plan.pw.fill(0);
  try {
    const ciphertext = ctr(dk.slice(0, 16), iv).encrypt(secretKey);
    return {
      crypto: {
        kdf,
        checksum: { function: 'sha256', params: {}, message: bytesToHex(checksumOf(dk, ciphertext)) },
        cipher: { function: 'aes-128-ctr', params: { iv: bytesToHex(iv) }, message: bytesToHex(ciphertext) },
      },
      description: opts.description ?? '',
      pubkey: bytesToHex(opts.publicKey),
      path: opts.path ?? '',
      uuid,
      version: KEYSTORE_VERSION,
    };
  } finally {
    dk.fill(0);
  }
}

/**
 * Decrypts an EIP-2335 keystore (untrusted JSON, already `JSON.parse`d) and returns the 32-byte
 * secret key. Validates first (KEYSTORE_INVALID / _UNSUPPORTED / _KDF_TOO_COSTLY), then derives
 * the key and compares the checksum (KEYSTORE_WRONG_PASSWORD) before decrypting. With
 * `opts.bls`, also checks that the secret derives the stored `pubkey`.
 */
export function decryptKeystore(keystore: unknown, password: string, opts: DecryptKeystoreOptions = {}): Uint8Array {
  const parsed = parse(keystore);
  const pw = normalizePassword(password);
  const dk = deriveKey(parsed.keystore.crypto.kdf, pw, parsed.salt);
  pw.fill(0);
  return open(parsed, dk, opts);
}

/** decryptKeystore with scrypt done by `scryptFn` (off the main thread). */
export async function decryptKeystoreWith(
  scryptFn: ScryptFn,
  keystore: unknown,
  password: string,
  opts: DecryptKeystoreOptions = {},
): Promise<Uint8Array> {
  const parsed = parse(keystore);
  const pw = normalizePassword(password);
  try {
    return open(parsed, await deriveKeyWith(parsed.keystore.crypto.kdf, pw, parsed.salt, scryptFn), opts);
  } finally {
    pw.fill(0);
  }
}

/** Checks the checksum with the derived key `dk` (wiped here), then decrypts. */
function open(parsed: ParsedKeystore, dk: Uint8Array, opts: DecryptKeystoreOptions): Uint8Array {
  let secret: Uint8Array;
  try {
    if (!bytesEqual(checksumOf(dk, parsed.ciphertext), parsed.checksum)) {
      throw fail(KeystoreErrorCode.wrongPassword, 'wrong password (keystore checksum does not match)');
    }
    secret = ctr(dk.slice(0, 16), parsed.iv).decrypt(parsed.ciphertext);
  } finally {
    dk.fill(0);
  }
  if (opts.bls !== undefined) {
    let derived: Uint8Array;
    try {
      derived = opts.bls.secretKeyToPublicKey(secret);
    } catch (err) {
      secret.fill(0);
      // The checksum does not cover the iv, so a tampered iv surfaces here, as a bad key.
      throw fail(
        KeystoreErrorCode.invalid,
        'keystore crypto.cipher: decrypted secret is not a valid BLS12-381 key (tampered iv?)',
        err,
      );
    }
    if (!bytesEqual(derived, parsed.pubkey)) {
      secret.fill(0);
      throw invalid('pubkey', 'does not match the decrypted secret key (tampered pubkey or iv?)');
    }
  }
  return secret;
}
