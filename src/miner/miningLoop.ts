/**
 * The node's mining loop: keeps a PowSearcher busy on a fresh template.
 *
 * A new template is made on a new tip, when the mempool changes (at most every
 * `refreshMs`, so a burst of transactions does not restart the search each time), and when
 * the nonce space of the current one is exhausted (a later timestamp gives fresh hashes).
 * A found nonce completes the template's block, which goes through the same
 * `chain.processBlock` as a block from anywhere else. The composition root calls `refresh` on
 * a new tip and `scheduleRefresh` on a mempool change.
 */
import type { Logger } from 'pino';
import type { Bls } from '../crypto/interface.js';
import type { BlockSink, ChainReader } from '../chain/interface.js';
import type { TransferPool } from '../mempool/interface.js';
import { withNonce } from '../protocol/assemble.js';
import { blockHash, encodeHeader } from '../protocol/block.js';
import type { Block } from '../protocol/block.js';
import { toHex } from '../protocol/bytes.js';
import { decodeCompact } from '../protocol/pow.js';
import type { PowSearcher } from './interface.js';
import { buildTemplate } from './template.js';

export interface MiningLoopOptions {
  readonly chain: ChainReader & BlockSink;
  readonly mempool: TransferPool;
  readonly bls: Bls;
  readonly searcher: PowSearcher;
  readonly minerAddress: Uint8Array;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly refreshMs?: number;
}

export class MiningLoop {
  private jobId = 0;
  private current: Block | undefined;
  private running = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly refreshMs: number;
  blocksFound = 0;

  constructor(private readonly opts: MiningLoopOptions) {
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.refreshMs = opts.refreshMs ?? 2000;
    opts.searcher.onFound((jobId, nonce) => this.onFound(jobId, nonce));
    opts.searcher.onExhausted((jobId) => {
      if (jobId === this.jobId) this.refresh(true);
    });
  }

  get isMining(): boolean {
    return this.running;
  }

  start(): void {
    this.running = true;
    this.refresh();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    this.opts.searcher.stop();
  }

  /** After a change of the mempool: a new template at most every `refreshMs`. */
  scheduleRefresh(): void {
    if (!this.running || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, this.refreshMs);
  }

  /**
   * Builds a template on the current tip and hands it to the searcher as a new job. After an
   * exhausted search the timestamp moves past the last one, so the same hashes never repeat.
   */
  refresh(exhausted = false): void {
    if (!this.running) return;
    const previous = exhausted ? this.current?.header.timestamp : undefined;
    const { block } = buildTemplate({
      chain: this.opts.chain,
      mempool: this.opts.mempool,
      bls: this.opts.bls,
      minerAddress: this.opts.minerAddress,
      now: previous === undefined ? this.now() : Math.max(this.now(), previous + 1),
    });
    // Blocks faster than one a second push the median-time rule's minimum past the clock;
    // wait for the clock instead of mining ever further into the future.
    const ahead = block.header.timestamp - this.now();
    if (ahead > 0) {
      this.opts.searcher.stop();
      this.current = undefined;
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => {
        this.refreshTimer = undefined;
        this.refresh();
      }, ahead * 1000);
      return;
    }
    this.current = block;
    this.jobId++;
    this.opts.searcher.mine({
      jobId: this.jobId,
      header: encodeHeader(block.header),
      target: decodeCompact(block.header.bits),
    });
  }

  private onFound(jobId: number, nonce: bigint): void {
    if (jobId !== this.jobId || !this.current) return;
    const block = withNonce(this.current, nonce);
    this.current = undefined;
    const result = this.opts.chain.processBlock(block);
    if (result.status === 'connected') {
      this.blocksFound++;
      this.opts.logger.info(
        { height: block.header.height, hash: toHex(blockHash(block.header)), transfers: block.transactions.length },
        'mined a block',
      );
    } else {
      this.opts.logger.warn(
        { status: result.status, code: result.error?.code, reason: result.error?.message },
        'mined block was not connected',
      );
      // As after an exhausted search: a later timestamp, so a block the operator invalidated
      // (same tip, transfers and time) is not found again and again.
      this.refresh(true);
    }
  }
}
