/**
 * The mempool: signed transfers waiting to be mined, valid against the current tip.
 *
 * Admission runs every consensus check that applies to a lone transfer (fields, chain id,
 * nonce and balance against the tip state plus the sender's pending transfers, the sender
 * key), policy (minimum fee, nonce gap, size), and the individual signature, verified in
 * batches by a `SignatureBatchVerifier` (worker threads in the node). Transfers wait in
 * per-sender nonce chains: nonce n+1 may arrive before n and waits for it. A transfer with
 * the same sender and nonce as a pending one replaces it if it pays enough more
 * (`minReplacementFee`), within a budget of replacements per sender and per source between
 * two blocks. Past its count or its byte budget (estimated memory, `entryBytes`), the
 * lowest-fee chain ends are evicted.
 *
 * Chain events keep it true: a connected block removes its transfers (and anything its
 * nonces made stale); a disconnected block's transfers come back when their signatures are
 * known (the pool keeps the signatures of recently mined transfers for exactly this).
 */
import type { BlsVerifier, TransferVerdict } from '../chain/bls/interface.js';
import type { ChainReader } from '../chain/interface.js';
import type { KnownSignatures } from '../chain/verifyBlockSignatures.js';
import type { TipChange } from '../chain/interface.js';
import { blockTxids } from '../protocol/block.js';
import type { Block } from '../protocol/block.js';
import { toHex } from '../protocol/bytes.js';
import { OurCoinError } from '../errors.js';
import type { CodeOf } from '../errors.js';
import { checkTransferFields } from '../protocol/rules/body.js';
import {
  decodeSignedTransfer,
  encodeSignedTransfer,
  signingMessage,
  transferSender,
  transferTxid,
} from '../protocol/transaction.js';
import type { SignedTransfer, Transfer } from '../protocol/transaction.js';
import {
  DEFAULT_MEMPOOL_LIMITS,
  MEMPOOL_VERDICTS,
  MempoolErrorCode,
  entryBytes,
  minReplacementFee,
} from './interface.js';
import type {
  AdmissionResult,
  MempoolEntry,
  MempoolLimits,
  MempoolMetrics,
  DropReason,
  PoolEvent,
  PoolEventListener,
  SubmitOptions,
  TransferPool,
} from './interface.js';
import type { MempoolStore } from '../store/interface.js';
import { LruCache } from '../crypto/lruCache.js';

export interface MempoolOptions {
  readonly chain: ChainReader;
  /** Checks keys and signatures off the main thread (the node's BLS verification service). */
  readonly verifier: BlsVerifier;
  readonly store?: MempoolStore;
  readonly limits?: Partial<MempoolLimits>;
  /** Signatures of recently mined transfers kept for reorgs. */
  readonly minedSignatureCacheSize?: number;
  /** Counts admissions and refusals (the node's /metrics). */
  readonly metrics?: MempoolMetrics;
}

/** A sender's pending transfers by nonce. */
type NonceChain = Map<number, MempoolEntry>;

function reject(txid: Uint8Array, code: CodeOf<typeof MempoolErrorCode>, message: string): AdmissionResult {
  return { accepted: false, txid, error: new OurCoinError(code, message, MEMPOOL_VERDICTS[code]) };
}

export class Mempool implements TransferPool, KnownSignatures {
  readonly limits: MempoolLimits;
  private readonly chain: ChainReader;
  private readonly verifier: BlsVerifier;
  private readonly store: MempoolStore | undefined;
  private readonly metrics: MempoolMetrics | undefined;
  private readonly byTxid = new Map<string, MempoolEntry>();
  private readonly bySender = new Map<string, NonceChain>();
  /** Signatures of recently mined transfers (with their points: 96 + 192 bytes an entry). */
  private readonly minedSignatures: LruCache<{ signature: Uint8Array; point?: Uint8Array }>;
  private seq = 0;
  /** Estimated memory of the entries held (see entryBytes). */
  private heldBytes = 0;
  /** Replacements admitted since the last block, per sender and per source (the budgets). */
  private readonly replacementsBySender = new Map<string, number>();
  private readonly replacementsBySource = new Map<string, number>();
  private readonly changeListeners: (() => void)[] = [];
  private readonly acceptListeners: ((entries: MempoolEntry[]) => void)[] = [];
  private readonly eventListeners: PoolEventListener[] = [];
  /** What the operation under way did, told to the event listeners when it ends (flushEvents). */
  private events: PoolEvent[] = [];

