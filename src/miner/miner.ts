/**
 * Mining as the node exposes it: the background loop (when the node has a proof-of-work
 * searcher and a miner address) and mining on demand on regtest. Implements `MiningControl`,
 * the port the API and the CLI use.
 */
import type { Logger } from 'pino';
import type { BlockSink, ChainReader } from '../chain/interface.js';
import type { Bls } from '../crypto/interface.js';
import { OurCoinError } from '../errors.js';
import type { TransferPool } from '../mempool/interface.js';
import { blockHash } from '../protocol/block.js';
import type { Block } from '../protocol/block.js';
import { toHex } from '../protocol/bytes.js';
import type { NetworkParams } from '../protocol/networks.js';
import { MinerErrorCode } from './interface.js';
import type { MiningControl, PowSearcher } from './interface.js';
import { MiningLoop } from './miningLoop.js';
import { solveBlock } from './solve.js';
import { buildTemplate } from './template.js';

export interface MinerOptions {
  readonly network: NetworkParams;
  readonly chain: ChainReader & BlockSink;
  readonly pool: TransferPool;
  readonly bls: Bls;
  readonly logger: Logger;
  /** Unix seconds (tests pin it). */
  readonly now: () => number;
  /** Where mined coins go; without it the node cannot mine in the background. */
  readonly minerAddress?: Uint8Array;
  /** The proof-of-work searcher for background mining (the parallel miner in a node process). */
  readonly searcher?: PowSearcher;
}

export class Miner implements MiningControl {
  readonly minerAddress: Uint8Array | undefined;
  private readonly loop: MiningLoop | undefined;

  constructor(private readonly opts: MinerOptions) {
    this.minerAddress = opts.minerAddress;
    if (opts.searcher && opts.minerAddress) {
      this.loop = new MiningLoop({
        chain: opts.chain,
        mempool: opts.pool,
        bls: opts.bls,
        searcher: opts.searcher,
        minerAddress: opts.minerAddress,
        logger: opts.logger,
        now: opts.now,
      });
    }
  }

  get isMining(): boolean {
    return this.loop?.isMining ?? false;
  }

  hashRate(): number {
    return this.isMining ? (this.opts.searcher?.hashRate() ?? 0) : 0;
  }

  start(): void {
    if (!this.loop) {
      throw new OurCoinError(
        MinerErrorCode.cannotMine,
        'mining needs a miner address and a proof-of-work searcher',
        'input',
      );
    }
    this.loop.start();
  }

  stop(): void {
    this.loop?.stop();
  }

  /** A new tip: mine on it. */
  onTipChange(): void {
    this.loop?.refresh();
  }

  /** The mempool changed: a fresh template soon, with its transfers. */
  onPoolChange(): void {
    this.loop?.scheduleRefresh();
  }

  mineBlocks(count: number, address: Uint8Array): Block[] {
    const { network, chain, pool, bls, now, logger } = this.opts;
    if (network.name !== 'regtest') {
      throw new OurCoinError(MinerErrorCode.regtestOnly, 'mining on demand is only available on regtest', 'input');
    }
    const mined: Block[] = [];
    for (let i = 0; i < count; i++) {
      const clock = now();
      const { block } = buildTemplate({ chain, mempool: pool, bls, minerAddress: address, now: clock });
      const solved = nextValidBlock(chain, block, clock);
      const result = chain.processBlock(solved);
      // What is left is the node's own failure (its store, or a template it built wrong).
      if (result.status !== 'connected') {
        throw new OurCoinError(
          MinerErrorCode.mineFailed,
          `block ${block.header.height} was not connected: ${result.error?.message ?? result.status}`,
          'store',
        );
      }
      mined.push(solved);
    }
    if (mined.length > 0) {
      const hash = toHex(blockHash(mined.at(-1)!.header));
      logger.info({ count, height: chain.tip.height, hash }, 'mined blocks on demand');
    }
    return mined;
  }

  async close(): Promise<void> {
    this.stop();
    await this.opts.searcher?.close();
  }
}

/**
 * `template` solved, its timestamp moved on a second at a time past every copy already marked
 * invalid: after an operator invalidates a block, the same tip, transfers, address and time
 * (the median-time minimum, when the chain's times run ahead of the clock) rebuild the very
 * same block. Refused (409 NODE_MINE_TIME_AHEAD) when the time a block needs is past the
 * future limit: a client can push the median time there with blocks stamped up to the limit.
 */
function nextValidBlock(chain: ChainReader, template: Block, clock: number): Block {
  const latest = clock + chain.network.maxFutureBlockTime;
  for (
    let block = template;
    ;
    block = { ...block, header: { ...block.header, timestamp: block.header.timestamp + 1 } }
  ) {
    if (block.header.timestamp > latest) {
      throw new OurCoinError(
        MinerErrorCode.timeAhead,
        `block ${block.header.height} would need a timestamp ${block.header.timestamp - clock} s ahead of the clock, past the limit of ${chain.network.maxFutureBlockTime} s; try again in ${block.header.timestamp - latest} s`,
        'conflict',
      );
    }
    const solved = solveBlock(block);
    if (!solved) throw new OurCoinError(MinerErrorCode.mineFailed, 'no nonce found', 'store');
    if (!chain.getInvalid(blockHash(solved.header))) return solved;
  }
}
