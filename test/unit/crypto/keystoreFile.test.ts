/**
 * Keystore files (src/crypto/keystoreFile.ts): written and read back safely.
 */
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blstBls, generateSecretKey } from '../../../src/crypto/blst.js';
import { KeystoreErrorCode, decryptKeystore, encryptKeystore } from '../../../src/crypto/keystore.js';
import type { Keystore } from '../../../src/crypto/keystore.js';
import { readKeystoreFile, writeKeystoreFile } from '../../../src/crypto/keystoreFile.js';
import { PASSWORD, expectCode, fast, pk, sk, withField } from '../../helpers/keystores.js';

// ---------------------------------------------------------------- files

describe('keystore files', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ourcoin-keystore-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const posix = process.platform !== 'win32';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

  it('writes mode 0600 in a new 0700 directory, leaves no temp file, and reads back', () => {
    const dir = path.join(root, 'new', 'keys');
    const file = path.join(dir, 'key.json');
    writeKeystoreFile(file, fast);
    if (posix) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    }
    expect(readdirSync(dir)).toEqual(['key.json']);
    const back = readKeystoreFile(file);
    expect(back).toEqual(fast);
    expect(decryptKeystore(back, PASSWORD, { bls: blstBls })).toEqual(sk);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(fast);
  });

  it('never overwrites: an existing path fails with KEYSTORE_EXISTS and stays byte-for-byte', () => {
    const file = path.join(root, 'existing.json');
    writeKeystoreFile(file, fast);
    const before = readFileSync(file);
    const other = encryptKeystore(generateSecretKey(), 'other', { publicKey: pk, scryptN: 2 });
    expectCode(() => writeKeystoreFile(file, other), KeystoreErrorCode.exists, file);
    expect(readFileSync(file).equals(before)).toBe(true);

    // Same for a file that is not a keystore at all.
    const notes = path.join(root, 'notes.txt');
    writeFileSync(notes, 'my precious notes\n');
    expectCode(() => writeKeystoreFile(notes, fast), KeystoreErrorCode.exists);
    expect(readFileSync(notes, 'utf8')).toBe('my precious notes\n');
    expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to write an invalid keystore, creating nothing', () => {
    const file = path.join(root, 'invalid.json');
    expectCode(
      () => writeKeystoreFile(file, withField(fast, 'version', 3) as unknown as Keystore),
      KeystoreErrorCode.unsupported,
    );
    expect(readdirSync(root)).not.toContain('invalid.json');
  });

  it('reading a missing file is KEYSTORE_NOT_FOUND naming the file', () => {
    const file = path.join(root, 'missing.json');
    expectCode(() => readKeystoreFile(file), KeystoreErrorCode.notFound, file);
  });

  it('garbage, non-keystore JSON and oversized files are KEYSTORE_INVALID naming the file', () => {
    const garbage = path.join(root, 'garbage.json');
    writeFileSync(garbage, '{"crypto": {oops');
    expectCode(() => readKeystoreFile(garbage), KeystoreErrorCode.invalid, `${garbage} is not valid JSON`);

    const binary = path.join(root, 'binary.json');
    writeFileSync(binary, Uint8Array.from([0xff, 0xfe, 0x00, 0x01]));
    expectCode(() => readKeystoreFile(binary), KeystoreErrorCode.invalid, binary);

    const foreign = path.join(root, 'foreign.json');
    writeFileSync(foreign, JSON.stringify(withField(fast, 'crypto.cipher.params.iv', undefined)));
    expectCode(
      () => readKeystoreFile(foreign),
      KeystoreErrorCode.invalid,
      `${foreign}: keystore crypto.cipher.params.iv`,
    );

    const costly = path.join(root, 'costly.json');
    writeFileSync(costly, JSON.stringify(withField(fast, 'crypto.kdf.params.n', 2 ** 30)));
    expectCode(() => readKeystoreFile(costly), KeystoreErrorCode.kdfTooCostly, costly);

    const big = path.join(root, 'big.json');
    writeFileSync(big, ' '.repeat(100_000));
    expectCode(() => readKeystoreFile(big), KeystoreErrorCode.invalid, big);
  });

  it('a directory or an unreadable file is KEYSTORE_UNREADABLE naming the path', () => {
    const dir = path.join(root, 'a-directory.json');
    mkdirSync(dir);
    expectCode(() => readKeystoreFile(dir), KeystoreErrorCode.unreadable, dir);
  });

  it.skipIf(!posix || isRoot)('a file without read permission is KEYSTORE_UNREADABLE', () => {
    const file = path.join(root, 'locked.json');
    writeKeystoreFile(file, fast);
    chmodSync(file, 0o000);
    try {
      expectCode(() => readKeystoreFile(file), KeystoreErrorCode.unreadable, file);
    } finally {
      chmodSync(file, 0o600);
    }
  });
});
