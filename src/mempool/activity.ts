/**
 * The transfer feed: what happens to transfers (accepted to the pool, replaced, dropped,
 * confirmed in a main-chain block, unconfirmed by a reorg) as one stream of events, and the
 * time this node first saw each transfer.
 *
 * First-seen times live in memory, in an LRU of FIRST_SEEN_CAPACITY txids (about 200 bytes
 * each: ~20 MB at most): a pending transfer's is its admission, kept once it is mined; a
 * transfer first seen in a block gets the block's arrival. A restart forgets them (transfers
 * reloaded from the pool's table are seen again at the restart): the time is this node's
 * observation, not consensus data, and the explorer shows it as such.
 */
import type { TipChange, TipListener } from '../chain/interface.js';
import { LruCache } from '../crypto/lruCache.js';
import { blockHash, blockTxids } from '../protocol/block.js';
import type { Block } from '../protocol/block.js';
import { toHex } from '../protocol/bytes.js';
import { transferSender } from '../protocol/transaction.js';
import type { PoolEvent, PoolEventListener, TransferEvent, TransferEventListener, TransferFeed } from './interface.js';

/** Txids whose first-seen time is remembered (the default pool holds 50,000 transfers). */
export const FIRST_SEEN_CAPACITY = 100_000;

export interface TransferActivityOptions {
  readonly chain: { onTipChange(listener: TipListener): () => void };
  readonly pool: {
    onPoolEvents(listener: PoolEventListener): () => void;
    get(txid: Uint8Array): unknown;
  };
  /** Unix milliseconds (tests pin it). */
  readonly nowMs?: () => number;
  readonly capacity?: number;
}

export class TransferActivity implements TransferFeed {
  private readonly seen: LruCache<number>;
  private readonly listeners: TransferEventListener[] = [];
  private readonly nowMs: () => number;

  constructor(private readonly opts: TransferActivityOptions) {
    this.seen = new LruCache(opts.capacity ?? FIRST_SEEN_CAPACITY);
    this.nowMs = opts.nowMs ?? Date.now;
  }

  /**
   * Starts following the pool and the chain; returns the function that stops it. Start it after
   * the pool follows the chain, so `pending` on an unconfirmed event says where the transfer is.
   */
  start(): () => void {
    const stops = [
      this.opts.pool.onPoolEvents((events) => this.poolEvents(events)),
      this.opts.chain.onTipChange((change) => this.tipChange(change)),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }

  firstSeen(txid: Uint8Array): number | undefined {
    return this.seen.get(toHex(txid));
  }

  onTransferEvents(listener: TransferEventListener): () => void {
    this.listeners.push(listener);
    return () => void this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  /** The first-seen time of `key` (hex txid), recorded now when unknown. */
  private see(key: string): number {
    let at = this.seen.get(key);
    if (at === undefined) this.seen.set(key, (at = Math.floor(this.nowMs() / 1000)));
    return at;
  }

  private emit(events: TransferEvent[]): void {
    if (events.length > 0) for (const l of this.listeners) l(events);
  }

  private poolEvents(events: readonly PoolEvent[]): void {
    this.emit(
      events.map((e): TransferEvent => {
        const { txid, tx, sender } = e.entry;
        const base = { type: e.type, txid, tx, sender, firstSeen: this.see(toHex(txid)) };
        if (e.type === 'replaced') return { ...base, replacedBy: e.by };
        if (e.type === 'dropped') return { ...base, reason: e.reason };
        return base;
      }),
    );
  }

  private tipChange(change: TipChange): void {
    const confirmed: TransferEvent[] = [];
    const unconfirmed: TransferEvent[] = [];
    const connected = new Set<string>();
    for (const block of change.connected)
      eachTransfer(block, (key, event) => {
        connected.add(key);
        confirmed.push({ ...event, type: 'confirmed', firstSeen: this.see(key) });
      });
    for (const block of change.disconnected)
      eachTransfer(block, (key, event) => {
        // Moved to another block of the new branch: that block's `confirmed` tells it.
        if (connected.has(key)) return;
        const pending = this.opts.pool.get(event.txid) !== undefined;
        unconfirmed.push({ ...event, type: 'unconfirmed', firstSeen: this.see(key), pending });
      });
    this.emit([...unconfirmed, ...confirmed]);
  }
}

/** Calls `fn` with each transfer of `block` (hex txid, and the fields every event of it has). */
function eachTransfer(
  block: Block,
  fn: (key: string, event: Pick<TransferEvent, 'txid' | 'tx' | 'sender' | 'block'>) => void,
): void {
  const txids = blockTxids(block);
  const where = { hash: blockHash(block.header), height: block.header.height };
  block.transactions.forEach((tx, i) => {
    const txid = txids[i + 1]!;
    fn(toHex(txid), { txid, tx, sender: transferSender(tx), block: where });
  });
}
