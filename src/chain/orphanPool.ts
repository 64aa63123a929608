/**
 * Blocks whose parent is unknown, kept until the parent arrives. Bounded: past `limit`
 * the oldest orphan is dropped (a peer can resend it; memory stays fixed whatever peers send).
 */
import type { Block } from '../protocol/block.js';
import { toHex } from '../protocol/bytes.js';

interface Orphan {
  readonly hash: Uint8Array;
  readonly block: Block;
  readonly bytes: Uint8Array;
}

export class OrphanPool {
  /** Insertion order = age, for eviction. */
  private readonly byHash = new Map<string, Orphan>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.byHash.size;
  }

  has(hash: Uint8Array): boolean {
    return this.byHash.has(toHex(hash));
  }

  add(hash: Uint8Array, block: Block, bytes: Uint8Array): void {
    const key = toHex(hash);
    if (this.byHash.has(key)) return;
    this.byHash.set(key, { hash, block, bytes });
    while (this.byHash.size > this.limit) {
      const oldest = this.byHash.keys().next().value as string;
      this.byHash.delete(oldest);
    }
  }

  /** Removes and returns the orphans whose parent is `parentHash`. */
  takeChildren(parentHash: Uint8Array): Orphan[] {
    const parent = toHex(parentHash);
    const out: Orphan[] = [];
    for (const [key, o] of this.byHash) {
      if (toHex(o.block.header.prevHash) === parent) {
        out.push(o);
        this.byHash.delete(key);
      }
    }
    return out;
  }
}
