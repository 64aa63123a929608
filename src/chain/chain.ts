/**
 * The block tree and fork choice: accepts blocks, keeps the valid chain with the most
 * cumulative work as the main chain, and reorganises to a heavier branch of any depth.
 *
 * Accepting a block (`processBlock`) runs the cheap checks first and decides what to
 * remember: a block breaking a committed rule is marked invalid forever (with its
 * descendants); a mutated or transient failure is only refused. Connecting a block
 * (`activateBestChain`) applies the state rules and the ONE aggregate signature check, each
 * connect or disconnect being one store transaction; a crash mid-reorg resumes on restart
 * because `open` activates the best chain again.
 */
import { availableParallelism } from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Bls } from '../crypto/interface.js';
import { blockHash, blockTxids, decodeBlock, encodeBlock, encodedTxids, peekBlock } from '../protocol/block.js';
import type { Block, BlockHeader } from '../protocol/block.js';
import { bytesEqual, toHex } from '../protocol/bytes.js';
import { OurCoinError } from '../errors.js';
import { genesisBlock } from '../protocol/genesis.js';
import type { NetworkParams } from '../protocol/networks.js';
import { workOfBits } from '../protocol/pow.js';
import { checkBlockBody, checkBlockCommitments } from '../protocol/rules/body.js';
import { RuleCode, ruleError } from '../protocol/rules/codes.js';
import { checkHeaderContextFree, checkHeaderContextual } from '../protocol/rules/header.js';
import type { HeaderContext } from '../protocol/rules/header.js';
import { applyBlockState } from '../protocol/rules/state.js';
import type { Account } from '../protocol/rules/state.js';
import { BlockStatus } from '../store/interface.js';
import type { AddressTxEntry, BlockRecord, ChainStore, InvalidMark, KeyKind, TxLocation } from '../store/interface.js';
import { headerContext, isOnMainChain } from './headerContext.js';
import { ChainErrorCode } from './interface.js';
import type {
  BlockSink,
  ChainAdmin,
  ChainMetrics,
  ChainReader,
  ImportOptions,
  ProcessResult,
  TipChange,
  TipListener,
} from './interface.js';
import { LOCAL_SOURCE, OrphanPool } from './orphanPool.js';
import type { Orphan, OrphanBudget } from './orphanPool.js';
import { verifyBlockSignatures } from './verifyBlockSignatures.js';
import type { BlsVerifier, EncodedBlockVerdict } from './bls/interface.js';
import { LruCache } from '../crypto/lruCache.js';
import { blockSignatureSet } from '../protocol/rules/signature.js';
import type { KnownSignatures, SignaturePath, SignatureVerdict } from './verifyBlockSignatures.js';

export interface ChainOptions {
  readonly network: NetworkParams;
  readonly store: ChainStore;
  readonly bls: Bls;
  /** Local clock in Unix seconds (tests pin it). */
  readonly now?: () => number;
  /** The orphan pool's bounds (default ORPHAN_BUDGET). */
  readonly orphanBudget?: Partial<OrphanBudget>;
  /** Encoded bytes of side-branch blocks sent unasked kept at once (default SIDE_BRANCH_BYTES). */
  readonly sideBranchBytes?: number;
  /**
   * The BLS verification service: `importBlock` checks a block's aggregate on its worker
   * threads before connecting it. Without one, every check runs on the calling thread.
   */
  readonly verifier?: BlsVerifier;
  /** Transfers from which an encoded block is judged on a worker first (default WORKER_DECODE_MIN_TRANSFERS). */
  readonly workerDecodeMinTransfers?: number;
  /** Times each block import that connects (the node's /metrics). */
  readonly metrics?: ChainMetrics;
}

/**
 * Transfers from which a block arriving encoded is decoded and checked on a worker before
 * this thread touches its body (see `judgeLargeEncoding`): below it, the main thread's
 * decoding costs a few milliseconds and the fast path stays open.
 */
export const WORKER_DECODE_MIN_TRANSFERS = 1024;

/**
 * Side-branch blocks sent unasked (gossip, the API) are kept up to this many encoded bytes
 * (eight maximum-size blocks); past it the oldest leaf off the main chain is deleted. Each
 * needed the tip's work to be stored at all (see `lightFork`), so on a real network this bounds
 * what a miner racing us can leave on disk, and on regtest what anyone can.
 */
export const SIDE_BRANCH_BYTES = 32 * 1024 * 1024;