  constructor(opts: MempoolOptions) {
    this.chain = opts.chain;
    this.verifier = opts.verifier;
    this.store = opts.store;
    this.metrics = opts.metrics;
    this.limits = { ...DEFAULT_MEMPOOL_LIMITS, ...opts.limits };
    this.minedSignatures = new LruCache(opts.minedSignatureCacheSize ?? 100_000);
  }

  get size(): number {
    return this.byTxid.size;
  }

  /** Estimated memory of the entries held, within `limits.maxBytes` (see entryBytes). */
  get bytes(): number {
    return this.heldBytes;
  }

  /** Called after every change of content (admission, removal), e.g. to refresh a block template. */
  onChange(listener: () => void): () => void {
    this.changeListeners.push(listener);
    return () => void this.changeListeners.splice(this.changeListeners.indexOf(listener), 1);
  }

  /** Called with the transfers each `submit` admitted (e.g. to relay them to peers). */
  onAccepted(listener: (entries: MempoolEntry[]) => void): () => void {
    this.acceptListeners.push(listener);
    return () => void this.acceptListeners.splice(this.acceptListeners.indexOf(listener), 1);
  }

  /** Called, once per operation (a submission, a tip change), with what happened to pending transfers. */
  onPoolEvents(listener: PoolEventListener): () => void {
    this.eventListeners.push(listener);
    return () => void this.eventListeners.splice(this.eventListeners.indexOf(listener), 1);
  }

  private flushEvents(): void {
    const events = this.events;
    this.events = [];
    if (events.length > 0) for (const l of this.eventListeners) l(events);
  }

  get(txid: Uint8Array): MempoolEntry | undefined {
    return this.byTxid.get(toHex(txid));
  }

  entries(): MempoolEntry[] {
    return [...this.byTxid.values()];
  }

  /** Pending transfers from `sender` (20-byte address hash), by nonce. */
  pendingFrom(sender: Uint8Array): MempoolEntry[] {
    return [...(this.bySender.get(toHex(sender))?.values() ?? [])].sort((a, b) => a.tx.nonce - b.tx.nonce);
  }

  /** The sender's next nonce counting its contiguous pending transfers. */
  nextNonce(sender: Uint8Array): number {
    let nonce = this.chain.getAccount(sender).nonce;
    const chain = this.bySender.get(toHex(sender));
    while (chain?.has(nonce)) nonce++;
    return nonce;
  }

  verifiedSignature(txid: Uint8Array): Uint8Array | undefined {
    const key = toHex(txid);
    return this.byTxid.get(key)?.signature ?? this.minedSignatures.get(key)?.signature;
  }

  verifiedSignaturePoint(txid: Uint8Array): Uint8Array | undefined {
    const key = toHex(txid);
    const entry = this.byTxid.get(key);
    if (entry) return entry.signaturePoint ?? entry.signature;
    const mined = this.minedSignatures.get(key);
    return mined?.point ?? mined?.signature;
  }

  /** Reloads persisted transfers (after a restart), re-checking each against the current tip. */
  async loadPersisted(): Promise<number> {
    if (!this.store) return 0;
    const decoded: SignedTransfer[] = [];
    const undecodable: Uint8Array[] = [];
    for (const { txid, data } of this.store.loadAll()) {
      try {
        decoded.push(decodeSignedTransfer(data));
      } catch {
        undecodable.push(txid);
      }
    }
    this.store.remove(undecodable);
    // Nonce order per sender, so each chain re-forms from its first transfer.
    decoded.sort((a, b) => a.tx.nonce - b.tx.nonce);
    const results = await this.submit(decoded);
    const rejected = results.filter((r) => !r.accepted).map((r) => r.txid);
    this.store.remove(rejected);
    return results.length - rejected.length;
  }

