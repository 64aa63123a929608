/**
 * The miner's hot loop: sha256d over a range of nonces of one 116-byte header.
 *
 * SHA-256 reads a 116-byte header as two 64-byte blocks. The first one (version .. the start
 * of txRoot) does not change while the nonce moves, so it is compressed once per job (the
 * "midstate"); each nonce then costs exactly two compressions: the second block (the rest
 * of the header, its padding and length) and the one block of the outer SHA-256 (the
 * 32-byte digest, padding and length). The compression function is @noble/hashes' own,
 * reached through a subclass of its `_SHA256` class; this file only lays out the fixed
 * padding blocks and never implements any SHA-256 round. Hashes are compared with the
 * target word by word (big-endian), leaving at the first differing word, with no BigInt
 * and no allocation per nonce. Why this and not node:crypto: docs/decisions/0008-parallel-miner.md.
 */
import { _SHA256, sha256 } from '@noble/hashes/sha2.js';
import { HEADER_LENGTH } from '../protocol/block.js';
import { bytesEqual } from '../protocol/bytes.js';

/** Nonces are u32: a range never goes past this. */
export const NONCE_SPACE = 2 ** 32;
const NONCE_OFFSET = HEADER_LENGTH - 4;
const BLOCK = 64;
const MAX_TARGET = (1n << 256n) - 1n;

export interface NonceSearchResult {
  /** The first nonce of the range whose hash meets the target, if any. */
  readonly nonce: number | undefined;
  /** Nonces hashed: up to and including `nonce`, or the whole range. */
  readonly tried: number;
}

/**
 * noble's SHA-256 with its chaining state driven by hand: load a state, compress one
 * 64-byte block. Only noble's `process` (the compression function) runs the rounds.
 */
class Sha256d116 extends _SHA256 {
  private readonly iv: number[];
  private mid: number[];

  constructor() {
    super();
    this.iv = this.get();
    this.mid = this.iv;
  }

  /** Compresses the first 64 header bytes from the initial state: the job's midstate. */
  setMidstate(first: DataView): void {
    this.load(this.iv);
    this.process(first, 0);
    this.mid = this.get();
  }

  /**
   * sha256d of the header whose padded second block is `tail`: the inner digest is written
   * into the first 32 bytes of the padded block `outer`, and the outer digest stays in the
   * state words, read by `meets`.
   */
  hash(tail: DataView, outer: DataView): void {
    this.load(this.mid);
    this.process(tail, 0);
    outer.setUint32(0, this.A);
    outer.setUint32(4, this.B);
    outer.setUint32(8, this.C);
    outer.setUint32(12, this.D);
    outer.setUint32(16, this.E);
    outer.setUint32(20, this.F);
    outer.setUint32(24, this.G);
    outer.setUint32(28, this.H);
    this.load(this.iv);
    this.process(outer, 0);
  }

  /** The last digest, read as a big-endian 256-bit number, is <= the target (8 big-endian words). */
  meets(t: Uint32Array): boolean {
    let w = this.A >>> 0;
    if (w !== t[0]) return w < t[0]!;
    w = this.B >>> 0;
    if (w !== t[1]) return w < t[1]!;
    w = this.C >>> 0;
    if (w !== t[2]) return w < t[2]!;
    w = this.D >>> 0;
    if (w !== t[3]) return w < t[3]!;
    w = this.E >>> 0;
    if (w !== t[4]) return w < t[4]!;
    w = this.F >>> 0;
    if (w !== t[5]) return w < t[5]!;
    w = this.G >>> 0;
    if (w !== t[6]) return w < t[6]!;
    w = this.H >>> 0;
    return w <= t[7]!;
  }

  /** The last digest as bytes (self-check only). */
  digestBytes(): Uint8Array {
    const out = new Uint8Array(32);
    const view = new DataView(out.buffer);
    this.get().forEach((w, i) => view.setUint32(4 * i, w));
    return out;
  }

  private load(s: number[]): void {
    this.set(s[0]!, s[1]!, s[2]!, s[3]!, s[4]!, s[5]!, s[6]!, s[7]!);
  }
}

/** A padded final SHA-256 block holding `data` (< 56 bytes) for a message of `messageLength` bytes. */
function paddedBlock(data: Uint8Array, messageLength: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  block.set(data);
  block[data.length] = 0x80;
  new DataView(block.buffer).setUint32(BLOCK - 4, messageLength * 8);
  return block;
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

/** Searches nonces of one header and target; keeps the midstate between calls. */
export class NonceSearcher {
  private readonly hasher = new Sha256d116();
  private readonly target: Uint32Array;
  private readonly tailBlock: Uint8Array;
  private readonly tail: DataView;
  private readonly outer: DataView;

  constructor(header116: Uint8Array, target: bigint) {
    if (header116.length !== HEADER_LENGTH) {
      throw new RangeError(`header must be ${HEADER_LENGTH} bytes, got ${header116.length}`);
    }
    this.target = targetWords(target);
    const first = header116.slice(0, BLOCK);
    this.hasher.setMidstate(new DataView(first.buffer));
    this.tailBlock = paddedBlock(header116.subarray(BLOCK), HEADER_LENGTH);
    this.tail = new DataView(this.tailBlock.buffer);
    this.outer = new DataView(paddedBlock(new Uint8Array(32), 32).buffer);
  }

  /** The first nonce in [startNonce, startNonce + count) whose sha256d meets the target. */
  search(startNonce: number, count: number): NonceSearchResult {
    if (!Number.isInteger(startNonce) || startNonce < 0 || startNonce > NONCE_SPACE) {
      throw new RangeError(`startNonce ${startNonce} is not in [0, 2^32]`);
    }
    if (!Number.isInteger(count) || count < 0 || startNonce + count > NONCE_SPACE) {
      throw new RangeError(`count ${count} from nonce ${startNonce} goes past 2^32`);
    }
    const { hasher, target, tail, outer } = this;
    const at = NONCE_OFFSET - BLOCK;
    const end = startNonce + count;
    for (let nonce = startNonce; nonce < end; nonce++) {
      tail.setUint32(at, nonce);
      hasher.hash(tail, outer);
      if (hasher.meets(target)) return { nonce, tried: nonce - startNonce + 1 };
    }
    return { nonce: undefined, tried: count };
  }

  /** sha256d of the header with `nonce` (self-check and tests). */
  hashOf(nonce: number): Uint8Array {
    this.tail.setUint32(NONCE_OFFSET - BLOCK, nonce);
    this.hasher.hash(this.tail, this.outer);
    return this.hasher.digestBytes();
  }
}

/** The first nonce in [startNonce, startNonce + count) whose sha256d(header) <= target. */
export function searchNonces(
  header116: Uint8Array,
  target: bigint,
  startNonce: number,
  count: number,
): NonceSearchResult {
  return new NonceSearcher(header116, target).search(startNonce, count);
}

/**
 * Known-answer check at load: this file reaches into noble's internal class, so a noble
 * release that changed it must fail loudly here rather than mine invalid hashes.
 */
function selfCheck(): void {
  const header = new Uint8Array(HEADER_LENGTH).map((_, i) => (i * 7 + 3) & 0xff);
  const nonce = 0x01020304;
  new DataView(header.buffer).setUint32(NONCE_OFFSET, nonce);
  const want = sha256(sha256(header));
  const got = new NonceSearcher(header, 0n).hashOf(nonce);
  if (!bytesEqual(got, want)) {
    throw new Error('miner hasher self-check failed: @noble/hashes internals changed, see src/miner/hasher.ts');
  }
}
selfCheck();
