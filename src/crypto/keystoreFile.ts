/**
 * Keystore files on disk (node only): atomic, never-overwriting writes and validated reads.
 *
 * `writeKeystoreFile` writes the JSON to a temporary file in the target's directory (mode
 * 0600), fsyncs it, then hard-links it to the target name. link(2) fails with EEXIST instead of
 * replacing, so an existing keystore is never overwritten (KEYSTORE_EXISTS), and a reader never
 * sees a half-written file. On filesystems without hard links it falls back to creating the
 * target with O_EXCL ('wx'), which still never overwrites. A missing directory is created 0700.
 *
 * `readKeystoreFile` returns the validated keystore (see `parseKeystore`) and names the file in
 * every error: KEYSTORE_NOT_FOUND, KEYSTORE_UNREADABLE, KEYSTORE_INVALID (not JSON, too large,
 * or not a keystore), KEYSTORE_UNSUPPORTED, KEYSTORE_KDF_TOO_COSTLY.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { OurCoinError, isOurCoinError } from '../errors.js';
import type { CodeOf } from '../errors.js';
import { KeystoreErrorCode, parseKeystore } from './keystore.js';
import type { Keystore } from './keystore.js';

/** A keystore is about 1 KiB; anything much bigger is not one, and is not read into memory. */
export const MAX_KEYSTORE_FILE_SIZE = 64 * 1024;

function fail(code: CodeOf<typeof KeystoreErrorCode>, message: string, cause?: unknown): OurCoinError {
  return new OurCoinError(code, message, 'input', cause === undefined ? undefined : { cause });
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err)
    return typeof err.code === 'string' ? err.code : undefined;
  return undefined;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function writeAll(fd: number, data: Uint8Array): void {
  let at = 0;
  while (at < data.length) at += writeSync(fd, data, at, data.length - at);
}

/** Writes `data` to a new file at `file` (O_EXCL, mode 0600) and fsyncs it. Throws EEXIST as is. */
function createFile(file: string, data: Uint8Array): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600); // the umask may have removed bits; never add any beyond 0600
    writeAll(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Best effort: makes the new directory entry durable. Not possible on every platform. */
function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open or fsync a directory; the file itself is already fsynced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/**
 * Writes `keystore` (validated first with `parseKeystore`) as pretty JSON to `file`, atomically,
 * mode 0600. Fails with KEYSTORE_EXISTS, leaving the existing file untouched, if `file` exists;
 * KEYSTORE_WRITE_FAILED on any other OS error.
 */
export function writeKeystoreFile(file: string, keystore: Keystore): void {
  const clean = parseKeystore(keystore);
  const data = new TextEncoder().encode(`${JSON.stringify(clean, null, 2)}\n`);
  const target = path.resolve(file);
  const dir = path.dirname(target);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fail(KeystoreErrorCode.writeFailed, `cannot create keystore directory ${dir}: ${message(err)}`, err);
  }
  const exists = (err: unknown): OurCoinError =>
    fail(KeystoreErrorCode.exists, `keystore file ${target} already exists; refusing to overwrite it`, err);

  const tmp = path.join(dir, `.${path.basename(target)}.${randomBytes(8).toString('hex')}.tmp`);
  try {
    createFile(tmp, data);
  } catch (err) {
    throw fail(KeystoreErrorCode.writeFailed, `cannot write keystore file in ${dir}: ${message(err)}`, err);
  }
  try {
    try {
      linkSync(tmp, target);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'EEXIST') throw exists(err);
      if (code === undefined || !NO_HARD_LINKS.has(code)) throw err;
      // No hard links here (some FUSE, SMB, FAT mounts): O_EXCL create still never overwrites,
      // though a crash mid-write could leave a partial file behind.
      try {
        createFile(target, data);
      } catch (err2) {
        if (errnoCode(err2) === 'EEXIST') throw exists(err2);
        throw err2;
      }
    }
  } catch (err) {
    if (isOurCoinError(err)) throw err;
    throw fail(KeystoreErrorCode.writeFailed, `cannot write keystore file ${target}: ${message(err)}`, err);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone, nothing to clean up
    }
  }
  fsyncDirectory(dir);
}

/** Reads and validates the keystore at `file`. Does not decrypt it (no password needed). */
export function readKeystoreFile(file: string): Keystore {
  const target = path.resolve(file);
  let text: string;
  let fd: number;
  try {
    fd = openSync(target, 'r');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT')
      throw fail(KeystoreErrorCode.notFound, `keystore file ${target} does not exist`, err);
    throw fail(KeystoreErrorCode.unreadable, `cannot read keystore file ${target}: ${message(err)}`, err);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw fail(KeystoreErrorCode.unreadable, `keystore path ${target} is not a regular file`);
    if (stat.size > MAX_KEYSTORE_FILE_SIZE) {
      throw fail(
        KeystoreErrorCode.invalid,
        `keystore file ${target} is ${stat.size} bytes; a keystore is at most ${MAX_KEYSTORE_FILE_SIZE}`,
      );
    }
    const buf = new Uint8Array(MAX_KEYSTORE_FILE_SIZE + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > MAX_KEYSTORE_FILE_SIZE) {
        throw fail(KeystoreErrorCode.invalid, `keystore file ${target} is larger than ${MAX_KEYSTORE_FILE_SIZE} bytes`);
      }
    }
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, n));
    } catch (err) {
      throw fail(KeystoreErrorCode.invalid, `keystore file ${target} is not UTF-8 text`, err);
    }
  } catch (err) {
    if (isOurCoinError(err)) throw err;
    throw fail(KeystoreErrorCode.unreadable, `cannot read keystore file ${target}: ${message(err)}`, err);
  } finally {
    closeSync(fd);
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw fail(KeystoreErrorCode.invalid, `keystore file ${target} is not valid JSON: ${message(err)}`, err);
  }
  try {
    return parseKeystore(json);
  } catch (err) {
    if (isOurCoinError(err)) throw new OurCoinError(err.code, `${target}: ${err.message}`, err.kind, { cause: err });
    throw err;
  }
}
