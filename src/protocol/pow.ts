/**
 * Proof of work (protocol v2): the message a miner hashes, targets, Bitcoin's compact "bits"
 * encoding, and work.
 *
 *   headerCommitment = sha256(header bytes 0..112)        (the whole header except the nonce)
 *   powMessage       = nonce u64 | headerCommitment (32) | "OurCoin proof of work v2" (24)   (64 bytes)
 *   blockHash        = sha256(powMessage)
 *
 * One SHA-256 of one 64-byte message per nonce, so a miner can hash nonces in batches with a
 * native multi-buffer SHA-256 (@chainsafe/hashtree). The nonce comes first so that no round of
 * the compression can be computed once per template (docs/decisions/0017-proof-of-work-v2.md).
 * A header is valid when its block hash, read as a 256-bit big-endian integer, is <= its
 * target. The target travels as 4 "bits" bytes (exponent byte, 3-byte mantissa). Only the
 * canonical encoding of a target is accepted: positive, no overflow, and bits ==
 * encodeCompact(decodeCompact(bits)). Work of a block = floor(2^256 / (target + 1)).
 * Also the one way hash rates are shown to people (the node's status line, the explorer).
 */
import { OurCoinError } from '../errors.js';
import { bytesToBigInt } from './bytes.js';
import { sha256 } from './hash.js';
import type { CodeOf } from '../errors.js';

export const PowErrorCode = {
  badBits: 'POW_BAD_BITS',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    pow: CodeOf<typeof PowErrorCode>;
  }
}

const TWO_256 = 1n << 256n;

/** Bytes of the header before the nonce: what `headerCommitment` hashes. */
export const HEADER_COMMITTED_LENGTH = 112;
/** The proof-of-work message: one SHA-256 block of input. */
export const POW_MESSAGE_LENGTH = 64;
export const POW_NONCE_OFFSET = 0;
export const POW_COMMITMENT_OFFSET = 8;
export const POW_TAG_OFFSET = 40;
/** Fixed bytes 40..64 of every proof-of-work message (24 ASCII bytes). */
export const POW_TAG = new TextEncoder().encode('OurCoin proof of work v2');
/** Nonces are u64: 2^64 a template, so no miner ever needs to move the timestamp for fresh hashes. */
export const MAX_HEADER_NONCE = (1n << 64n) - 1n;

/** sha256 of a header's encoding without its nonce (the first 112 bytes). */
export function headerCommitment(headerEncoding: Uint8Array): Uint8Array {
  return sha256(headerEncoding.subarray(0, HEADER_COMMITTED_LENGTH));
}

/** The 64-byte message whose SHA-256 is the block hash. */
export function powMessage(commitment: Uint8Array, nonce: bigint): Uint8Array {
  const message = new Uint8Array(POW_MESSAGE_LENGTH);
  new DataView(message.buffer).setBigUint64(POW_NONCE_OFFSET, nonce, false);
  message.set(commitment, POW_COMMITMENT_OFFSET);
  message.set(POW_TAG, POW_TAG_OFFSET);
  return message;
}

/** The last bits decoded: headers of one retarget period share them (a light client decodes 100,000 in a row). */
let lastDecoded: { readonly bits: number; readonly target: bigint } | undefined;

/** Decodes compact bits; throws POW_BAD_BITS unless the encoding is canonical and positive. */
export function decodeCompact(bits: number): bigint {
  if (lastDecoded?.bits === bits) return lastDecoded.target;
  const size = bits >>> 24;
  const mantissa = bits & 0x007f_ffff;
  if (bits & 0x0080_0000) throw badBits(bits, 'negative target');
  const target = size <= 3 ? BigInt(mantissa >>> (8 * (3 - size))) : BigInt(mantissa) << BigInt(8 * (size - 3));
  if (target === 0n) throw badBits(bits, 'zero target');
  if (target >= TWO_256) throw badBits(bits, 'target overflows 256 bits');
  if (encodeCompact(target) !== bits) throw badBits(bits, 'non-canonical encoding');
  lastDecoded = { bits, target };
  return target;
}

export function encodeCompact(target: bigint): number {
  if (target <= 0n) throw badBits(0, 'target must be positive');
  let size = Math.ceil(target.toString(16).length / 2);
  let mantissa = size <= 3 ? Number(target) << (8 * (3 - size)) : Number(target >> BigInt(8 * (size - 3)));
  if (mantissa & 0x0080_0000) {
    mantissa >>>= 8;
    size += 1;
  }
  return ((size << 24) | mantissa) >>> 0;
}

function badBits(bits: number, why: string): OurCoinError {
  return new OurCoinError(PowErrorCode.badBits, `bits 0x${bits.toString(16).padStart(8, '0')}: ${why}`, 'consensus');
}

export function hashMeetsTarget(hash: Uint8Array, target: bigint): boolean {
  return bytesToBigInt(hash) <= target;
}

export function workForTarget(target: bigint): bigint {
  return TWO_256 / (target + 1n);
}

/** Work of a header with these bits: what the node's and the light client's fork choice add up. */
export function workOfBits(bits: number): bigint {
  return workForTarget(decodeCompact(bits));
}

const HASH_RATE_UNITS = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s'] as const;

/** A hash rate for people: `950 H/s`, `12.35 kH/s`, `3.40 MH/s`, up to TH/s. */
export function formatHashRate(hashesPerSecond: number): string {
  let rate = hashesPerSecond;
  let unit = 0;
  while (rate >= 1000 && unit < HASH_RATE_UNITS.length - 1) {
    rate /= 1000;
    unit++;
  }
  return `${rate.toFixed(unit === 0 ? 0 : 2)} ${HASH_RATE_UNITS[unit]}`;
}
