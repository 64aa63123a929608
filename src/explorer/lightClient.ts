/**
 * The browser light client ("Verify the chain"): follows one or two nodes' header chains,
 * checks every header with the protocol's own rules (src/protocol/headerChain.ts), keeps the
 * verified chain with the most work in IndexedDB, and checks Merkle inclusion proofs against
 * it. Runs in a Web Worker (lightClient.worker.ts); nothing a node says is taken on trust
 * except as a hint of where to look (its /status height).
 *
 * Following a source: find the highest height where its header hash equals ours (stepping
 * back 1, 2, 4, ... from the lower of the two tips), then download its headers from there in
 * ranges of MAX_HEADERS_PER_REQUEST, a few requests in flight, verifying each range on top of
 * the fork point. The branch is adopted (written over ours from the fork point) as soon as it
 * has more cumulative work than our chain; until then it is held in memory (bounded by
 * MAX_PENDING_BRANCH). A branch that breaks a rule is reported with the rule and height and
 * never adopted beyond its last valid header.
 */
import { HEADER_LENGTH } from '../protocol/block.js';
import { bytesEqual, fromHex, toHex } from '../protocol/bytes.js';
import { HeaderChainVerifier, genesisVerified, headerLookback } from '../protocol/headerChain.js';
import type { HeaderFailure, VerifiedHeader } from '../protocol/headerChain.js';
import { decodeMerkleProof, verifyMerkleProof } from '../protocol/merkleProof.js';
import type { NetworkParams } from '../protocol/networks.js';
import type { TxProof } from '../api/json.js';
import { HeaderStore } from './headerStore.js';

/** Headers per request: the node's limit (GET /api/v1/headers). */
export const HEADERS_PER_REQUEST = 2000;
/** Requests in flight while downloading: hides round trips behind verification. */
const REQUESTS_AHEAD = 4;
/** Headers of a not-yet-heavier branch held in memory before giving up on it. */
export const MAX_PENDING_BRANCH = 200_000;

export interface TipInfo {
  readonly height: number;
  readonly hash: string;
  /** Cumulative work, decimal. */
  readonly work: string;
}

export type SourceState = 'syncing' | 'agrees' | 'behind' | 'lighter' | 'invalid' | 'unreachable';

export interface SourceStatus {
  readonly url: string;
  readonly state: SourceState;
  /** The source's chain as far as we verified it. */
  readonly tip?: TipInfo;
  readonly failure?: HeaderFailure;
  readonly error?: string;
}

export interface SyncProgress {
  readonly url: string;
  readonly height: number;
  readonly target: number;
  readonly headersPerSecond: number;
  readonly verified: number;
  /** Since the follow started: all of it, and the parts spent checking headers and writing them. */
  readonly ms: number;
  readonly verifyMs: number;
  readonly storeMs: number;
}

export type ProofVerdict =
  | {
      readonly ok: true;
      readonly txid: string;
      readonly height: number;
      readonly blockHash: string;
      /** Blocks on top of the one holding it, counting it. */
      readonly confirmations: number;
      /** Work of those blocks (expected hashes), decimal. */
      readonly work: string;
    }
  | { readonly ok: false; readonly txid: string; readonly reason: string; readonly code: string };

export interface LightClientEvents {
  progress(p: SyncProgress): void;
  source(s: SourceStatus): void;
  tip(t: TipInfo, reorg?: { fork: number; from: TipInfo }): void;
}

const toInfo = (v: VerifiedHeader): TipInfo => ({
  height: v.header.height,
  hash: toHex(v.hash),
  work: v.cumulativeWork.toString(),
});

class FetchFailure extends Error {}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new FetchFailure(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function fetchJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  return { status: res.status, body: (await res.json()) as T };
}

export class LightClient {
  private tip: VerifiedHeader;
  private readonly now: () => number;

  private constructor(
    private readonly store: HeaderStore,
    private readonly network: NetworkParams,
    private readonly events: LightClientEvents,
    tip: VerifiedHeader,
    now?: () => number,
  ) {
    this.tip = tip;
    this.now = now ?? ((): number => Math.floor(Date.now() / 1000));
  }

