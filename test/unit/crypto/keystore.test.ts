/**
 * EIP-2335 keystores (src/crypto/keystore.ts): the test vectors, encryption round trips,
 * password processing, tampering, and validation of untrusted JSON.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { blstBls, generateSecretKey } from '../../../src/crypto/blst.js';
import {
  KeystoreErrorCode,
  MAX_PBKDF2_C,
  MAX_SCRYPT_N,
  decryptKeystore,
  decryptKeystoreWith,
  encryptKeystore,
  encryptKeystoreWith,
  keystorePublicKey,
  normalizePassword,
  parseKeystore,
} from '../../../src/crypto/keystore.js';
import { nodeScrypt } from '../../../src/crypto/nodeScrypt.js';
import { FAST_SCRYPT_N, PASSWORD, expectCode, fast, pk, sk, withField } from '../../helpers/keystores.js';

// ---------------------------------------------------------------- EIP-2335 vectors

const VECTOR_PASSWORD = '𝔱𝔢𝔰𝔱𝔭𝔞𝔰𝔰𝔴𝔬𝔯𝔡🔑';
const VECTOR_ENCODED_PASSWORD = '7465737470617373776f7264f09f9491';
const VECTOR_SECRET = '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f';

const SCRYPT_VECTOR = {
  crypto: {
    kdf: {
      function: 'scrypt',
      params: {
        dklen: 32,
        n: 262144,
        p: 1,
        r: 8,
        salt: 'd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3',
      },
      message: '',
    },
    checksum: {
      function: 'sha256',
      params: {},
      message: 'd2217fe5f3e9a1e34581ef8a78f7c9928e436d36dacc5e846690a5581e8ea484',
    },
    cipher: {
      function: 'aes-128-ctr',
      params: {
        iv: '264daa3f303d7259501c93d997d84fe6',
      },
      message: '06ae90d55fe0a6e9c5c3bc5b170827b2e5cce3929ed3f116c2811e6366dfe20f',
    },
  },
  description: 'This is a test keystore that uses scrypt to secure the secret.',
  pubkey: '9612d7a727c9d0a22e185a1c768478dfe919cada9266988cb32359c11f2b7b27f4ae4040902382ae2910c15e2b420d07',
  path: 'm/12381/60/3141592653/589793238',
  uuid: '1d85ae20-35c5-4611-98e8-aa14a633906f',
  version: 4,
};

const PBKDF2_VECTOR = {
  crypto: {
    kdf: {
      function: 'pbkdf2',
      params: {
        dklen: 32,
        c: 262144,
        prf: 'hmac-sha256',
        salt: 'd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3',
      },
      message: '',
    },
    checksum: {
      function: 'sha256',
      params: {},
      message: '8a9f5d9912ed7e75ea794bc5a89bca5f193721d30868ade6f73043c6ea6febf1',
    },
    cipher: {
      function: 'aes-128-ctr',
      params: {
        iv: '264daa3f303d7259501c93d997d84fe6',
      },
      message: 'cee03fde2af33149775b7223e7845e4fb2c8ae1792e5f99fe9ecf474cc8c16ad',
    },
  },
  description: 'This is a test keystore that uses PBKDF2 to secure the secret.',
  pubkey: '9612d7a727c9d0a22e185a1c768478dfe919cada9266988cb32359c11f2b7b27f4ae4040902382ae2910c15e2b420d07',
  path: 'm/12381/60/0/0',
  uuid: '64625def-3331-4eea-ab6f-782f3ed16a83',
  version: 4,
};

function flipHexByte(hex: string, index = 0): string {
  const b = hexToBytes(hex);
  b[index] = b[index]! ^ 0x01;
  return bytesToHex(b);
}

/** Deterministic "random" source for reproducible keystores. */
function counterRandom(seed: number): (n: number) => Uint8Array {
  let next = seed;
  return (n) => Uint8Array.from({ length: n }, () => next++ & 0xff);
}

const FAST_PBKDF2_C = 1000;

