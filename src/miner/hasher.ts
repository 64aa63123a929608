/**
 * The miner's hot loop: the proof-of-work hash (protocol v2, src/protocol/pow.ts) over a range
 * of nonces of one header.
 *
 * A nonce's hash is the SHA-256 of one 64-byte message, `nonce | headerCommitment | tag`. Per
 * job the commitment and the tag are written once into every slot of a batch buffer; per batch
 * only the nonces are written, the whole batch is hashed in one call, and each digest's first
 * big-endian word is compared with the target's (the rest only when it ties), with no BigInt
 * and no allocation per nonce.
 *
 * Backends, chosen once at start (`loadPowHasher`) and named in the node's banner:
 * - `hashtree`: @chainsafe/hashtree's `hashInto`, native multi-buffer SHA-256 (SHA-NI / AVX2)
 *   of many 64-byte messages in one call, as Lodestar uses it for merkle trees.
 * - `noble`: where the native package cannot load, @noble/hashes' compression function driven
 *   by hand (two compressions a message: the message block and the fixed padding block). This
 *   file only lays out the padding; it never implements a SHA-256 round.
 * Why the protocol hashes one 64-byte message: docs/decisions/0017-proof-of-work-v2.md.
 */
import { createRequire } from 'node:module';
import { _SHA256, sha256 } from '@noble/hashes/sha2.js';
import { HEADER_LENGTH } from '../protocol/block.js';
import { bytesEqual } from '../protocol/bytes.js';
import {
  MAX_HEADER_NONCE,
  POW_COMMITMENT_OFFSET,
  POW_MESSAGE_LENGTH,
  POW_NONCE_OFFSET,
  POW_TAG,
  POW_TAG_OFFSET,
  headerCommitment,
  powMessage,
} from '../protocol/pow.js';

/** Every u64 nonce: a job's space; no miner exhausts it, so the timestamp never has to move. */
export const NONCE_SPACE = MAX_HEADER_NONCE + 1n;
const DIGEST = 32;
const MAX_TARGET = (1n << 256n) - 1n;
/** Messages hashed per call: enough for hashtree's multi-buffer lanes, small enough for L1/L2. */
export const BATCH = 1024;

export type PowHasherName = 'hashtree' | 'noble';

/** How the node's banner names each backend. */
export const POW_HASHER_DESCRIPTION: Readonly<Record<PowHasherName, string>> = {
  hashtree: 'SHA-256 by hashtree, native',
  noble: 'SHA-256 by noble, pure JS: hashtree did not load',
};

/** SHA-256 of each 64-byte message of `input` into the matching 32 bytes of `output`. */
export interface PowHasher {
  readonly name: PowHasherName;
  hashInto(input: Uint8Array, output: Uint8Array): void;
}

/** noble's SHA-256 with its state driven by hand: compress one message block, then the padding. */
class Sha256OfBlock extends _SHA256 {
  private readonly iv: number[];
  private readonly padding: DataView;

  constructor() {
    super();
    this.iv = this.get();
    // The second block of every 64-byte message: 0x80, zeros, and the length in bits (512).
    const padding = new Uint8Array(POW_MESSAGE_LENGTH);
    padding[0] = 0x80;
    this.padding = new DataView(padding.buffer);
    this.padding.setUint32(POW_MESSAGE_LENGTH - 4, POW_MESSAGE_LENGTH * 8);
  }

  hashInto(input: Uint8Array, output: Uint8Array): void {
    const inView = new DataView(input.buffer, input.byteOffset, input.byteLength);
    const outView = new DataView(output.buffer, output.byteOffset, output.byteLength);
    const iv = this.iv;
    for (let i = 0, o = 0; i < input.length; i += POW_MESSAGE_LENGTH, o += DIGEST) {
      this.set(iv[0]!, iv[1]!, iv[2]!, iv[3]!, iv[4]!, iv[5]!, iv[6]!, iv[7]!);
      this.process(inView, i);
      this.process(this.padding, 0);
      outView.setUint32(o, this.A);
      outView.setUint32(o + 4, this.B);
      outView.setUint32(o + 8, this.C);
      outView.setUint32(o + 12, this.D);
      outView.setUint32(o + 16, this.E);
      outView.setUint32(o + 20, this.F);
      outView.setUint32(o + 24, this.G);
      outView.setUint32(o + 28, this.H);
    }
  }
}

function nobleHasher(): PowHasher {
  const sha = new Sha256OfBlock();
  return { name: 'noble', hashInto: (input, output) => sha.hashInto(input, output) };
}

/** hashtree if it loads and hashes right, else noble; `prefer: 'noble'` skips the native one. */
export function loadPowHasher(prefer: PowHasherName = 'hashtree'): PowHasher {
  const fallback = nobleHasher();
  selfCheck(fallback);
  if (prefer === 'noble') return fallback;
  try {
    const native = createRequire(import.meta.url)('@chainsafe/hashtree') as Pick<PowHasher, 'hashInto'>;
    const hasher: PowHasher = { name: 'hashtree', hashInto: (input, output) => native.hashInto(input, output) };
    selfCheck(hasher);
    return hasher;
  } catch {
    // No prebuilt binary for this platform (or a broken one): mine in pure JS.
    return fallback;
  }
}