/** Signature verdicts computed ahead, kept for blocks that connect later (side branches, orphans). */
const VERDICTS_KEPT = 1024;
/**
 * Main-thread time `openAsync` spends connecting before it yields to the event loop, so the
 * process stays responsive (timers, signals, a worker's answer) during a long reindex.
 */
const CONNECT_SLICE_MS = 10;

/** Where `openAsync` stands in connecting the stored blocks that wait (a reindex, or the rest of one). */
export interface ConnectProgress {
  /** The tip's height now. */
  readonly height: number;
  /** The height of the best stored block being connected towards. */
  readonly targetHeight: number;
  /** Blocks connected so far. */
  readonly blocks: number;
  readonly elapsedMs: number;
  readonly blocksPerSecond: number;
  /** The last report: nothing is left to connect. */
  readonly done: boolean;
}

export interface AsyncOpenOptions extends ChainOptions {
  /**
   * Blocks whose aggregate verdicts are asked of the verifier ahead of the block being
   * connected (default 3 per core): enough that every worker thread stays busy.
   */
  readonly verifyAhead?: number;
  /** Called every `progressEveryMs` (default 5,000) while blocks connect, and once at the end. */
  readonly onProgress?: (progress: ConnectProgress) => void;
  readonly progressEveryMs?: number;
}

/** A stored block on the way to the best chain, with its aggregate verdict on the way from a worker. */
interface StoredAhead {
  readonly rec: BlockRecord;
  readonly block: Block;
  readonly verdict: Promise<SignatureVerdict | undefined>;
}

/** Where a block came from: the source its orphans count against, and whether it was asked for. */
type Arrival = Pick<Orphan, 'source' | 'unrequested'>;

/** Blocks this node asked for or made: sync's (headers checked first), the miner's. */
const REQUESTED: Arrival = { source: LOCAL_SOURCE, unrequested: false };

/** A block being processed, decoded, with its signature verdict if one was computed ahead. */
interface BlockAtHand {
  readonly block: Block;
  readonly signature?: SignatureVerdict;
}

export class Chain implements ChainReader, BlockSink, ChainAdmin {
  readonly network: NetworkParams;
  private readonly store: ChainStore;
  private readonly bls: Bls;
  private readonly now: () => number;
  private readonly orphans: OrphanPool;
  private readonly listeners: TipListener[] = [];
  private knownSignatures: KnownSignatures | undefined;
  private readonly verifier: BlsVerifier | undefined;
  private readonly workerDecodeMinTransfers: number;
  private readonly metrics: ChainMetrics | undefined;
  /** Verdicts of the signature rule computed ahead (at most VERDICTS_KEPT; measured ≤ ~220 bytes each, ~0.25 MB). */
  private readonly verdicts = new LruCache<SignatureVerdict>(VERDICTS_KEPT);
  /**
   * Blocks that came unasked and were stored on a side branch, oldest first, with their
   * encoded size: the candidates for pruning (sync's requested blocks never are: a reorg's
   * branch must stay whole).
   */
  private readonly unrequestedSide = new Map<string, { readonly hash: Uint8Array; readonly bytes: number }>();
  private unrequestedSideBytes = 0;
  private readonly sideBranchBytes: number;
  /** How the last connected block's signature was checked (for logs and tests). */
  lastSignaturePath: SignaturePath | 'skipped' | undefined;

  private constructor(opts: ChainOptions) {
    this.network = opts.network;
    this.store = opts.store;
    this.bls = opts.bls;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.orphans = new OrphanPool(opts.orphanBudget);
    this.sideBranchBytes = opts.sideBranchBytes ?? SIDE_BRANCH_BYTES;
    this.verifier = opts.verifier;
    this.workerDecodeMinTransfers = opts.workerDecodeMinTransfers ?? WORKER_DECODE_MIN_TRANSFERS;
    this.metrics = opts.metrics;
  }

  /** Opens the chain on `store`: writes genesis into an empty store, resumes an interrupted reorg. */
  static open(opts: ChainOptions): Chain {
    const chain = new Chain(opts);
    if (!chain.store.tip()) chain.connectGenesis();
    chain.activateBestChain();
    return chain;
  }