// ---------------------------------------------------------------- vectors

describe('EIP-2335 test vectors', () => {
  it('password processing gives the published encoded password', () => {
    expect(bytesToHex(normalizePassword(VECTOR_PASSWORD))).toBe(VECTOR_ENCODED_PASSWORD);
  });

  it('the published pubkey is the public key of the published secret', () => {
    expect(bytesToHex(blstBls.secretKeyToPublicKey(hexToBytes(VECTOR_SECRET)))).toBe(SCRYPT_VECTOR.pubkey);
    expect(bytesToHex(keystorePublicKey(SCRYPT_VECTOR))).toBe(SCRYPT_VECTOR.pubkey);
  });

  it('decrypts the scrypt vector (n=262144) to the published secret', () => {
    const t0 = performance.now();
    const secret = decryptKeystore(SCRYPT_VECTOR, VECTOR_PASSWORD, { bls: blstBls });
    const ms = performance.now() - t0;
    console.log(`EIP-2335 scrypt vector (n=2^18, r=8, p=1) decrypt: ${ms.toFixed(0)} ms`);
    expect(bytesToHex(secret)).toBe(VECTOR_SECRET);
  });

  it("node:crypto's scrypt (the wallet's) opens the vector too, and what it seals opens with noble's", async () => {
    const t0 = performance.now();
    const secret = await decryptKeystoreWith(nodeScrypt, SCRYPT_VECTOR, VECTOR_PASSWORD, { bls: blstBls });
    console.log(`EIP-2335 scrypt vector, node:crypto scrypt: ${(performance.now() - t0).toFixed(0)} ms`);
    expect(bytesToHex(secret)).toBe(VECTOR_SECRET);
    // Same salt, iv and uuid: the two implementations write the same bytes.
    const opts = { publicKey: hexToBytes(SCRYPT_VECTOR.pubkey), scryptN: 2 ** 10, random: counterRandom(3) };
    const sealed = await encryptKeystoreWith(nodeScrypt, secret, VECTOR_PASSWORD, opts);
    expect(sealed).toEqual(encryptKeystore(secret, VECTOR_PASSWORD, { ...opts, random: counterRandom(3) }));
    expect(bytesToHex(decryptKeystore(sealed, VECTOR_PASSWORD))).toBe(VECTOR_SECRET);
    await expect(decryptKeystoreWith(nodeScrypt, sealed, 'testpassword')).rejects.toMatchObject({
      code: KeystoreErrorCode.wrongPassword,
    });
  });

  it('decrypts the pbkdf2 vector (c=262144) to the published secret', () => {
    expect(bytesToHex(decryptKeystore(PBKDF2_VECTOR, VECTOR_PASSWORD, { bls: blstBls }))).toBe(VECTOR_SECRET);
  });

  it('wrong password on a vector is KEYSTORE_WRONG_PASSWORD', () => {
    expectCode(() => decryptKeystore(PBKDF2_VECTOR, 'testpassword'), KeystoreErrorCode.wrongPassword);
  });

  it('the vectors parse back to themselves', () => {
    expect(parseKeystore(SCRYPT_VECTOR)).toEqual(SCRYPT_VECTOR);
    expect(parseKeystore(PBKDF2_VECTOR)).toEqual(PBKDF2_VECTOR);
  });
});

// ---------------------------------------------------------------- round trips

