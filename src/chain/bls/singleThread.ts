/**
 * The BLS verifier on the calling thread: the same verdicts as `BlsMultiThreadVerifier` (the
 * same maybeBatch.ts and verdict cache), without workers, queues or priorities. For tests and
 * tools; the node uses the multithread verifier so that its main thread never runs a pairing.
 */
import { blstBls } from '../../crypto/blst.js';
import { signatureSetVerdict } from '../../protocol/rules/signature.js';
import type { NetworkParams } from '../../protocol/networks.js';
import type {
  BlsVerifier,
  EncodedBlockVerdict,
  BlsVerifierStats,
  SignatureSet,
  SignatureVerdict,
  TransferSignature,
  TransferVerdict,
} from './interface.js';
import { verifierClosedError } from './interface.js';
import { TRANSFER_VERDICTS, checkEncodedBlock, verifyTransferSets } from './maybeBatch.js';
import { BatchSizes } from './stats.js';
import { VerdictCache, verdictKey } from './verdictCache.js';

export class BlsSingleThreadVerifier implements BlsVerifier {
  private readonly cache: VerdictCache;
  private readonly batchSizes = new BatchSizes();
  private closed = false;
  private jobs = 0;
  private setsVerified = 0;
  private cacheHits = 0;
  private cacheMisses = 0;

  constructor(opts: { readonly verdictCacheSize?: number } = {}) {
    this.cache = new VerdictCache(opts.verdictCacheSize);
  }

  verifyTransfers(sets: readonly TransferSignature[]): Promise<TransferVerdict[]> {
    if (this.closed) return Promise.reject(verifierClosedError());
    const verdicts = sets.map((set) => ({ key: verdictKey(set), verdict: undefined as TransferVerdict | undefined }));
    // Sets without a cached verdict, each distinct one verified once.
    const misses = new Map<string, number[]>();
    verdicts.forEach((v, i) => {
      v.verdict = this.cache.get(v.key);
      const copies = misses.get(v.key);
      if (v.verdict !== undefined || copies) {
        this.cacheHits++;
        copies?.push(i);
      } else {
        this.cacheMisses++;
        misses.set(v.key, [i]);
      }
    });
    if (misses.size > 0) {
      const positions = [...misses.values()];
      const fresh = verifyTransferSets(positions.map(([i]) => sets[i!]!));
      this.jobs++;
      this.setsVerified += positions.length;
      this.batchSizes.add(positions.length);
      positions.forEach((copies, j) => {
        const verdict = TRANSFER_VERDICTS[fresh[j]!]!;
        this.cache.set(verdicts[copies[0]!]!.key, verdict);
        for (const i of copies) verdicts[i]!.verdict = verdict;
      });
    }
    return Promise.resolve(verdicts.map((v) => v.verdict!));
  }

  /** No queue here: every call is verified at once. */
  admits(): boolean {
    return !this.closed;
  }

  verifyBlock(set: SignatureSet): Promise<SignatureVerdict> {
    if (this.closed) return Promise.reject(verifierClosedError());
    try {
      const verdict = signatureSetVerdict(set, blstBls);
      this.jobs++;
      this.setsVerified++;
      return Promise.resolve(verdict);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  verifyEncodedBlock(bytes: Uint8Array, network: NetworkParams): Promise<EncodedBlockVerdict> {
    if (this.closed) return Promise.reject(verifierClosedError());
    const verdict = checkEncodedBlock(bytes, network);
    this.jobs++;
    this.setsVerified++;
    return Promise.resolve(verdict);
  }

  stats(): BlsVerifierStats {
    return {
      queued: { block: 0, sync: 0, transfer: 0 },
      inFlight: 0,
      jobs: this.jobs,
      setsVerified: this.setsVerified,
      batchSizes: this.batchSizes.counts(),
      cacheHits: this.cacheHits,
      cacheMisses: this.cacheMisses,
      retries: 0,
      workerRestarts: 0,
      preempted: 0,
      refused: 0,
    };
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