  /**
   * `open` for a node, which has a verifier: the stored blocks waiting to be connected (all
   * of them after a reindex, the rest of an interrupted one) are connected in order on this
   * thread while the verifier's workers compute the aggregate verdicts of the next
   * `verifyAhead` blocks at 'sync' priority, so this thread runs no pairing and every worker
   * stays busy. It yields to the event loop every CONNECT_SLICE_MS. A block whose verdict is
   * bad is marked invalid, as by `activateBestChain`. Rejects with the verifier's transient
   * error if it gives no verdict; every block connected until then stays connected.
   */
  static async openAsync(opts: AsyncOpenOptions): Promise<Chain> {
    const chain = new Chain(opts);
    if (!chain.store.tip()) chain.connectGenesis();
    await chain.connectStored(opts);
    return chain;
  }

  private async connectStored(opts: AsyncOpenOptions): Promise<void> {
    const ahead = Math.max(1, opts.verifyAhead ?? 3 * availableParallelism());
    const everyMs = opts.progressEveryMs ?? 5000;
    const started = performance.now();
    let blocks = 0;
    let targetHeight = this.tip.height;
    let reported = started;
    const report = (done: boolean): void => {
      const elapsedMs = performance.now() - started;
      const blocksPerSecond = elapsedMs > 0 ? (blocks * 1000) / elapsedMs : 0;
      opts.onProgress?.({ height: this.tip.height, targetHeight, blocks, elapsedMs, blocksPerSecond, done });
    };
    let slice = performance.now();
    for (let path = this.pathToBest([]); path.length > 0; path = this.pathToBest([])) {
      targetHeight = path.at(-1)!.height;
      const window: StoredAhead[] = [];
      let next = 0;
      for (;;) {
        while (next < path.length && window.length < ahead) window.push(this.storedAhead(path[next++]!));
        const at = window.shift();
        if (!at) break;
        const verdict = await at.verdict;
        if (this.connectOrMark(at.rec, at.block, verdict)) break; // marked invalid: choose again
        blocks++;
        if (performance.now() - reported >= everyMs) {
          report(false);
          reported = performance.now();
        }
        if (performance.now() - slice >= CONNECT_SLICE_MS) {
          await yieldToEventLoop();
          slice = performance.now();
        }
      }
    }
    report(true);
  }

  /** A block of the path being connected, read back, with its verdict asked for (none if it was valid once). */
  private storedAhead(rec: BlockRecord): StoredAhead {
    const block = this.store.getBlock(rec.hash)!;
    const verdict =
      rec.status === BlockStatus.valid ? Promise.resolve(undefined) : this.verdictFromService(block, 'sync');
    // Awaited in order later, or never if an earlier block fails: not an unhandled rejection.
    verdict.catch(() => undefined);
    return { rec, block, verdict };
  }

  private connectGenesis(): void {
    const g = genesisBlock(this.network);
    const hash = blockHash(g.header);
    const rec =
      this.store.getRecord(hash) ??
      this.store.putBlock(hash, g, encodeBlock(g), workOfBits(g.header.bits), BlockStatus.stored);
    this.connect(rec, g);
  }

  get tip(): BlockRecord {
    return this.store.tip()!;
  }

  get orphanCount(): number {
    return this.orphans.size;
  }

  getAccount(address: Uint8Array): Account {
    return this.store.getAccount(address);
  }

  getRecord(hash: Uint8Array): BlockRecord | undefined {
    return this.store.getRecord(hash);
  }

  getBlock(hash: Uint8Array): Block | undefined {
    return this.store.getBlock(hash);
  }

  getBlockBytes(hash: Uint8Array): Uint8Array | undefined {
    return this.store.getBlockBytes(hash);
  }

  mainHashAt(height: number): Uint8Array | undefined {
    return this.store.mainHashAt(height);
  }

  isOnMainChain(record: BlockRecord): boolean {
    return isOnMainChain(this.store, record);
  }

  headerContext(parent: BlockRecord): HeaderContext {
    return headerContext(this.store, parent);
  }

  getInvalid(hash: Uint8Array): InvalidMark | undefined {
    return this.store.getInvalid(hash);
  }

  getTxLocation(txid: Uint8Array): TxLocation | undefined {
    return this.store.getTxLocation(txid);
  }

  getAddressTxs(address: Uint8Array, limit: number, offset: number): AddressTxEntry[] {
    return this.store.getAddressTxs(address, limit, offset);
  }

  keysInRange(kind: KeyKind, lo: Uint8Array, hi: Uint8Array, limit: number): Uint8Array[] {
    return this.store.keysInRange(kind, lo, hi, limit);
  }