describe('encryptKeystore / decryptKeystore', () => {
  it('round-trips with scrypt (small n) and records every field', () => {
    expect(decryptKeystore(fast, PASSWORD, { bls: blstBls })).toEqual(sk);
    expect(fast.version).toBe(4);
    expect(fast.pubkey).toBe(bytesToHex(pk));
    expect(fast.path).toBe('m/12381/3600/0/0/0');
    expect(fast.description).toBe('test key');
    expect(fast.crypto.kdf).toMatchObject({
      function: 'scrypt',
      params: { dklen: 32, n: FAST_SCRYPT_N, r: 8, p: 1 },
      message: '',
    });
    expect(fast.crypto.kdf.params.salt).toMatch(/^[0-9a-f]{64}$/);
    expect(fast.crypto.checksum).toMatchObject({ function: 'sha256', params: {} });
    expect(fast.crypto.cipher.function).toBe('aes-128-ctr');
    expect(fast.crypto.cipher.params.iv).toMatch(/^[0-9a-f]{32}$/);
    expect(fast.crypto.cipher.message).toMatch(/^[0-9a-f]{64}$/);
    expect(fast.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The JSON form survives a serialization round trip.
    expect(decryptKeystore(JSON.parse(JSON.stringify(fast)), PASSWORD)).toEqual(sk);
  });

  it('round-trips with pbkdf2 (small c)', () => {
    const ks = encryptKeystore(sk, PASSWORD, { publicKey: pk, kdf: 'pbkdf2', pbkdf2C: FAST_PBKDF2_C });
    expect(ks.crypto.kdf).toMatchObject({
      function: 'pbkdf2',
      params: { dklen: 32, c: FAST_PBKDF2_C, prf: 'hmac-sha256' },
    });
    expect(ks.path).toBe('');
    expect(ks.description).toBe('');
    expect(decryptKeystore(ks, PASSWORD, { bls: blstBls })).toEqual(sk);
    expectCode(() => decryptKeystore(ks, 'wrong'), KeystoreErrorCode.wrongPassword);
  });

  it('defaults to the EIP-2335 scrypt parameters (n=2^18, r=8, p=1, dklen=32)', () => {
    const ks = encryptKeystore(sk, PASSWORD, { publicKey: pk });
    expect(ks.crypto.kdf).toMatchObject({ function: 'scrypt', params: { dklen: 32, n: 262144, r: 8, p: 1 } });
  });

  it('wrong password is KEYSTORE_WRONG_PASSWORD', () => {
    expectCode(
      () => decryptKeystore(fast, 'Correct horse battery staple'),
      KeystoreErrorCode.wrongPassword,
      'wrong password',
    );
  });

  it('draws salt, iv and uuid from opts.random; fresh randomness gives a fresh keystore', () => {
    const a = encryptKeystore(sk, PASSWORD, { publicKey: pk, scryptN: 2, random: counterRandom(7) });
    const b = encryptKeystore(sk, PASSWORD, { publicKey: pk, scryptN: 2, random: counterRandom(7) });
    expect(a).toEqual(b);
    expect(a.crypto.kdf.params.salt).toBe(bytesToHex(counterRandom(7)(32)));
    expect(a.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const c = encryptKeystore(sk, PASSWORD, { publicKey: pk, scryptN: 2 });
    expect(c.crypto.kdf.params.salt).not.toBe(a.crypto.kdf.params.salt);
    expect(c.uuid).not.toBe(a.uuid);
    expect(decryptKeystore(a, PASSWORD)).toEqual(sk);
  });

  it('refuses bad arguments', () => {
    expectCode(
      () => encryptKeystore(sk.subarray(1), PASSWORD, { publicKey: pk }),
      KeystoreErrorCode.invalid,
      'secret key',
    );
    expectCode(
      () => encryptKeystore(sk, PASSWORD, { publicKey: pk.subarray(1) }),
      KeystoreErrorCode.invalid,
      'public key',
    );
    expectCode(
      () => encryptKeystore(sk, PASSWORD, { publicKey: pk, scryptN: 1000 }),
      KeystoreErrorCode.invalid,
      'power of two',
    );
    expectCode(
      () => encryptKeystore(sk, PASSWORD, { publicKey: pk, scryptN: 1 }),
      KeystoreErrorCode.invalid,
      'power of two',
    );
    expectCode(
      () => encryptKeystore(sk, PASSWORD, { publicKey: pk, scryptN: MAX_SCRYPT_N * 2 }),
      KeystoreErrorCode.kdfTooCostly,
    );
    expectCode(
      () => encryptKeystore(sk, PASSWORD, { publicKey: pk, kdf: 'pbkdf2', pbkdf2C: 0 }),
      KeystoreErrorCode.invalid,
    );
    expectCode(
      () => encryptKeystore(sk, PASSWORD, { publicKey: pk, kdf: 'pbkdf2', pbkdf2C: MAX_PBKDF2_C + 1 }),
      KeystoreErrorCode.kdfTooCostly,
    );
    expectCode(() => encryptKeystore(sk, '', { publicKey: pk, scryptN: 2 }), KeystoreErrorCode.emptyPassword);
    expectCode(
      () => encryptKeystore(sk, '\u0000\u007f\n', { publicKey: pk, scryptN: 2 }),
      KeystoreErrorCode.emptyPassword,
    );
    expect(() => encryptKeystore(sk, PASSWORD, { publicKey: pk, scryptN: 2, random: () => new Uint8Array(3) })).toThrow(
      /random source/,
    );
  });
});

// ---------------------------------------------------------------- password processing

describe('password processing (NFKD, strip C0/C1/DEL, UTF-8)', () => {
  it('strips C0, DEL and C1 control codes but keeps space', () => {
    expect(normalizePassword('a\u0000b\u001fc\u007fd\u0080e\u009ff\tg\nh\r')).toEqual(
      new TextEncoder().encode('abcdefgh'),
    );
    expect(normalizePassword('pass word')).toEqual(new TextEncoder().encode('pass word'));
    expect(normalizePassword('\u00a0')).toEqual(new TextEncoder().encode(' ')); // NBSP -> NFKD -> space (kept)
  });

  it('applies NFKD: composed and decomposed forms, and compatibility characters, are equal', () => {
    expect(normalizePassword('caf\u00e9')).toEqual(normalizePassword('cafe\u0301'));
    expect(normalizePassword('\ufb01x')).toEqual(new TextEncoder().encode('fix')); // the "fi" ligature
  });

  it('a password with control characters decrypts a keystore made without them, and vice versa', () => {
    const ks = encryptKeystore(sk, 'pass\u0007word\n', { publicKey: pk, scryptN: 2 });
    expect(decryptKeystore(ks, 'password')).toEqual(sk);
    expect(decryptKeystore(fast, `correct horse\u0000 battery staple\r\n`)).toEqual(sk);
    expectCode(() => decryptKeystore(ks, 'pass word'), KeystoreErrorCode.wrongPassword);
  });

  it('decrypts the scrypt vector with the plain ASCII + emoji form of the password', () => {
    // Already covered by NFKD equality; checked on the cheap PBKDF2 vector only.
    expect(bytesToHex(decryptKeystore(PBKDF2_VECTOR, 'testpassword\u{1F511}'))).toBe(VECTOR_SECRET);
  });
});

// ---------------------------------------------------------------- tampering

describe('tampered keystores', () => {
  it('a changed cipher message, checksum or salt is KEYSTORE_WRONG_PASSWORD (the checksum cannot tell them apart)', () => {
    expectCode(
      () =>
        decryptKeystore(withField(fast, 'crypto.cipher.message', flipHexByte(fast.crypto.cipher.message, 5)), PASSWORD),
      KeystoreErrorCode.wrongPassword,
    );
    expectCode(
      () =>
        decryptKeystore(
          withField(fast, 'crypto.checksum.message', flipHexByte(fast.crypto.checksum.message, 31)),
          PASSWORD,
        ),
      KeystoreErrorCode.wrongPassword,
    );
    expectCode(
      () =>
        decryptKeystore(withField(fast, 'crypto.kdf.params.salt', flipHexByte(fast.crypto.kdf.params.salt)), PASSWORD),
      KeystoreErrorCode.wrongPassword,
    );
    expectCode(
      () => decryptKeystore(withField(fast, 'crypto.kdf.params.n', FAST_SCRYPT_N * 2), PASSWORD),
      KeystoreErrorCode.wrongPassword,
    );
  });

  it('a changed iv is not covered by the EIP-2335 checksum: caught by the pubkey check (opts.bls)', () => {
    const bad = withField(fast, 'crypto.cipher.params.iv', flipHexByte(fast.crypto.cipher.params.iv, 15));
    expectCode(() => decryptKeystore(bad, PASSWORD, { bls: blstBls }), KeystoreErrorCode.invalid);
    // Without a backend the decryption "succeeds" with the wrong key: documented limitation.
    expect(decryptKeystore(bad, PASSWORD)).not.toEqual(sk);
  });

  it('a swapped pubkey is caught by the pubkey check', () => {
    const other = bytesToHex(blstBls.secretKeyToPublicKey(generateSecretKey()));
    expectCode(
      () => decryptKeystore(withField(fast, 'pubkey', other), PASSWORD, { bls: blstBls }),
      KeystoreErrorCode.invalid,
      'pubkey',
    );
  });

  it('truncated or extended binary fields are KEYSTORE_INVALID naming the field', () => {
    expectCode(
      () => decryptKeystore(withField(fast, 'crypto.cipher.message', fast.crypto.cipher.message.slice(2)), PASSWORD),
      KeystoreErrorCode.invalid,
      'crypto.cipher.message',
    );
    expectCode(
      () => decryptKeystore(withField(fast, 'crypto.checksum.message', `${fast.crypto.checksum.message}00`), PASSWORD),
      KeystoreErrorCode.invalid,
      'crypto.checksum.message',
    );
    expectCode(
      () =>
        decryptKeystore(withField(fast, 'crypto.cipher.params.iv', fast.crypto.cipher.params.iv.slice(2)), PASSWORD),
      KeystoreErrorCode.invalid,
      'crypto.cipher.params.iv',
    );
  });
});

// ---------------------------------------------------------------- strict validation

describe('validation of untrusted keystore JSON', () => {
  const cases: [string, unknown, string, string?][] = [
    // [name, json, code, field in message]
    ['null', null, KeystoreErrorCode.invalid],
    ['an array', [fast], KeystoreErrorCode.invalid],
    ['a string', JSON.stringify(fast), KeystoreErrorCode.invalid],
    ['missing version', withField(fast, 'version', undefined), KeystoreErrorCode.invalid, 'version'],
    ['version as a string', withField(fast, 'version', '4'), KeystoreErrorCode.invalid, 'version'],
    ['version 3', withField(fast, 'version', 3), KeystoreErrorCode.unsupported, 'version 3'],
    ['version 5', withField(fast, 'version', 5), KeystoreErrorCode.unsupported, 'version 5'],
    ['missing crypto', withField(fast, 'crypto', undefined), KeystoreErrorCode.invalid, 'crypto'],
    ['missing crypto.kdf', withField(fast, 'crypto.kdf', undefined), KeystoreErrorCode.invalid, 'crypto.kdf'],
    [
      'missing crypto.checksum',
      withField(fast, 'crypto.checksum', undefined),
      KeystoreErrorCode.invalid,
      'crypto.checksum',
    ],
    ['missing crypto.cipher', withField(fast, 'crypto.cipher', undefined), KeystoreErrorCode.invalid, 'crypto.cipher'],
    [
      'missing kdf params',
      withField(fast, 'crypto.kdf.params', undefined),
      KeystoreErrorCode.invalid,
      'crypto.kdf.params',
    ],
    [
      'missing kdf message',
      withField(fast, 'crypto.kdf.message', undefined),
      KeystoreErrorCode.invalid,
      'crypto.kdf.message',
    ],
    [
      'non-empty kdf message',
      withField(fast, 'crypto.kdf.message', 'ab'),
      KeystoreErrorCode.invalid,
      'crypto.kdf.message',
    ],
    [
      'missing salt',
      withField(fast, 'crypto.kdf.params.salt', undefined),
      KeystoreErrorCode.invalid,
      'crypto.kdf.params.salt',
    ],
    ['empty salt', withField(fast, 'crypto.kdf.params.salt', ''), KeystoreErrorCode.invalid, 'crypto.kdf.params.salt'],
    ['missing n', withField(fast, 'crypto.kdf.params.n', undefined), KeystoreErrorCode.invalid, 'crypto.kdf.params.n'],
    ['missing pubkey', withField(fast, 'pubkey', undefined), KeystoreErrorCode.invalid, 'pubkey'],
    ['missing path', withField(fast, 'path', undefined), KeystoreErrorCode.invalid, 'path'],
    ['missing uuid', withField(fast, 'uuid', undefined), KeystoreErrorCode.invalid, 'uuid'],
    ['malformed uuid', withField(fast, 'uuid', 'not-a-uuid'), KeystoreErrorCode.invalid, 'uuid'],
    ['description not a string', withField(fast, 'description', 7), KeystoreErrorCode.invalid, 'description'],
    [
      'non-hex salt',
      withField(fast, 'crypto.kdf.params.salt', 'zz'.repeat(32)),
      KeystoreErrorCode.invalid,
      'crypto.kdf.params.salt',
    ],
    [
      '0x-prefixed iv',
      withField(fast, 'crypto.cipher.params.iv', `0x${fast.crypto.cipher.params.iv.slice(2)}`),
      KeystoreErrorCode.invalid,
      'crypto.cipher.params.iv',
    ],
    [
      'odd-length cipher message',
      withField(fast, 'crypto.cipher.message', `${fast.crypto.cipher.message}0`),
      KeystoreErrorCode.invalid,
      'crypto.cipher.message',
    ],
    [
      'non-hex checksum',
      withField(fast, 'crypto.checksum.message', `g${fast.crypto.checksum.message.slice(1)}`),
      KeystoreErrorCode.invalid,
      'crypto.checksum.message',
    ],
    ['non-hex pubkey', withField(fast, 'pubkey', 'x'.repeat(96)), KeystoreErrorCode.invalid, 'pubkey'],
    ['short pubkey', withField(fast, 'pubkey', fast.pubkey.slice(2)), KeystoreErrorCode.invalid, 'pubkey'],
    [
      'n not a number',
      withField(fast, 'crypto.kdf.params.n', '1024'),
      KeystoreErrorCode.invalid,
      'crypto.kdf.params.n',
    ],
    ['n zero', withField(fast, 'crypto.kdf.params.n', 0), KeystoreErrorCode.invalid, 'crypto.kdf.params.n'],
    ['n not a power of two', withField(fast, 'crypto.kdf.params.n', 1000), KeystoreErrorCode.invalid, 'power of two'],
    ['fractional r', withField(fast, 'crypto.kdf.params.r', 1.5), KeystoreErrorCode.invalid, 'crypto.kdf.params.r'],
    ['negative p', withField(fast, 'crypto.kdf.params.p', -1), KeystoreErrorCode.invalid, 'crypto.kdf.params.p'],
    [
      'unknown kdf parameter',
      withField(fast, 'crypto.kdf.params.c', 5),
      KeystoreErrorCode.invalid,
      'crypto.kdf.params.c',
    ],
    ['dklen 64', withField(fast, 'crypto.kdf.params.dklen', 64), KeystoreErrorCode.unsupported, 'dklen'],
    ['dklen as a string', withField(fast, 'crypto.kdf.params.dklen', '32'), KeystoreErrorCode.invalid, 'dklen'],
    [
      'checksum params not empty',
      withField(fast, 'crypto.checksum.params', { salt: '00' }),
      KeystoreErrorCode.invalid,
      'crypto.checksum.params.salt',
    ],
    [
      'extra cipher param',
      withField(fast, 'crypto.cipher.params.tag', '00'),
      KeystoreErrorCode.invalid,
      'crypto.cipher.params.tag',
    ],
    ['unknown kdf', withField(fast, 'crypto.kdf.function', 'argon2id'), KeystoreErrorCode.unsupported, 'argon2id'],
    [
      'unknown cipher',
      withField(fast, 'crypto.cipher.function', 'aes-128-gcm'),
      KeystoreErrorCode.unsupported,
      'aes-128-gcm',
    ],
    [
      'unknown checksum',
      withField(fast, 'crypto.checksum.function', 'keccak256'),
      KeystoreErrorCode.unsupported,
      'keccak256',
    ],
    [
      'pbkdf2 with hmac-sha512',
      withField(PBKDF2_VECTOR, 'crypto.kdf.params.prf', 'hmac-sha512'),
      KeystoreErrorCode.unsupported,
      'hmac-sha512',
    ],
    [
      'pbkdf2 missing c',
      withField(PBKDF2_VECTOR, 'crypto.kdf.params.c', undefined),
      KeystoreErrorCode.invalid,
      'crypto.kdf.params.c',
    ],
    [
      'absurd scrypt n (2^40)',
      withField(fast, 'crypto.kdf.params.n', 2 ** 40),
      KeystoreErrorCode.kdfTooCostly,
      'n=1099511627776',
    ],
    ['scrypt n = 2^21', withField(fast, 'crypto.kdf.params.n', 2 ** 21), KeystoreErrorCode.kdfTooCostly, 'n=2097152'],
    [
      'scrypt n = 2^20 with r = 8 (1 GiB)',
      withField(fast, 'crypto.kdf.params.n', 2 ** 20),
      KeystoreErrorCode.kdfTooCostly,
      'MiB',
    ],
    [
      'scrypt r = 2^20 (memory)',
      withField(fast, 'crypto.kdf.params.r', 2 ** 20),
      KeystoreErrorCode.kdfTooCostly,
      'MiB',
    ],
    [
      'scrypt n = 2^18, p = 64 (time)',
      withField(withField(fast, 'crypto.kdf.params.n', 2 ** 18), 'crypto.kdf.params.p', 64),
      KeystoreErrorCode.kdfTooCostly,
      'n*r*p',
    ],
    [
      'pbkdf2 c = 2^23',
      withField(PBKDF2_VECTOR, 'crypto.kdf.params.c', 2 ** 23),
      KeystoreErrorCode.kdfTooCostly,
      'crypto.kdf.params.c',
    ],
    [
      'pbkdf2 c = 2^53',
      withField(PBKDF2_VECTOR, 'crypto.kdf.params.c', Number.MAX_SAFE_INTEGER),
      KeystoreErrorCode.kdfTooCostly,
      'crypto.kdf.params.c',
    ],
  ];

  it.each(cases)('%s', (_name, json, code, field) => {
    const t0 = performance.now();
    expectCode(() => decryptKeystore(json, PASSWORD), code, field);
    expectCode(() => parseKeystore(json), code, field);
    // Refused before any key derivation: no case may cost real KDF time.
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('a Web3 Secret Storage (v3, Ethereum 1) keystore is KEYSTORE_UNSUPPORTED', () => {
    const v3 = {
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: '00'.repeat(16) },
        ciphertext: '00'.repeat(32),
        kdf: 'scrypt',
        kdfparams: {},
        mac: '00'.repeat(32),
      },
      id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
      version: 3,
    };
    expectCode(() => decryptKeystore(v3, PASSWORD), KeystoreErrorCode.unsupported, 'version 3');
  });

  it('tolerates unknown top-level fields and uppercase hex, and returns a clean lowercase copy', () => {
    const odd = withField(withField(fast, 'name', 'ethdo adds this'), 'pubkey', fast.pubkey.toUpperCase());
    expect(decryptKeystore(odd, PASSWORD)).toEqual(sk);
    const clean = parseKeystore(odd);
    expect(clean).toEqual(fast);
    expect('name' in clean).toBe(false);
  });

  it('a non-string password is refused', () => {
    expectCode(() => decryptKeystore(fast, 42 as unknown as string), KeystoreErrorCode.invalid, 'password');
  });
});
