/**
 * An OurCoin full node: the store, the chain, the mempool and the mining loop, wired
 * together. The HTTP API and the CLI sit on top of it; nothing here listens on a socket.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Bls } from '../crypto/interface.js';
import { blstBls } from '../crypto/blst.js';
import { useNativeSha256 } from '../crypto/nativeSha256.js';
import { Chain } from '../chain/chain.js';
import { Mempool } from '../mempool/mempool.js';
import { WorkerBatchVerifier } from '../mempool/batchVerifier.js';
import type { AdmissionResult, MempoolLimits, SignatureBatchVerifier } from '../mempool/interface.js';
import type { PowSearcher } from '../miner/interface.js';
import { buildTemplate } from '../miner/template.js';
import { solveBlock } from '../miner/solve.js';
import { blockHash } from '../protocol/block.js';
import type { Block } from '../protocol/block.js';
import { toHex } from '../protocol/bytes.js';
import { OurCoinError } from '../errors.js';
import type { NetworkParams } from '../protocol/networks.js';
import { decodeCompact } from '../protocol/pow.js';
import type { SignedTransfer } from '../protocol/transaction.js';
import { SqliteStore } from '../store/sqliteStore.js';
import { MiningLoop } from './miningLoop.js';
import { connectMempoolToChain } from './wiring.js';

export interface NodeOptions {
  readonly network: NetworkParams;
  /** Directory of this network's data (the chain database lives here). */
  readonly datadir: string;
  readonly logger: Logger;
  /** Where mined coins go; without it the node cannot mine. */
  readonly minerAddress?: Uint8Array;
  /** Proof-of-work searcher for `startMining` (the parallel miner in the CLI). */
  readonly searcher?: PowSearcher;
  readonly verifier?: SignatureBatchVerifier;
  readonly mempoolLimits?: Partial<MempoolLimits>;
  readonly bls?: Bls;
  readonly now?: () => number;
  /** Rebuild account state and indexes by validating every stored block again from genesis. */
  readonly reindex?: boolean;
}

export interface NodeStatus {
  readonly network: string;
  readonly chainId: number;
  readonly height: number;
  readonly tipHash: Uint8Array;
  readonly cumulativeWork: bigint;
  readonly bits: number;
  readonly target: bigint;
  readonly mempool: number;
  readonly orphans: number;
  readonly mining: boolean;
  readonly hashRate: number;
  readonly minerAddress: Uint8Array | undefined;
}

export class OurCoinNode {
  readonly network: NetworkParams;
  readonly store: SqliteStore;
  readonly chain: Chain;
  readonly mempool: Mempool;
  readonly logger: Logger;
  readonly minerAddress: Uint8Array | undefined;
  private readonly bls: Bls;
  private readonly verifier: SignatureBatchVerifier;
  private readonly searcher: PowSearcher | undefined;
  private readonly miningLoop: MiningLoop | undefined;
  private readonly now: () => number;

  private constructor(
    opts: NodeOptions,
    store: SqliteStore,
    chain: Chain,
    mempool: Mempool,
    verifier: SignatureBatchVerifier,
    private readonly detachMempool: () => void,
  ) {
    this.network = opts.network;
    this.logger = opts.logger;
    this.store = store;
    this.chain = chain;
    this.mempool = mempool;
    this.verifier = verifier;
    this.bls = opts.bls ?? blstBls;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.minerAddress = opts.minerAddress;
    this.searcher = opts.searcher;
    if (opts.searcher && opts.minerAddress) {
      this.miningLoop = new MiningLoop({
        chain,
        mempool,
        bls: this.bls,
        searcher: opts.searcher,
        minerAddress: opts.minerAddress,
        logger: opts.logger,
        now: this.now,
      });
    }
  }

  /** Opens the store (creating it on first start), resumes the chain and reloads the mempool. */
  static async open(opts: NodeOptions): Promise<OurCoinNode> {
    useNativeSha256();
    mkdirSync(opts.datadir, { recursive: true, mode: 0o700 });
    const store = new SqliteStore(join(opts.datadir, 'chain.sqlite'), opts.network);
    const bls = opts.bls ?? blstBls;
    const started = Date.now();
    if (opts.reindex) {
      store.resetChainState();
      opts.logger.info('reindex: state dropped, validating the stored blocks again from genesis');
    }
    const chain = Chain.open({ network: opts.network, store, bls, now: opts.now });
    if (opts.reindex) opts.logger.info({ height: chain.tip.height, ms: Date.now() - started }, 'reindex done');
    const verifier = opts.verifier ?? new WorkerBatchVerifier();
    const mempool = new Mempool({ chain, bls, verifier, store: store.mempoolStore(), limits: opts.mempoolLimits });
    const detachMempool = connectMempoolToChain(chain, mempool);
    const node = new OurCoinNode(opts, store, chain, mempool, verifier, detachMempool);
    const reloaded = await mempool.loadPersisted();
    opts.logger.info({ height: chain.tip.height, mempool: reloaded }, 'chain opened');
    return node;
  }

  get isMining(): boolean {
    return this.miningLoop?.isMining ?? false;
  }

  startMining(): void {
    if (!this.miningLoop) {
      throw new OurCoinError('NODE_CANNOT_MINE', 'mining needs a miner address and a proof-of-work searcher', 'input');
    }
    this.miningLoop.start();
  }

  stopMining(): void {
    this.miningLoop?.stop();
  }

  status(): NodeStatus {
    const tip = this.chain.tip;
    return {
      network: this.network.name,
      chainId: this.network.chainId,
      height: tip.height,
      tipHash: tip.hash,
      cumulativeWork: tip.cumulativeWork,
      bits: tip.header.bits,
      target: decodeCompact(tip.header.bits),
      mempool: this.mempool.size,
      orphans: this.chain.orphanCount,
      mining: this.isMining,
      hashRate: this.isMining ? (this.searcher?.hashRate() ?? 0) : 0,
      minerAddress: this.minerAddress,
    };
  }

  submitTransfers(batch: readonly SignedTransfer[]): Promise<AdmissionResult[]> {
    return this.mempool.submit(batch);
  }

  /**
   * Regtest only: mines `count` blocks at once to `address` on this thread (regtest's proof
   * of work is about one hash in two), like bitcoind's generatetoaddress.
   */
  mineBlocks(count: number, address: Uint8Array): Block[] {
    if (this.network.name !== 'regtest') {
      throw new OurCoinError('NODE_REGTEST_ONLY', 'mining on demand is only available on regtest', 'input');
    }
    const mined: Block[] = [];
    for (let i = 0; i < count; i++) {
      const { block } = buildTemplate({
        chain: this.chain,
        mempool: this.mempool,
        bls: this.bls,
        minerAddress: address,
        now: this.now(),
      });
      const solved = solveBlock(block);
      const result = solved && this.chain.processBlock(solved);
      if (!solved || result?.status !== 'connected') {
        throw new OurCoinError(
          'NODE_MINE_FAILED',
          `block ${block.header.height} was not connected: ${result?.error?.message ?? 'no nonce found'}`,
          'store',
        );
      }
      mined.push(solved);
    }
    if (mined.length > 0)
      this.logger.info(
        { count, height: this.chain.tip.height, hash: toHex(blockHash(mined.at(-1)!.header)) },
        'mined blocks on demand',
      );
    return mined;
  }

  async close(): Promise<void> {
    this.stopMining();
    await this.searcher?.close();
    this.detachMempool();
    await this.verifier.close();
    this.store.close();
    this.logger.info('node stopped');
  }
}