  /** Lets block import use signatures already verified elsewhere (the mempool's fast path). */
  setKnownSignatures(known: KnownSignatures | undefined): void {
    this.knownSignatures = known;
  }

  onTipChange(listener: TipListener): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  /**
   * Accepts a block (decoded, or its canonical bytes) from anywhere: miner, peer, API.
   * `signature` is the signature rule's verdict on this block if it was computed ahead.
   */
  processBlock(input: Block | Uint8Array, signature?: SignatureVerdict): ProcessResult {
    const started = performance.now();
    const decoded = decodeInput(input);
    if (decoded instanceof OurCoinError) return rejected(new Uint8Array(32), decoded);
    return this.timed(started, this.processDecoded(decoded.block, decoded.bytes, REQUESTED, signature));
  }

  /** Reports a connecting import's time, labelled by whether a pairing was needed. */
  private timed(started: number, result: ProcessResult): ProcessResult {
    if (this.metrics && result.status === 'connected') {
      const path = this.lastSignaturePath === 'full' || this.lastSignaturePath === 'prechecked' ? 'full' : 'fast';
      this.metrics.blockImported(path, (performance.now() - started) / 1000);
    }
    return result;
  }

  /**
   * `processBlock` for blocks from outside (peers, the API): when connecting the block will
   * need the aggregate signature checked, the check runs first on the verification service's
   * workers at `priority`, so this thread never runs the pairing.
   */
  async importBlock(
    input: Block | Uint8Array,
    priority: 'block' | 'sync' = 'block',
    opts: ImportOptions = {},
  ): Promise<ProcessResult> {
    const started = performance.now();
    return this.timed(started, await this.importUntimed(input, priority, opts));
  }

  private async importUntimed(
    input: Block | Uint8Array,
    priority: 'block' | 'sync',
    opts: ImportOptions,
  ): Promise<ProcessResult> {
    const arrival: Arrival = { source: opts.source ?? LOCAL_SOURCE, unrequested: true };
    // Before any work on the body (a worker's decoding or pairing): a light fork is refused on its header.
    const peeked = input instanceof Uint8Array ? peekBlock(input) : undefined;
    const header = input instanceof Uint8Array ? peeked?.header : input.header;
    const hash = header && blockHash(header);
    const known = hash && (this.store.getRecord(hash) ?? this.store.getInvalid(hash)); // answered below as before
    const light = header && !known && this.lightFork(header, this.store.getRecord(header.prevHash));
    if (light) return rejected(hash!, light);
    if (input instanceof Uint8Array && peeked && hash) {
      const early = await this.judgeLargeEncoding(input, peeked, hash, priority);
      if (early) return early;
    }
    const decoded = decodeInput(input);
    if (decoded instanceof OurCoinError) return rejected(new Uint8Array(32), decoded);
    let verdict: SignatureVerdict | undefined;
    try {
      verdict = await this.verifySignatureAhead(decoded.block, priority);
    } catch (err) {
      // The service had no verdict (a worker failed twice, or the node is closing).
      return rejected(blockHash(decoded.block.header), asError(err));
    }
    return this.processDecoded(decoded.block, decoded.bytes, arrival, verdict);
  }

  /**
   * Bitcoin Core's anti-DoS rule for unrequested blocks: a block that does not extend the tip
   * is stored only if its branch has at least the tip's work (it ties or wins), so a side
   * branch costs as much proof of work as the main chain gained meanwhile. Undefined when it
   * passes, or when the parent is unknown (an orphan, judged when its parent arrives).
   */
  private lightFork(header: BlockHeader, parent: BlockRecord | undefined): OurCoinError | undefined {
    const tip = this.tip;
    // An invalid parent is refused for that, with its own code and penalty, by acceptOne.
    if (!parent || parent.status === BlockStatus.invalid || bytesEqual(parent.hash, tip.hash)) return undefined;
    const work = parent.cumulativeWork + workOfBits(header.bits);
    if (work >= tip.cumulativeWork) return undefined;
    return new OurCoinError(
      ChainErrorCode.forkTooLight,
      `block at height ${header.height} is on a branch with less work than the tip (height ${tip.height}); not stored`,
      'policy',
    );
  }