  /**
   * Admits a batch of signed transfers; one result per input, in order. Cheap checks first,
   * then one batched signature verification for everything that passed them, then a final
   * synchronous re-check and insertion (the state may have moved while signatures were checked).
   */
  async submit(batch: readonly SignedTransfer[], opts: SubmitOptions = {}): Promise<AdmissionResult[]> {
    const results: (AdmissionResult | undefined)[] = batch.map(() => undefined);
    const toVerify: { index: number; txid: Uint8Array; stx: SignedTransfer }[] = [];
    batch.forEach((stx, index) => {
      const txid = transferTxid(stx.tx);
      const early = this.precheck(stx, txid, opts.source);
      if (early) results[index] = early;
      else toVerify.push({ index, txid, stx });
    });
    // Duplicates inside one batch: only the first is verified and admitted.
    const seen = new Set<string>();
    const unique = toVerify.filter(({ index, txid }) => {
      const key = toHex(txid);
      if (!seen.has(key)) return seen.add(key);
      results[index] = reject(txid, MempoolErrorCode.duplicate, 'transaction appears twice in one submission');
      return false;
    });
    if (unique.length > 0) {
      // Keys, signatures and the pairing are all checked on the verifier's worker threads.
      let verdicts: TransferVerdict[] | OurCoinError;
      try {
        verdicts = await this.verifier.verifyTransfers(
          unique.map(({ txid, stx }) => ({
            publicKey: stx.tx.senderPublicKey,
            message: signingMessage(stx.tx, txid),
            signature: stx.signature,
          })),
          { priority: 'transfer', source: opts.source },
        );
      } catch (err) {
        // A worker failed twice, or the node is closing: no verdict, so nothing is admitted.
        if (!(err instanceof OurCoinError)) throw err;
        verdicts = err;
      }
      unique.forEach(({ index, txid, stx }, i) => {
        const verdict = verdicts instanceof OurCoinError ? verdicts : verdicts[i]!;
        results[index] =
          verdict instanceof OurCoinError
            ? { accepted: false, txid, error: verdict }
            : verdict.ok
              ? this.insert(stx, txid, verdict.point, opts.source)
              : reject(txid, verdict.code, verdict.message);
      });
    }
    // Accepted means persisted: wait for the group commit of this turn's writes.
    if (results.some((r) => r?.accepted)) await this.store?.written();
    // (An entry replaced later in the same batch, or removed meanwhile, is gone again: only
    // what is still held counts.)
    const accepted = results.flatMap((r) => {
      const entry = r?.accepted ? this.byTxid.get(toHex(r.txid)) : undefined;
      return entry ? [entry] : [];
    });
    if (this.metrics) {
      for (const r of results) if (r && !r.accepted) this.metrics.refused(r.error.code);
      if (accepted.length > 0) this.metrics.admitted(accepted.length);
    }
    if (accepted.length > 0) {
      this.notifyChange();
      for (const l of this.acceptListeners) l(accepted);
    }
    for (const entry of accepted) this.events.push({ type: 'accepted', entry });
    this.flushEvents();
    return results.map((r) => r!);
  }

  /**
   * The stateless checks and the pool's cheap policy (fields, fee floor, duplicates, already
   * mined, the replacement rules), on this thread: a transfer that fails here costs no BLS
   * work, so a storm of refused bumps costs a lookup each. Keys and signature come next, on the
   * verifier's workers; the state (nonce window, balance, replacement again) is checked last,
   * at insertion, against the tip of that moment. (Nonce and balance wait for the key check: a
   * junk key's sender is unfunded, and its relayer must be penalised for the key, not excused.)
   */
  private precheck(stx: SignedTransfer, txid: Uint8Array, source: string | undefined): AdmissionResult | undefined {
    const { tx } = stx;
    try {
      checkTransferFields(tx, this.chain.network);
    } catch (err) {
      if (err instanceof OurCoinError) return { accepted: false, txid, error: err };
      throw err;
    }
    if (tx.fee < this.limits.minFee)
      return reject(txid, MempoolErrorCode.feeTooLow, `fee ${tx.fee} is below the minimum ${this.limits.minFee}`);
    if (this.byTxid.has(toHex(txid)))
      return reject(txid, MempoolErrorCode.duplicate, 'transaction is already in the mempool');
    if (this.chain.getTxLocation(txid))
      return reject(txid, MempoolErrorCode.alreadyConfirmed, 'transaction is already in a block');
    return this.checkReplacement(stx.tx, txid, source);
  }