  /** Opens (or creates) the network's verified chain in IndexedDB and resumes from its tip. */
  static async open(network: NetworkParams, events: LightClientEvents): Promise<LightClient> {
    const store = await HeaderStore.open(network);
    const genesis = genesisVerified(network);
    let tip = await store.tip();
    // A store from another genesis (a reset network) is not ours: start again.
    const first = await store.get(0);
    if (!tip || !first || !bytesEqual(first.hash, genesis.hash)) {
      await store.clear();
      await store.write(-1, [genesis], 0);
      tip = genesis;
    }
    return new LightClient(store, network, events, tip);
  }

  get verifiedTip(): TipInfo {
    return toInfo(this.tip);
  }

  /** Forgets the stored chain (back to genesis). */
  async reset(): Promise<void> {
    const genesis = genesisVerified(this.network);
    await this.store.clear();
    await this.store.write(-1, [genesis], 0);
    this.tip = genesis;
    this.events.tip(toInfo(genesis));
  }

  private stored(height: number): Promise<VerifiedHeader | undefined> {
    return this.store.get(height);
  }

  /** The verifier on top of our stored header at `height`. */
  private async verifierAt(height: number): Promise<HeaderChainVerifier> {
    const from = Math.max(0, height - headerLookback(this.network) + 1);
    return HeaderChainVerifier.resume(this.network, await this.store.range(from, height));
  }

  /** The highest height where `api`'s main chain and ours have the same header. */
  private async forkPoint(api: string, sourceHeight: number): Promise<number> {
    let height = Math.min(this.tip.header.height, sourceHeight);
    for (let step = 1; height > 0; step *= 2, height = Math.max(0, height - step)) {
      const bytes = await fetchBytes(`${api}/headers?from=${height}&count=1`);
      const ours = await this.stored(height);
      if (bytes.length === HEADER_LENGTH && ours && bytesEqual(bytes, ours.encoding)) return height;
    }
    return 0;
  }