  /**
   * A large block still encoded is judged on a worker before this thread decodes it: decoding
   * and the stateless checks of its body cost about 20 µs a transfer here, so a maximum-size
   * block from outside would hold the event loop for a quarter of a second before its
   * signature could refuse it. `peeked` is its header and transfer count (`peekBlock`).
   * Undefined when the block goes on to the usual path: small, every transfer's signature
   * known (the fast path needs no worker), or judged valid (its verdict is then kept for the
   * connect).
   */
  private async judgeLargeEncoding(
    bytes: Uint8Array,
    peeked: { readonly header: BlockHeader; readonly transferCount: number },
    hash: Uint8Array,
    priority: 'block' | 'sync',
  ): Promise<ProcessResult | undefined> {
    const { header, transferCount } = peeked;
    if (!this.verifier || transferCount < this.workerDecodeMinTransfers) return undefined;
    const key = toHex(hash);
    const invalid = this.store.getInvalid(hash);
    if (invalid) return rejected(hash, this.knownInvalid(hash, invalid));
    if (this.store.getRecord(hash) || this.orphans.has(hash))
      return { status: 'duplicate', hash, connected: [], disconnected: [] };
    if (this.verdicts.get(key)) return undefined;
    try {
      checkHeaderContextFree(header, this.network, hash);
    } catch (err) {
      return rejected(hash, asError(err)); // before any work on the body
    }
    if (this.signaturesKnown(encodedTxids(bytes, transferCount).slice(1))) return undefined;
    let verdict: EncodedBlockVerdict;
    try {
      verdict = await this.verifier.verifyEncodedBlock(bytes, this.network, { priority });
    } catch (err) {
      return rejected(hash, asError(err)); // no verdict: a worker failed twice, or closing
    }
    if (verdict.ok) {
      this.verdicts.set(key, verdict);
      return undefined;
    }
    // Only a rule the header commits to marks the hash; a mutated body or bad encoding does not.
    if (verdict.kind === 'consensus' && !this.store.getInvalid(hash))
      this.store.markInvalid(hash, { code: verdict.code, message: verdict.message });
    return rejected(hash, new OurCoinError(verdict.code, verdict.message, verdict.kind));
  }

  /**
   * The block signature rule's verdict from the verification service, or undefined when
   * connecting `block` will need no pairing: no service, a block already known or refused by
   * its header, no transfers, or every transfer's signature already verified (the fast path).
   */
  async verifySignatureAhead(block: Block, priority: 'block' | 'sync'): Promise<SignatureVerdict | undefined> {
    if (!this.verifier || block.transactions.length === 0) return undefined;
    const hash = blockHash(block.header);
    const key = toHex(hash);
    if (this.verdicts.get(key) || this.store.getInvalid(hash) || this.store.getRecord(hash)) return undefined;
    try {
      checkHeaderContextFree(block.header, this.network, hash);
    } catch {
      return undefined; // refused by its proof of work before any signature work
    }
    const verdict = await this.verdictFromService(block, priority);
    if (verdict) this.verdicts.set(key, verdict);
    return verdict;
  }

  /** The verifier's verdict on `block`'s aggregate, or undefined when connecting it needs no pairing. */
  private async verdictFromService(block: Block, priority: 'block' | 'sync'): Promise<SignatureVerdict | undefined> {
    if (!this.verifier || block.transactions.length === 0) return undefined;
    let txids: readonly Uint8Array[];
    try {
      // Kept by block hash, so only for the body the header commits to: a verdict on a mutated
      // copy must never speak for the real block (the connect refuses the copy as mutated).
      txids = checkBlockCommitments(block).slice(1);
    } catch {
      return undefined;
    }
    if (this.signaturesKnown(txids)) return undefined;
    return this.verifier.verifyBlock(blockSignatureSet(block, txids), { priority });
  }

  /** Whether every transfer's signature is verified already: the fast path needs no pairing. */
  private signaturesKnown(transferTxids: readonly Uint8Array[]): boolean {
    const known = this.knownSignatures;
    return known !== undefined && transferTxids.every((txid) => known.verifiedSignature(txid) !== undefined);
  }