  /**
   * When `tx` takes the place of a pending transfer (same sender and nonce): the replacement
   * budgets (per sender, per source, until the next block), then the fee increment. Only a
   * pending transfer can be replaced, and its key was verified on admission, so the sender
   * is real.
   */
  private checkReplacement(tx: Transfer, txid: Uint8Array, source: string | undefined): AdmissionResult | undefined {
    const senderKey = toHex(transferSender(tx));
    const pending = this.bySender.get(senderKey)?.get(tx.nonce);
    if (!pending) return undefined;
    const { maxReplacementsPerSender, maxReplacementsPerSource, minFee } = this.limits;
    if ((this.replacementsBySender.get(senderKey) ?? 0) >= maxReplacementsPerSender) {
      return reject(
        txid,
        MempoolErrorCode.tooManyReplacements,
        `this sender has replaced ${maxReplacementsPerSender} pending transfers since the last block, the most allowed; send the replacement after the next block`,
      );
    }
    if (source !== undefined && (this.replacementsBySource.get(source) ?? 0) >= maxReplacementsPerSource) {
      return reject(
        txid,
        MempoolErrorCode.tooManyReplacements,
        `${maxReplacementsPerSource} replacements from this source were admitted since the last block, the most allowed; send it after the next block`,
      );
    }
    const needed = minReplacementFee(pending.tx.fee, minFee);
    if (tx.fee < needed) {
      return reject(
        txid,
        MempoolErrorCode.replacementFeeTooLow,
        `a transfer with nonce ${tx.nonce} is pending with fee ${pending.tx.fee}; a replacement must pay at least ${needed}`,
      );
    }
    return undefined;
  }

  /** Nonce window, replace-by-fee and the sender's balance over all its pending transfers. */
  private checkAgainstState(
    stx: SignedTransfer,
    txid: Uint8Array,
    source: string | undefined,
  ): AdmissionResult | undefined {
    const { tx } = stx;
    const sender = transferSender(tx);
    const account = this.chain.getAccount(sender);
    if (tx.nonce < account.nonce) {
      return reject(
        txid,
        MempoolErrorCode.nonceTooLow,
        `nonce ${tx.nonce} is already used; the sender's next nonce is ${account.nonce}`,
      );
    }
    if (tx.nonce > account.nonce + this.limits.maxNonceGap) {
      return reject(
        txid,
        MempoolErrorCode.nonceTooHigh,
        `nonce ${tx.nonce} is more than ${this.limits.maxNonceGap} ahead of the sender's next nonce ${account.nonce}`,
      );
    }
    // Again: the pool may have moved while the signature was checked (a batch's earlier bump).
    const refused = this.checkReplacement(tx, txid, source);
    if (refused) return refused;
    const pending = this.bySender.get(toHex(sender));
    const replaced = pending?.get(tx.nonce);
    let committed = tx.amount + tx.fee;
    for (const e of pending?.values() ?? []) if (e !== replaced) committed += e.tx.amount + e.tx.fee;
    if (committed > account.balance) {
      return reject(
        txid,
        MempoolErrorCode.insufficientBalance,
        `sender has ${account.balance}, its pending transfers with this one need ${committed}`,
      );
    }
    return undefined;
  }

  private insert(
    stx: SignedTransfer,
    txid: Uint8Array,
    signaturePoint: Uint8Array | undefined,
    source: string | undefined,
  ): AdmissionResult {
    const again = this.checkAgainstState(stx, txid, source);
    if (again) return again;
    if (this.byTxid.has(toHex(txid)))
      return reject(txid, MempoolErrorCode.duplicate, 'transaction is already in the mempool');
    const sender = transferSender(stx.tx);
    const senderKey = toHex(sender);
    const replaced = this.bySender.get(senderKey)?.get(stx.tx.nonce);
    const entry: MempoolEntry = { txid, tx: stx.tx, signature: stx.signature, signaturePoint, sender, seq: this.seq++ };
    // Room for the newcomer, in count and in bytes, planned before anything is evicted: a
    // newcomer that cannot get in leaves the pool as it was.
    const victims = this.victims({
      count: replaced ? 0 : 1,
      bytes: entryBytes(entry) - (replaced ? entryBytes(replaced) : 0),
      cheaperThan: stx.tx.fee,
      sparing: senderKey,
    });
    if (!victims) {
      return reject(
        txid,
        MempoolErrorCode.full,
        `the mempool is full and holds nothing cheaper than fee ${stx.tx.fee}`,
      );
    }
    this.removeEntries(victims, 'evicted');
    if (replaced) {
      this.removeEntries([replaced]);
      this.events.push({ type: 'replaced', entry: replaced, by: txid });
      this.replacementsBySender.set(senderKey, (this.replacementsBySender.get(senderKey) ?? 0) + 1);
      if (source !== undefined) this.replacementsBySource.set(source, (this.replacementsBySource.get(source) ?? 0) + 1);
    }
    this.index(entry);
    this.store?.put(txid, encodeSignedTransfer(stx));
    return replaced ? { accepted: true, txid, replaced: replaced.txid } : { accepted: true, txid };
  }

