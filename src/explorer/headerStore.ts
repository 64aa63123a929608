/**
 * The light client's verified header chain in IndexedDB (the `idb` wrapper), in chunks of
 * CHUNK_HEADERS consecutive headers: one record holds their 120-byte encodings and 32-byte
 * hashes end to end, and the cumulative work before the chunk's first header. Writing 100,000
 * headers one record each took tens of seconds in Chromium (a structured clone and an index
 * entry per record); 400 a record keeps each value (61 KB) under the 64 KB above which
 * Chromium moves a value out into a blob file of its own.
 *
 * A header's cumulative work is the chunk's base work plus the work of its headers up to it
 * (from their bits): nothing the node said, only what was verified and stored here.
 */
import { openDB } from 'idb';
import type { DBSchema, IDBPDatabase } from 'idb';
import { HEADER_LENGTH, decodeHeader } from '../protocol/block.js';
import { HASH_LENGTH } from '../protocol/hash.js';
import type { VerifiedHeader } from '../protocol/headerChain.js';
import type { NetworkParams } from '../protocol/networks.js';
import { workOfBits } from '../protocol/pow.js';

/** Headers per stored record. */
export const CHUNK_HEADERS = 400;

interface Chunk {
  /** Chunk number: its first header is at height index x CHUNK_HEADERS. */
  index: number;
  /** n x 120 bytes. */
  encodings: Uint8Array;
  /** n x 32 bytes. */
  hashes: Uint8Array;
  /** Cumulative work before the chunk's first header, decimal. */
  baseWork: string;
}

interface LightDb extends DBSchema {
  chunks: { key: number; value: Chunk };
}

const BITS_OFFSET = 108;
const bitsAt = (c: Chunk, i: number): number =>
  new DataView(c.encodings.buffer, c.encodings.byteOffset + i * HEADER_LENGTH + BITS_OFFSET, 4).getUint32(0, false);
const count = (c: Chunk): number => c.encodings.length / HEADER_LENGTH;
const workOf = (h: VerifiedHeader): bigint => workOfBits(h.header.bits);

export class HeaderStore {
  private constructor(private readonly db: IDBPDatabase<LightDb>) {}

  static async open(network: NetworkParams): Promise<HeaderStore> {
    const db = await openDB<LightDb>(`ourcoin-light-${network.name}`, 1, {
      upgrade(d) {
        d.createObjectStore('chunks', { keyPath: 'index' });
      },
    });
    return new HeaderStore(db);
  }

  /** The chunk's headers from `from` to `to` (offsets), with their cumulative work. */
  private read(c: Chunk, from: number, to: number): VerifiedHeader[] {
    let work = BigInt(c.baseWork);
    const out: VerifiedHeader[] = [];
    for (let i = 0; i <= to; i++) {
      work += workOfBits(bitsAt(c, i));
      if (i < from) continue;
      const encoding = c.encodings.subarray(i * HEADER_LENGTH, (i + 1) * HEADER_LENGTH);
      out.push({
        header: decodeHeader(encoding),
        encoding,
        hash: c.hashes.slice(i * HASH_LENGTH, (i + 1) * HASH_LENGTH),
        cumulativeWork: work,
      });
    }
    return out;
  }

  /** The last stored header, or undefined for an empty store. */
  async tip(): Promise<VerifiedHeader | undefined> {
    const cursor = await this.db.transaction('chunks').store.openCursor(null, 'prev');
    if (!cursor) return undefined;
    const n = count(cursor.value);
    return this.read(cursor.value, n - 1, n - 1)[0];
  }

  async get(height: number): Promise<VerifiedHeader | undefined> {
    return (await this.range(height, height))[0];
  }

  /** Stored headers from `from` to `to` (heights, inclusive), stopping at the first missing. */
  async range(from: number, to: number): Promise<VerifiedHeader[]> {
    const out: VerifiedHeader[] = [];
    for (let index = Math.floor(from / CHUNK_HEADERS); index <= Math.floor(to / CHUNK_HEADERS); index++) {
      const c = await this.db.get('chunks', index);
      if (!c) break;
      const first = index * CHUNK_HEADERS;
      const last = Math.min(to - first, count(c) - 1);
      out.push(...this.read(c, Math.max(0, from - first), last));
      if (count(c) < CHUNK_HEADERS) break; // the last chunk: nothing is stored after it
    }
    return out;
  }

  /**
   * Stores `branch` (consecutive verified headers) after height `base`, replacing whatever was
   * stored above `base`, in one transaction.
   */
  async write(base: number, branch: readonly VerifiedHeader[], oldTipHeight: number): Promise<void> {
    if (branch.length === 0) return;
    const first = base + 1;
    const last = first + branch.length - 1;
    const tx = this.db.transaction('chunks', 'readwrite');
    for (let index = Math.floor(first / CHUNK_HEADERS); index <= Math.floor(last / CHUNK_HEADERS); index++) {
      const start = index * CHUNK_HEADERS;
      // The start chunk keeps its headers up to `base`.
      const kept = Math.max(0, first - start);
      const old = kept > 0 ? await tx.store.get(index) : undefined;
      const from = Math.max(start, first);
      const to = Math.min(start + CHUNK_HEADERS - 1, last);
      const n = kept + (to - from + 1);
      const encodings = new Uint8Array(n * HEADER_LENGTH);
      const hashes = new Uint8Array(n * HASH_LENGTH);
      if (old) {
        encodings.set(old.encodings.subarray(0, kept * HEADER_LENGTH));
        hashes.set(old.hashes.subarray(0, kept * HASH_LENGTH));
      }
      for (let height = from; height <= to; height++) {
        const v = branch[height - first]!;
        encodings.set(v.encoding, (kept + height - from) * HEADER_LENGTH);
        hashes.set(v.hash, (kept + height - from) * HASH_LENGTH);
      }
      const firstOfBranch = branch[from - first]!;
      const baseWork = old ? old.baseWork : (firstOfBranch.cumulativeWork - workOf(firstOfBranch)).toString();
      void tx.store.put({ index, encodings, hashes, baseWork });
    }
    // Chunks wholly above the new tip belonged to the branch left behind.
    const lastIndex = Math.floor(last / CHUNK_HEADERS);
    if (Math.floor(oldTipHeight / CHUNK_HEADERS) > lastIndex)
      void tx.store.delete(IDBKeyRange.lowerBound(lastIndex, true));
    await tx.done;
  }

  /** Forgets everything; the caller stores genesis again. */
  async clear(): Promise<void> {
    await this.db.clear('chunks');
  }
}