  private processDecoded(
    block: Block,
    bytes: Uint8Array,
    arrival: Arrival,
    signature?: SignatureVerdict,
  ): ProcessResult {
    const change = { connected: [] as Block[], disconnected: [] as Block[] };
    const result = this.acceptOne(blockHash(block.header), block, bytes, change, arrival, signature);
    // Orphans waiting for this block (and for their own children) can follow now.
    const queue = result.status === 'connected' || result.status === 'side' ? [result.hash] : [];
    for (let parent = queue.pop(); parent; parent = queue.pop()) {
      for (const o of this.orphans.takeChildren(parent)) {
        // Kept encoded only (see OrphanPool); it decoded once, so it decodes again.
        const r = this.acceptOne(o.hash, decodeBlock(o.bytes), o.bytes, change, o);
        if (r.status === 'connected' || r.status === 'side') queue.push(r.hash);
      }
    }
    this.pruneSideBranches();
    const net = this.notify(change);
    const onMain = this.store.getRecord(result.hash);
    const status =
      result.status === 'side' && onMain && isOnMainChain(this.store, onMain) ? 'connected' : result.status;
    return { ...result, status, ...net };
  }

  /**
   * Deletes side-branch leaves that came unasked, oldest first, until those kept fit
   * `sideBranchBytes`. Blocks that joined the main chain since leave the count (they are no
   * side branch); a block with children waits until its children are pruned.
   */
  private pruneSideBranches(): void {
    if (this.unrequestedSideBytes <= this.sideBranchBytes) return;
    for (const [key, kept] of this.unrequestedSide) {
      const rec = this.store.getRecord(kept.hash);
      const gone = !rec || isOnMainChain(this.store, rec) || this.store.deleteSideLeaf(kept.hash);
      if (gone) {
        this.unrequestedSide.delete(key);
        this.unrequestedSideBytes -= kept.bytes;
        if (this.unrequestedSideBytes <= this.sideBranchBytes) return;
      }
    }
  }

  /**
   * Like bitcoind's invalidateblock: the operator marks a stored block (and its descendants)
   * invalid by hand; if it is on the main chain, the chain moves to the best other branch.
   * Its transfers go back to the mempool through the tip-change listeners.
   */
  invalidateBlock(hash: Uint8Array): TipChange {
    const rec = this.store.getRecord(hash);
    if (!rec) throw new OurCoinError(ChainErrorCode.unknownBlock, `block ${toHex(hash)} is not stored`, 'input');
    if (rec.height === 0)
      throw new OurCoinError(ChainErrorCode.genesis, 'the genesis block cannot be invalidated', 'input');
    this.store.markInvalid(hash, {
      code: ChainErrorCode.manuallyInvalidated,
      message: 'invalidated by the node operator',
    });
    const change = { connected: [] as Block[], disconnected: [] as Block[] };
    if (isOnMainChain(this.store, rec)) {
      while (this.tip.height >= rec.height) {
        change.disconnected.push(this.store.getBlock(this.tip.hash)!);
        this.store.disconnectTip();
      }
    }
    const step = this.activateBestChain();
    change.connected.push(...step.connected);
    change.disconnected.push(...step.disconnected);
    return this.notify(change);
  }

  /**
   * Like bitcoind's reconsiderblock: forgets the invalid marks of a block, its descendants
   * and ancestors, and lets fork choice consider them again. A block that really breaks a
   * rule is marked invalid again when it is connected; `failures` lists those.
   */
  reconsiderBlock(hash: Uint8Array): TipChange & { cleared: number; failures: ReadonlyMap<string, OurCoinError> } {
    if (!this.store.getRecord(hash) && !this.store.getInvalid(hash)) {
      throw new OurCoinError(
        ChainErrorCode.unknownBlock,
        `block ${toHex(hash)} is neither stored nor marked invalid`,
        'input',
      );
    }
    const cleared = this.store.clearInvalid(hash);
    const step = this.activateBestChain();
    return { ...this.notify(step), cleared, failures: step.failures };
  }

  /** Tells the listeners what one operation did to the main chain, net of round trips. */
  private notify(change: TipChange): TipChange {
    const net = netChange(change);
    if (net.connected.length + net.disconnected.length > 0) for (const l of [...this.listeners]) l(net);
    return net;
  }