  /**
   * The entries to evict so that `count` more entries and `bytes` more bytes fit within the
   * limits: each time the cheapest chain end (a sender's highest-nonce transfer, so no
   * remaining transfer loses its predecessor), never one of `sparing`'s own (that would
   * orphan the newcomer), only ones paying less than `cheaperThan` when given. Undefined when
   * that cannot make room.
   */
  private victims(need: {
    count: number;
    bytes: number;
    cheaperThan?: bigint;
    sparing?: string;
  }): MempoolEntry[] | undefined {
    const { maxTransactions, maxBytes } = this.limits;
    let count = this.byTxid.size + need.count;
    let bytes = this.heldBytes + need.bytes;
    const out: MempoolEntry[] = [];
    const gone = new Set<MempoolEntry>();
    while (count > maxTransactions || bytes > maxBytes) {
      let victim: MempoolEntry | undefined;
      for (const [key, chain] of this.bySender) {
        if (key === need.sparing) continue;
        let last: MempoolEntry | undefined;
        for (const e of chain.values()) if (!gone.has(e) && (!last || e.tx.nonce > last.tx.nonce)) last = e;
        if (
          last &&
          (!victim || last.tx.fee < victim.tx.fee || (last.tx.fee === victim.tx.fee && last.seq > victim.seq))
        )
          victim = last;
      }
      if (!victim || (need.cheaperThan !== undefined && victim.tx.fee >= need.cheaperThan)) return undefined;
      gone.add(victim);
      out.push(victim);
      count--;
      bytes -= entryBytes(victim);
    }
    return out;
  }

  /** Adds an entry to both indexes: by txid, and in its sender's nonce chain. */
  private index(entry: MempoolEntry): void {
    const senderKey = toHex(entry.sender);
    let chain = this.bySender.get(senderKey);
    if (!chain) this.bySender.set(senderKey, (chain = new Map<number, MempoolEntry>()));
    chain.set(entry.tx.nonce, entry);
    this.byTxid.set(toHex(entry.txid), entry);
    this.heldBytes += entryBytes(entry);
  }

  /** Takes an entry out of both indexes; a sender left with no pending transfer goes too. */
  private unindex(entry: MempoolEntry): void {
    if (!this.byTxid.delete(toHex(entry.txid))) return;
    this.heldBytes -= entryBytes(entry);
    const senderKey = toHex(entry.sender);
    const chain = this.bySender.get(senderKey);
    chain?.delete(entry.tx.nonce);
    if (chain?.size === 0) this.bySender.delete(senderKey);
  }

  /** Takes entries out of the pool; with a `reason`, each is told to event listeners as dropped. */
  private removeEntries(entries: readonly MempoolEntry[], reason?: DropReason): void {
    for (const e of entries) this.unindex(e);
    if (reason) for (const entry of entries) this.events.push({ type: 'dropped', entry, reason });
    if (entries.length > 0) this.store?.remove(entries.map((e) => e.txid));
  }

  /**
   * Transfers for a block template, best fees first, each sender's in nonce order and only
   * as far as its chain is contiguous from its account nonce; at most `maxCount`.
   */
  selectForBlock(maxCount: number): MempoolEntry[] {
    // One queue head per sender: its next ready transfer. Pick the best head each round.
    const heads: { entry: MempoolEntry; chain: NonceChain }[] = [];
    for (const chain of this.bySender.values()) {
      const first = chain.values().next().value!;
      const next = chain.get(this.chain.getAccount(first.sender).nonce);
      if (next) heads.push({ entry: next, chain });
    }
    const better = (a: MempoolEntry, b: MempoolEntry): boolean =>
      a.tx.fee > b.tx.fee || (a.tx.fee === b.tx.fee && a.seq < b.seq);
    const out: MempoolEntry[] = [];
    while (out.length < maxCount && heads.length > 0) {
      let best = 0;
      for (let i = 1; i < heads.length; i++) if (better(heads[i]!.entry, heads[best]!.entry)) best = i;
      const { entry, chain } = heads[best]!;
      out.push(entry);
      const next = chain.get(entry.tx.nonce + 1);
      if (next) heads[best] = { entry: next, chain };
      else heads.splice(best, 1);
    }
    return out;
  }