let defaultHasher: PowHasher | undefined;

/** The backend `loadPowHasher()` picks, loaded once per thread. */
export function defaultPowHasher(): PowHasher {
  return (defaultHasher ??= loadPowHasher());
}

/** Known answer against noble's plain sha256 on a few messages, before a backend mines. */
function selfCheck(hasher: PowHasher): void {
  const input = new Uint8Array(3 * POW_MESSAGE_LENGTH).map((_, i) => (i * 7 + 3) & 0xff);
  const output = new Uint8Array(3 * DIGEST);
  hasher.hashInto(input, output);
  for (let i = 0; i < 3; i++) {
    const want = sha256(input.subarray(i * POW_MESSAGE_LENGTH, (i + 1) * POW_MESSAGE_LENGTH));
    if (!bytesEqual(output.subarray(i * DIGEST, (i + 1) * DIGEST), want)) {
      throw new Error(`proof-of-work hasher ${hasher.name} failed its self-check`);
    }
  }
}

export interface NonceSearchResult {
  /** The first nonce of the range whose hash meets the target, if any. */
  readonly nonce: bigint | undefined;
  /** Nonces hashed: up to and including `nonce`, or the whole range. */
  readonly tried: number;
}

function targetWords(target: bigint): Uint32Array {
  if (target < 0n) throw new RangeError('target must not be negative');
  let t = target > MAX_TARGET ? MAX_TARGET : target;
  const words = new Uint32Array(8);
  for (let i = 7; i >= 0; i--) {
    words[i] = Number(t & 0xffff_ffffn);
    t >>= 32n;
  }
  return words;
}

const TWO_32 = 2 ** 32;

/** Searches nonces of one header and target in batches. */
export class NonceSearcher {
  private readonly target: Uint32Array;
  private readonly input = new Uint8Array(BATCH * POW_MESSAGE_LENGTH);
  private readonly output = new Uint8Array(BATCH * DIGEST);
  private readonly inView = new DataView(this.input.buffer);
  private readonly outView = new DataView(this.output.buffer);

  constructor(
    header: Uint8Array,
    target: bigint,
    private readonly hasher: PowHasher,
  ) {
    if (header.length !== HEADER_LENGTH)
      throw new RangeError(`header must be ${HEADER_LENGTH} bytes, got ${header.length}`);
    this.target = targetWords(target);
    const commitment = headerCommitment(header);
    for (let at = 0; at < this.input.length; at += POW_MESSAGE_LENGTH) {
      this.input.set(commitment, at + POW_COMMITMENT_OFFSET);
      this.input.set(POW_TAG, at + POW_TAG_OFFSET);
    }
  }

  /** The first nonce in [start, start + count) whose hash meets the target. */
  search(start: bigint, count: number): NonceSearchResult {
    if (start < 0n || start > NONCE_SPACE) throw new RangeError(`start nonce ${start} is not in [0, 2^64]`);
    if (!Number.isSafeInteger(count) || count < 0 || start + BigInt(count) > NONCE_SPACE) {
      throw new RangeError(`count ${count} from nonce ${start} goes past 2^64`);
    }
    const { inView, outView, target } = this;
    const t0 = target[0]!;
    let hi = Number(start >> 32n);
    let lo = Number(start & 0xffff_ffffn);
    for (let done = 0; done < count;) {
      const n = Math.min(BATCH, count - done);
      for (let i = 0, at = POW_NONCE_OFFSET; i < n; i++, at += POW_MESSAGE_LENGTH) {
        inView.setUint32(at, hi);
        inView.setUint32(at + 4, lo);
        if (++lo === TWO_32) {
          lo = 0;
          hi++;
        }
      }
      this.hasher.hashInto(this.input.subarray(0, n * POW_MESSAGE_LENGTH), this.output.subarray(0, n * DIGEST));
      for (let i = 0, at = 0; i < n; i++, at += DIGEST) {
        if (outView.getUint32(at) <= t0 && this.meets(at)) {
          return { nonce: start + BigInt(done + i), tried: done + i + 1 };
        }
      }
      done += n;
    }
    return { nonce: undefined, tried: count };
  }

  /** The proof-of-work hash of the header with `nonce` (tests and self-checks). */
  hashOf(nonce: bigint): Uint8Array {
    const message = powMessage(this.input.subarray(POW_COMMITMENT_OFFSET, POW_TAG_OFFSET), nonce);
    const out = new Uint8Array(DIGEST);
    this.hasher.hashInto(message, out);
    return out;
  }

  /** The digest at `at`, read as a big-endian 256-bit number, is <= the target. */
  private meets(at: number): boolean {
    const { outView, target } = this;
    for (let w = 0; w < 8; w++) {
      const word = outView.getUint32(at + 4 * w);
      if (word !== target[w]) return word < target[w]!;
    }
    return true;
  }
}

/** The first nonce in [start, start + count) whose proof-of-work hash is <= target. */
export function searchNonces(
  header: Uint8Array,
  target: bigint,
  start: bigint,
  count: number,
  hasher: PowHasher = defaultPowHasher(),
): NonceSearchResult {
  return new NonceSearcher(header, target, hasher).search(start, count);
}