  private acceptOne(
    hash: Uint8Array,
    block: Block,
    bytes: Uint8Array,
    change: { connected: Block[]; disconnected: Block[] },
    arrival: Arrival,
    signature?: SignatureVerdict,
  ): ProcessResult {
    const invalid = this.store.getInvalid(hash);
    if (invalid) return rejected(hash, this.knownInvalid(hash, invalid));
    if (this.store.getRecord(hash) || this.orphans.has(hash))
      return { status: 'duplicate', hash, connected: [], disconnected: [] };

    try {
      // Proof of work first: it is the cheap filter. A failure is not remembered, since
      // remembering costless junk would let anyone fill the store.
      checkHeaderContextFree(block.header, this.network, hash);
    } catch (err) {
      return rejected(hash, asError(err));
    }
    try {
      checkBlockBody(block, this.network);
      const parent = this.store.getRecord(block.header.prevHash);
      if (!parent) {
        if (this.store.getInvalid(block.header.prevHash))
          throw ruleError(RuleCode.parentInvalid, `parent ${toHex(block.header.prevHash)} is invalid`);
        const overShare = this.orphans.add({ hash, header: block.header, bytes, ...arrival }) > 0;
        return { status: 'orphan', hash, connected: [], disconnected: [], ...(overShare && { overShare }) };
      }
      if (parent.status === BlockStatus.invalid) {
        if (this.invalidByOperator(parent.hash))
          throw new OurCoinError(
            RuleCode.parentInvalid,
            `parent ${toHex(parent.hash)} was invalidated by the operator`,
            'transient',
          );
        throw ruleError(RuleCode.parentInvalid, `parent ${toHex(parent.hash)} is invalid`);
      }
      checkHeaderContextual(block.header, headerContext(this.store, parent), this.network, this.now());
      const light = arrival.unrequested ? this.lightFork(block.header, parent) : undefined;
      if (light) throw light;
      // The signature rule (7.5) does not depend on state: a failed verdict computed ahead
      // refuses the block now, before it is stored, connected and rolled back.
      const ahead = signature ?? this.verdicts.get(toHex(hash));
      if (ahead && !ahead.ok) throw ruleError(ahead.code, ahead.message);
      const work = parent.cumulativeWork + workOfBits(block.header.bits);
      this.store.putBlock(hash, block, bytes, work, BlockStatus.stored);
    } catch (err) {
      const error = asError(err);
      if (error.kind === 'consensus') this.store.markInvalid(hash, { code: error.code, message: error.message });
      return rejected(hash, error);
    }
    // The block is already decoded (with its txids cached): connecting it need not read it back.
    const step = this.activateBestChain(new Map([[toHex(hash), { block, signature }]]));
    change.connected.push(...step.connected);
    change.disconnected.push(...step.disconnected);
    const failure = step.failures.get(toHex(hash));
    if (failure) return rejected(hash, failure);
    const rec = this.store.getRecord(hash)!;
    if (rec.status === BlockStatus.invalid) {
      const mark = this.store.getInvalid(hash)!;
      return rejected(hash, new OurCoinError(mark.code, mark.message, 'consensus'));
    }
    const onMain = isOnMainChain(this.store, rec);
    if (!onMain && arrival.unrequested) {
      this.unrequestedSide.set(toHex(hash), { hash, bytes: bytes.byteLength });
      this.unrequestedSideBytes += bytes.byteLength;
    }
    return { status: onMain ? 'connected' : 'side', hash, connected: [], disconnected: [] };
  }

  /**
   * A block the operator invalidated (or one descending from it) is refused as `transient`,
   * not `consensus`: peers relaying it broke no rule, so they must not be penalised for it.
   */
  private knownInvalid(hash: Uint8Array, mark: InvalidMark): OurCoinError {
    const kind = this.invalidByOperator(hash) ? 'transient' : 'consensus';
    return new OurCoinError(mark.code, `known invalid block: ${mark.message}`, kind);
  }

  /** Whether the invalid mark of `hash` comes from invalidateBlock (on it or an ancestor). */
  private invalidByOperator(hash: Uint8Array): boolean {
    for (let h: Uint8Array | undefined = hash; h;) {
      const mark = this.store.getInvalid(h);
      if (!mark) return false;
      if (mark.code === ChainErrorCode.manuallyInvalidated) return true;
      h = this.store.getRecord(h)?.header.prevHash;
    }
    return false;
  }

  /**
   * Moves the main chain to the stored, not-invalid block with the most work, one store
   * transaction per block. A block that fails is marked invalid and the choice is made again,
   * which may lead back to the old chain. `atHand` holds blocks already decoded, by hex
   * hash, so they are not read back from the store and decoded again.
   */
  activateBestChain(atHand?: ReadonlyMap<string, BlockAtHand>): TipChange & { failures: Map<string, OurCoinError> } {
    const connected: Block[] = [];
    const disconnected: Block[] = [];
    const failures = new Map<string, OurCoinError>();
    for (let path = this.pathToBest(disconnected); path.length > 0; path = this.pathToBest(disconnected)) {
      for (const rec of path) {
        const held = atHand?.get(toHex(rec.hash));
        const block = held?.block ?? this.store.getBlock(rec.hash)!;
        const failure = this.connectOrMark(rec, block, held?.signature);
        if (failure) {
          failures.set(toHex(rec.hash), failure);
          break;
        }
        connected.push(block);
      }
    }
    return { connected, disconnected, failures };
  }

