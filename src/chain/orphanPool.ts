/**
 * Blocks whose parent is unknown, kept until the parent arrives. Bounded by count, by bytes in
 * total and by bytes per source (a peer, an API client), whatever peers and clients send: a
 * source past its share loses its own oldest orphans; past the total, the source holding the
 * most bytes loses its oldest. A dropped orphan costs nothing but a resend.
 *
 * Only the encoding is kept, not the decoded block: a decoded block of about 1 MB held
 * 11-13 MB of objects, so a budget in bytes would not have bounded memory.
 */
import type { BlockHeader } from '../protocol/block.js';
import { toHex } from '../protocol/bytes.js';

export interface OrphanBudget {
  readonly maxCount: number;
  /** Encoded bytes of every orphan together. */
  readonly maxBytes: number;
  /** Encoded bytes of one source's orphans: one source cannot fill the pool alone. */
  readonly maxBytesPerSource: number;
}

/**
 * The node's budget: 16 MiB in all, a quarter of it per source (one maximum-size block of
 * 4 MB fits a share), 256 blocks.
 */
export const ORPHAN_BUDGET: OrphanBudget = {
  maxCount: 256,
  maxBytes: 16 * 1024 * 1024,
  maxBytesPerSource: 4 * 1024 * 1024,
};

/** Where blocks that name no source come from (the miner, sync's requested blocks). */
export const LOCAL_SOURCE = 'local';

export interface Orphan {
  readonly hash: Uint8Array;
  readonly header: BlockHeader;
  /** The block's canonical encoding, decoded again when its parent arrives. */
  readonly bytes: Uint8Array;
  readonly source: string;
  /** Sent unasked (gossip, the API): the anti-DoS rules for unrequested blocks apply when it connects. */
  readonly unrequested: boolean;
}

export class OrphanPool {
  private readonly budget: OrphanBudget;
  /** Insertion order = age, for eviction. */
  private readonly byHash = new Map<string, Orphan>();
  private readonly bytesBySource = new Map<string, number>();
  private totalBytes = 0;

  constructor(budget: Partial<OrphanBudget> = {}) {
    this.budget = { ...ORPHAN_BUDGET, ...budget };
  }

  get size(): number {
    return this.byHash.size;
  }

  /** Encoded bytes held. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Encoded bytes held for `source`. */
  bytesOf(source: string): number {
    return this.bytesBySource.get(source) ?? 0;
  }

  has(hash: Uint8Array): boolean {
    return this.byHash.has(toHex(hash));
  }

  /**
   * Keeps `orphan` (unless already held) and evicts down to the budget. Returns how many of
   * the source's own orphans went because it exceeded its share (the caller may hold that
   * against the source); the new orphan itself may be among them if it alone exceeds it.
   */
  add(orphan: Orphan): number {
    const key = toHex(orphan.hash);
    if (this.byHash.has(key)) return 0;
    // A view into a larger buffer (a network frame) would keep the whole buffer alive.
    const bytes = orphan.bytes.byteLength === orphan.bytes.buffer.byteLength ? orphan.bytes : orphan.bytes.slice();
    this.byHash.set(key, { ...orphan, bytes });
    this.count(orphan.source, bytes.byteLength);
    let overShare = 0;
    while (this.bytesOf(orphan.source) > this.budget.maxBytesPerSource) {
      this.evictOldestOf(orphan.source);
      overShare++;
    }
    while (this.byHash.size > this.budget.maxCount || this.totalBytes > this.budget.maxBytes) {
      this.evictOldestOf(this.largestSource());
    }
    return overShare;
  }

  /** Removes and returns the orphans whose parent is `parentHash`, oldest first. */
  takeChildren(parentHash: Uint8Array): Orphan[] {
    const parent = toHex(parentHash);
    const out: Orphan[] = [];
    for (const [key, o] of this.byHash) {
      if (toHex(o.header.prevHash) === parent) {
        out.push(o);
        this.remove(key, o);
      }
    }
    return out;
  }

  private count(source: string, delta: number): void {
    this.totalBytes += delta;
    const left = this.bytesOf(source) + delta;
    if (left > 0) this.bytesBySource.set(source, left);
    else this.bytesBySource.delete(source);
  }

  private remove(key: string, o: Orphan): void {
    this.byHash.delete(key);
    this.count(o.source, -o.bytes.byteLength);
  }

  private evictOldestOf(source: string): void {
    for (const [key, o] of this.byHash) {
      if (o.source === source) {
        this.remove(key, o);
        return;
      }
    }
  }

  /** The source holding the most bytes (the first such on a tie). */
  private largestSource(): string {
    let largest = '';
    let most = -1;
    for (const [source, bytes] of this.bytesBySource) {
      if (bytes > most) [largest, most] = [source, bytes];
    }
    return largest;
  }
}
