/**
 * The BLS verification service: every BLS check of input from outside (a transfer's key and
 * signature, a block's aggregate) goes through one `BlsVerifier`. The node runs
 * `BlsMultiThreadVerifier` (multithread.ts: a pool of worker threads with priority queues,
 * cross-call batching and a verdict cache); tests and tools may use `BlsSingleThreadVerifier`
 * (singleThread.ts), which gives the same verdicts on the calling thread.
 *
 * Modelled on Lodestar's `chain/bls/` (`IBlsVerifier.verifySignatureSets`); see
 * docs/decisions/0015-bls-verification-service.md.
 */
import { OurCoinError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import type { NetworkParams } from '../../protocol/networks.js';
import type { SignatureSet, SignatureVerdict } from '../../protocol/rules/signature.js';
import { WorkerErrorCode } from '../../workers/thread.js';

export type { SignatureSet, SignatureVerdict };

/**
 * Who waits for a verdict, most urgent first: a block being imported, then sync's blocks, then
 * transfer admission. A waiting job of a higher priority always goes to a worker before any of
 * a lower one, so a flood of transfers can delay other transfers but never a block.
 */
export type VerifyPriority = 'block' | 'sync' | 'transfer';

export const VERIFY_PRIORITIES: readonly VerifyPriority[] = ['block', 'sync', 'transfer'];

/** One transfer's signature as received: nothing about these bytes has been checked yet. */
export interface TransferSignature {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * The codes the mempool refuses a transfer with (MempoolErrorCode; RuleCode for the key).
 * MEMPOOL_BUSY is no verdict on the transfer: the service had no room for it (never cached).
 */
export type TransferVerdictCode = 'TX_BAD_PUBLIC_KEY' | 'TX_BAD_SIGNATURE' | 'MEMPOOL_BUSY';

export type TransferVerdict =
  | {
      readonly ok: true;
      /**
       * The signature as the uncompressed G2 point the worker verified (192 bytes), when fresh
       * from a worker: a block's fast path sums it without decompressing it again.
       */
      readonly point?: Uint8Array;
    }
  | { readonly ok: false; readonly code: TransferVerdictCode; readonly message: string };

/**
 * A block judged from its encoding alone, on a worker: it decodes, its body keeps every rule
 * that needs no chain state (protocol.md 7.3, the header's commitments first), and its
 * aggregate verifies (7.5). The codes, messages and kinds are those of the same checks on
 * the calling thread; a `mutated` or `encoding` verdict says nothing about the block hash.
 */
export type EncodedBlockVerdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: ErrorCode;
      readonly message: string;
      readonly kind: 'encoding' | 'mutated' | 'consensus';
    };

export interface BlsVerifierStats {
  /** Sets waiting for a worker (buffered or queued), per priority. A block is one set. */
  readonly queued: Readonly<Record<VerifyPriority, number>>;
  /** Jobs sent to a worker and not answered yet. */
  readonly inFlight: number;
  /** Jobs answered by a worker (a retried job counts each time it ran to an answer). */
  readonly jobs: number;
  /** Transfer sets and blocks a worker gave a verdict on. */
  readonly setsVerified: number;
  /** Transfer jobs by size: index i counts jobs of 2^i to 2^(i+1) - 1 sets. */
  readonly batchSizes: readonly number[];
  /** Transfer sets answered from the verdict cache, or by a copy of them already waiting. */
  readonly cacheHits: number;
  /** Transfer sets that had to go to a worker. */
  readonly cacheMisses: number;
  /** Jobs sent again after their worker died. */
  readonly retries: number;
  /** Worker threads that died (each is replaced at the next job). */
  readonly workerRestarts: number;
  /** Transfer jobs stopped early so a block or sync job could have their thread. */
  readonly preempted: number;
  /** Transfer sets answered MEMPOOL_BUSY: their source, or all sources, had too many waiting. */
  readonly refused: number;
}

export interface BlsVerifier {
  /**
   * One verdict per set, in order: the key must be a valid G1 point (not infinity, in the
   * subgroup), the signature a valid G2 point, and the signature must verify. Rejects only with
   * a transient `OurCoinError` (the service could not get a verdict): never an unverified ok.
   */
  verifyTransfers(
    sets: readonly TransferSignature[],
    opts?: {
      readonly priority?: VerifyPriority;
      /**
       * Who sent them, at 'transfer' priority (a client IP, a peer id): each source waits in
       * its own queue, within bounds; a set beyond them is answered `busyVerdict`. Without
       * one, the sets are the node's own (not bounded).
       */
      readonly source?: string;
    },
  ): Promise<TransferVerdict[]>;
  /** Whether a set from `source` would find room now (an `AdmissionGate`, see mempool/interface.ts). */
  admits(source: string): boolean;
  /** The block signature rule (`signatureSetVerdict` on blst): the same verdicts, codes and messages. */
  verifyBlock(set: SignatureSet, opts?: { readonly priority?: 'block' | 'sync' }): Promise<SignatureVerdict>;
  /**
   * `verifyBlock` for a block still encoded, with its decoding and stateless body rules run on
   * the worker too: a large block from outside costs the calling thread nothing until it is
   * known to be worth connecting.
   */
  verifyEncodedBlock(
    bytes: Uint8Array,
    network: NetworkParams,
    opts?: { readonly priority?: 'block' | 'sync' },
  ): Promise<EncodedBlockVerdict>;
  stats(): BlsVerifierStats;
  /** Fails what is waiting with a transient error and ends the workers (idempotent). */
  close(): Promise<void>;
}

/** The answer for a transfer set the service has no room for: try again later, nothing was checked. */
export const busyVerdict: TransferVerdict = Object.freeze({
  ok: false,
  code: 'MEMPOOL_BUSY',
  message: 'too many transfers from this source (or in all) are waiting for their signature check; retry later',
});

/** What a closed verifier answers (transient: another verifier, or a restarted node, may answer). */
export function verifierClosedError(): OurCoinError {
  return new OurCoinError(WorkerErrorCode.closed, 'the BLS verifier was closed before its verdict', 'transient');
}