  /**
   * Downloads and verifies `url`'s header chain; adopts it where it has more work than ours.
   * Resolves with the source's status (also sent as an event).
   */
  async follow(url: string): Promise<SourceStatus> {
    const api = `${url}/api/v1`;
    let sourceHeight: number;
    try {
      sourceHeight = (await fetchJson<{ height: number }>(`${api}/status`)).body.height;
    } catch (err) {
      return this.report({ url, state: 'unreachable', error: err instanceof Error ? err.message : String(err) });
    }
    this.events.source({ url, state: 'syncing' });
    const started = performance.now();
    let verified = 0;
    let verifyMs = 0;
    let storeMs = 0;
    try {
      const fork = await this.forkPoint(api, sourceHeight);
      const verifier = await this.verifierAt(fork);
      let pending: VerifiedHeader[] = [];
      let base = fork; // our stored chain agrees with the source up to here
      let next = fork + 1;
      let writing: Promise<void> = Promise.resolve();
      /** The highest height in the store once the queued writes are done. */
      let storedTipHeight = this.tip.header.height;
      const inFlight: Promise<Uint8Array>[] = [];
      const request = (): void => {
        inFlight.push(fetchBytes(`${api}/headers?from=${next}&count=${HEADERS_PER_REQUEST}`));
        next += HEADERS_PER_REQUEST;
      };
      // As many ranges ahead as the source's height says (a hint), then one at a time until a
      // range comes back short: the tip may move while we download.
      request();
      while (inFlight.length < REQUESTS_AHEAD && next <= sourceHeight) request();
      for (;;) {
        const bytes = await inFlight.shift()!;
        const verifyStart = performance.now();
        const result = verifier.verify(bytes, this.now());
        verifyMs += performance.now() - verifyStart;
        verified += result.accepted.length;
        pending.push(...result.accepted);
        if (pending.length > 0 && pending[pending.length - 1]!.cumulativeWork > this.tip.cumulativeWork) {
          // Written in the background, in order, while the next range is verified.
          const [branch, from, storedHeight] = [pending, base, storedTipHeight];
          writing = writing.then(async () => {
            const storeStart = performance.now();
            await this.store.write(from, branch, storedHeight);
            storeMs += performance.now() - storeStart;
          });
          storedTipHeight = branch[branch.length - 1]!.header.height;
          this.adopt(base, pending);
          base = this.tip.header.height;
          pending = [];
        }
        const ms = performance.now() - started;
        this.events.progress({
          url,
          height: verifier.tip.header.height,
          target: Math.max(sourceHeight, verifier.tip.header.height),
          headersPerSecond: ms > 0 ? (verified * 1000) / ms : 0,
          verified,
          ms,
          verifyMs,
          storeMs,
        });
        if (result.failure) {
          await Promise.allSettled(inFlight);
          await writing;
          return this.report({ url, state: 'invalid', tip: toInfo(verifier.tip), failure: result.failure });
        }
        if (pending.length > MAX_PENDING_BRANCH)
          throw new Error(`a branch longer than ${MAX_PENDING_BRANCH} headers with less work`);
        if (bytes.length < HEADERS_PER_REQUEST * HEADER_LENGTH) break;
        if (inFlight.length === 0 || next <= sourceHeight) request();
      }
      await Promise.allSettled(inFlight);
      await writing;
      const theirs = verifier.tip;
      const state: SourceState = bytesEqual(theirs.hash, this.tip.hash)
        ? 'agrees'
        : theirs.cumulativeWork < this.tip.cumulativeWork && (await this.onOurChain(theirs))
          ? 'behind'
          : 'lighter';
      return this.report({ url, state, tip: toInfo(theirs) });
    } catch (err) {
      return this.report({ url, state: 'unreachable', error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async onOurChain(v: VerifiedHeader): Promise<boolean> {
    const ours = await this.stored(v.header.height);
    return ours !== undefined && bytesEqual(ours.hash, v.hash);
  }

  private report(status: SourceStatus): SourceStatus {
    this.events.source(status);
    return status;
  }

  /** Makes `branch` (which starts at base + 1, and is being stored) the verified chain. */
  private adopt(base: number, branch: readonly VerifiedHeader[]): void {
    const old = this.tip;
    const newTip = branch[branch.length - 1]!;
    this.tip = newTip;
    const reorg = base < old.header.height ? { fork: base, from: toInfo(old) } : undefined;
    this.events.tip(toInfo(newTip), reorg);
  }

  /**
   * Checks a transfer's Merkle proof from `url` against the txRoot of OUR verified header at
   * the proof's height; the node's own txRoot and block hash are only compared, never used.
   */
  async prove(url: string, txidHex: string): Promise<ProofVerdict> {
    const txid = txidHex.toLowerCase();
    const fail = (code: string, reason: string): ProofVerdict => ({ ok: false, txid, code, reason });
    let txidBytes: Uint8Array;
    try {
      txidBytes = fromHex(txid, 'txid', 32);
    } catch {
      return fail('BAD_TXID', 'a txid is 0x followed by 64 hex digits');
    }
    const { status, body } = await fetchJson<TxProof & { error?: { code: string; message: string } }>(
      `${url}/api/v1/transactions/${txid}/proof`,
    );
    if (status !== 200) return fail(body.error?.code ?? `HTTP_${status}`, body.error?.message ?? `HTTP ${status}`);
    const header = await this.stored(body.height);
    if (!header)
      return fail(
        'NOT_IN_VERIFIED_CHAIN',
        `height ${body.height} is above the verified chain (height ${this.tip.header.height}): verify the chain first`,
      );
    if (toHex(header.hash) !== body.blockHash)
      return fail(
        'NOT_IN_VERIFIED_CHAIN',
        `the node's block ${body.blockHash} at height ${body.height} is not the verified chain's ${toHex(header.hash)}`,
      );
    let proofOk = false;
    try {
      proofOk = verifyMerkleProof(txidBytes, decodeMerkleProof(fromHex(body.proof, 'proof')), header.header.txRoot);
    } catch (err) {
      return fail('MERKLE_PROOF_BAD_SHAPE', err instanceof Error ? err.message : String(err));
    }
    if (!proofOk)
      return fail(
        'MERKLE_PROOF_MISMATCH',
        `the proof does not lead from the txid to the txRoot of the verified header at height ${body.height}`,
      );
    const below = body.height > 0 ? (await this.stored(body.height - 1))!.cumulativeWork : 0n;
    return {
      ok: true,
      txid,
      height: body.height,
      blockHash: body.blockHash,
      confirmations: this.tip.header.height - body.height + 1,
      work: (this.tip.cumulativeWork - below).toString(),
    };
  }
}