  /**
   * One step of fork choice: when a stored, not-invalid block has more work than the tip,
   * disconnects down to its fork point (pushing the blocks onto `disconnected`) and returns
   * the blocks to connect, in chain order; otherwise returns none.
   */
  private pathToBest(disconnected: Block[]): BlockRecord[] {
    const tip = this.store.tip()!;
    const best = this.store.bestCandidate();
    // On equal work the block that arrived first wins (bestCandidate orders by arrival):
    // after a failed reorg left the tip on a later, equally heavy block, go back.
    if (!best || best.cumulativeWork < tip.cumulativeWork || bytesEqual(best.hash, tip.hash)) return [];
    const path: BlockRecord[] = [];
    let fork = best;
    while (!isOnMainChain(this.store, fork)) {
      path.push(fork);
      fork = this.store.getRecord(fork.header.prevHash)!;
    }
    while (this.store.tip()!.height > fork.height) {
      disconnected.push(this.store.getBlock(this.store.tip()!.hash)!);
      this.store.disconnectTip();
    }
    return path.reverse();
  }

  /** Connects `block`; if it breaks a consensus rule, marks it invalid and returns why. */
  private connectOrMark(rec: BlockRecord, block: Block, signature?: SignatureVerdict): OurCoinError | undefined {
    try {
      this.connect(rec, block, signature);
      return undefined;
    } catch (err) {
      const error = asError(err);
      if (error.kind !== 'consensus') throw error;
      this.store.markInvalid(rec.hash, { code: error.code, message: error.message });
      return error;
    }
  }

  /** Full validation against the current tip's state, then one store transaction. */
  private connect(rec: BlockRecord, block: Block, signature?: SignatureVerdict): void {
    const txids = blockTxids(block);
    const transition = applyBlockState(block, this.store, this.network);
    // The signature does not depend on state: a block that was valid once need not repeat it.
    this.lastSignaturePath =
      rec.status === BlockStatus.valid
        ? 'skipped'
        : verifyBlockSignatures(
            block,
            txids.slice(1),
            this.bls,
            this.knownSignatures,
            signature ?? this.verdicts.get(toHex(rec.hash)),
          );
    this.store.connectBlock(rec.hash, block, txids, transition.changes);
  }
}

function rejected(hash: Uint8Array, error: OurCoinError): ProcessResult {
  return { status: 'rejected', hash, error, connected: [], disconnected: [] };
}

function asError(err: unknown): OurCoinError {
  if (err instanceof OurCoinError) return err;
  throw err;
}

/**
 * The net effect of one processBlock call: a block connected and later disconnected in the
 * same call (a reorg that failed and rolled back) cancels out. Each block is listed once,
 * disconnected ones tip-first, connected ones in chain order.
 */
function netChange(change: TipChange): TipChange {
  const net = new Map<string, number>();
  const bump = (b: Block, d: number): string => {
    const key = toHex(blockHash(b.header));
    net.set(key, (net.get(key) ?? 0) + d);
    return key;
  };
  const keyed = (list: readonly Block[], d: number): [string, Block][] => list.map((b) => [bump(b, d), b]);
  const conn = keyed(change.connected, 1);
  const disc = keyed(change.disconnected, -1);
  const pick = (list: [string, Block][], sign: number): Block[] => {
    const seen = new Set<string>();
    return list.filter(([k]) => Math.sign(net.get(k)!) === sign && !seen.has(k) && seen.add(k)).map(([, b]) => b);
  };
  return { disconnected: pick(disc, -1), connected: pick(conn, 1) };
}

/** A block as given (decoded, or its canonical bytes), with both forms; an encoding error as a value. */
function decodeInput(input: Block | Uint8Array): { block: Block; bytes: Uint8Array } | OurCoinError {
  try {
    return input instanceof Uint8Array
      ? { block: decodeBlock(input), bytes: input }
      : { block: input, bytes: encodeBlock(input) };
  } catch (err) {
    return asError(err);
  }
}