  /**
   * Follows the chain: mined transfers leave the pool (their signatures are kept for reorgs),
   * transfers of disconnected blocks come back, and every sender touched is re-checked
   * against the new tip. The composition root subscribes this to the chain's tip changes.
   */
  applyTipChange(change: TipChange): void {
    const returned = change.disconnected.flatMap((block) => this.returnTransfers(block));
    for (const block of change.connected) this.removeMined(block);
    // Any account a moved block touched may now fund less (or its nonce moved): re-check them.
    const touched = new Set<string>();
    for (const block of [...change.disconnected, ...change.connected]) {
      touched.add(toHex(block.coinbase.recipient));
      for (const tx of block.transactions) {
        touched.add(toHex(transferSender(tx)));
        touched.add(toHex(tx.recipient));
      }
    }
    for (const key of touched) this.trimToState(key);
    // What a reorg gave back may not fit: the cheapest chain ends go, as for a newcomer.
    this.removeEntries(this.victims({ count: 0, bytes: 0 }) ?? [], 'evicted');
    // The replacement budgets are per block: a new tip starts them again.
    if (change.connected.length > 0) {
      this.replacementsBySender.clear();
      this.replacementsBySource.clear();
    }
    this.notifyChange();
    // Transfers a reorg gave back are offered to listeners again (the network relays them to
    // peers that have not seen them recently).
    const back = returned.filter((e) => this.byTxid.get(toHex(e.txid)) === e);
    if (back.length > 0) for (const l of this.acceptListeners) l(back);
    this.flushEvents();
  }

  /** Keeps the signatures of a connected block's transfers for reorgs, and drops them from the pool. */
  private removeMined(block: Block): void {
    const mined: MempoolEntry[] = [];
    const txids = blockTxids(block);
    for (let i = 1; i < txids.length; i++) {
      const key = toHex(txids[i]!);
      const entry = this.byTxid.get(key);
      if (entry) {
        this.minedSignatures.set(key, { signature: entry.signature, point: entry.signaturePoint });
        mined.push(entry);
      }
    }
    this.removeEntries(mined);
  }

  /**
   * Re-checks a sender's chain against the tip state: drops nonces the chain has used, and
   * keeps the lowest remaining nonces that its balance covers.
   */
  private trimToState(senderKey: string): void {
    const chain = this.bySender.get(senderKey);
    if (!chain) return;
    const entries = [...chain.values()].sort((a, b) => a.tx.nonce - b.tx.nonce);
    const account = this.chain.getAccount(entries[0]!.sender);
    let left = account.balance;
    const used: MempoolEntry[] = [];
    const invalid: MempoolEntry[] = [];
    for (const e of entries) {
      const cost = e.tx.amount + e.tx.fee;
      if (e.tx.nonce < account.nonce) used.push(e);
      else if (e.tx.nonce > account.nonce + this.limits.maxNonceGap || cost > left) invalid.push(e);
      else left -= cost;
    }
    // Still pending here means its nonce went to another transfer (a mined one left already).
    this.removeEntries(used, 'conflict');
    this.removeEntries(invalid, 'invalidated');
  }

  /** A disconnected block's transfers come back if their verified signatures are known. */
  private returnTransfers(block: Block): MempoolEntry[] {
    const returned: MempoolEntry[] = [];
    const txids = blockTxids(block);
    for (const [i, tx] of block.transactions.entries()) {
      const txid = txids[i + 1]!;
      const key = toHex(txid);
      const mined = this.minedSignatures.get(key);
      if (!mined || this.byTxid.has(key)) continue;
      const { signature, point: signaturePoint } = mined;
      const sender = transferSender(tx);
      // A pending transfer with the same nonce was a replacement made meanwhile: keep the higher fee.
      const clash = this.bySender.get(toHex(sender))?.get(tx.nonce);
      if (clash && clash.tx.fee >= tx.fee) continue;
      if (clash) this.removeEntries([clash], 'conflict');
      const entry: MempoolEntry = { txid, tx, signature, signaturePoint, sender, seq: this.seq++ };
      this.index(entry);
      this.store?.put(txid, encodeSignedTransfer({ tx, signature }));
      returned.push(entry);
    }
    return returned;
  }

  private notifyChange(): void {
    for (const l of this.changeListeners) l();
  }
}
