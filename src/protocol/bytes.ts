/**
 * Canonical binary encoding primitives: a bounds-checked reader and a growable writer.
 *
 * All integers are unsigned big-endian. The reader never reads past its input, and
 * `finish()` rejects trailing bytes, so every decoder built on it is strict by construction.
 * Hex in the JSON forms is lowercase with a `0x` prefix.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { OurCoinError } from '../errors.js';
import type { CodeOf, ErrorCode } from '../errors.js';

/** Constant-time over equal lengths; defined in crypto, which sits below protocol. */
export { bytesEqual } from '../crypto/constantTime.js';

export const EncodingErrorCode = {
  truncated: 'ENCODING_TRUNCATED',
  trailingBytes: 'ENCODING_TRAILING_BYTES',
  outOfRange: 'ENCODING_OUT_OF_RANGE',
  badHex: 'ENCODING_BAD_HEX',
  badLength: 'ENCODING_BAD_LENGTH',
  badType: 'ENCODING_BAD_TYPE',
  tooLarge: 'ENCODING_TOO_LARGE',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    encoding: CodeOf<typeof EncodingErrorCode>;
  }
}

function encodingError(code: CodeOf<typeof EncodingErrorCode>, message: string): OurCoinError {
  return new OurCoinError(code, message, 'encoding');
}

export class ByteReader {
  private offset = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  bytesN(n: number, field: string): Uint8Array {
    if (this.remaining < n) {
      throw encodingError(
        EncodingErrorCode.truncated,
        `${this.what}: ${field} needs ${n} bytes, ${this.remaining} left`,
      );
    }
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  u8(field: string): number {
    return this.bytesN(1, field)[0]!;
  }

  u32(field: string): number {
    const b = this.bytesN(4, field);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false);
  }

  u64(field: string): bigint {
    const b = this.bytesN(8, field);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);
  }

  finish(): void {
    if (this.remaining !== 0) {
      throw encodingError(EncodingErrorCode.trailingBytes, `${this.what}: ${this.remaining} trailing bytes`);
    }
  }
}

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  u8(n: number): this {
    assertUint(n, 0xff, 'u8');
    this.reserve(1);
    this.view.setUint8(this.length, n);
    this.length += 1;
    return this;
  }

  u32(n: number): this {
    assertUint(n, 0xffff_ffff, 'u32');
    this.reserve(4);
    this.view.setUint32(this.length, n, false);
    this.length += 4;
    return this;
  }

  u64(n: bigint): this {
    if (n < 0n || n > 0xffff_ffff_ffff_ffffn) {
      throw encodingError(EncodingErrorCode.outOfRange, `u64 out of range: ${n}`);
    }
    this.reserve(8);
    this.view.setBigUint64(this.length, n, false);
    this.length += 8;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function assertUint(n: number, max: number, type: string): void {
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw encodingError(EncodingErrorCode.outOfRange, `${type} out of range: ${n}`);
  }
}

export function toHex(bytes: Uint8Array): string {
  return '0x' + bytesToHex(bytes);
}

/** Parses `0x`-prefixed hex; with `length`, the decoded byte length must match exactly. */
export function fromHex(hex: unknown, field: string, length?: number): Uint8Array {
  // No repeated group in the pattern: on a block's 8 MB of hex one cost up to 0.6 s of main thread.
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^0x[0-9a-fA-F]*$/.test(hex)) {
    throw encodingError(EncodingErrorCode.badHex, `${field}: expected 0x-prefixed hex with an even number of digits`);
  }
  const bytes = hexToBytes(hex.slice(2));
  if (length !== undefined && bytes.length !== length) {
    throw encodingError(EncodingErrorCode.badLength, `${field}: expected ${length} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/** What an integer field of the JSON forms may hold: a u32, or a nonce (below 2^53). */
const JSON_UINT = {
  u32: { max: 0xffff_ffff, expected: 'an unsigned 32-bit integer' },
  safe: { max: Number.MAX_SAFE_INTEGER, expected: 'a non-negative integer' },
} as const;

/** Reads an integer field of the JSON forms; anything else throws `code` naming `field`. */
export function uintFromJson(value: unknown, field: string, width: keyof typeof JSON_UINT, code: ErrorCode): number {
  const { max, expected } = JSON_UINT[width];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new OurCoinError(code, `${field}: expected ${expected}`, 'input');
  }
  return value;
}

/** Reads a u64 field of the JSON forms, a decimal string without sign or leading zeros. */
export function u64FromJson(value: unknown, field: string): bigint {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,19})$/.test(value) || BigInt(value) > 0xffff_ffff_ffff_ffffn) {
    throw encodingError(
      EncodingErrorCode.outOfRange,
      `${field}: expected an unsigned 64-bit integer as a decimal string`,
    );
  }
  return BigInt(value);
}

/** Returns `b` if it is exactly `n` bytes long, else throws ENCODING_BAD_LENGTH naming `field`. */
export function checkLength(b: Uint8Array, n: number, field: string): Uint8Array {
  if (b.length !== n)
    throw encodingError(EncodingErrorCode.badLength, `${field}: expected ${n} bytes, got ${b.length}`);
  return b;
}

/** Big-endian bytes <-> bigint, used for targets and cumulative work. */
export function bytesToBigInt(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + bytesToHex(b));
}

export function bigIntToBytes(n: bigint, length: number): Uint8Array {
  if (n < 0n || n >= 1n << BigInt(length * 8)) {
    throw encodingError(EncodingErrorCode.outOfRange, `integer does not fit in ${length} bytes`);
  }
  return hexToBytes(n.toString(16).padStart(length * 2, '0'));
}
