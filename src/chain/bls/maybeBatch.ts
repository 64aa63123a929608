/**
 * The verification work itself, the same on a worker thread (worker.ts) and on the calling
 * thread (singleThread.ts): transfer signature sets verified as one batch, bisected on failure
 * to name the bad ones, and the block signature rule.
 *
 * Transfer sets: each key and signature is validated first (length, infinity, curve,
 * subgroup), so a junk point is refused on its own and never spoils the batch; then ONE
 * `verifyMultipleAggregateSignatures` (a randomized multi-pairing, about half the cost of
 * verifying each) covers every set whose points are valid. If it fails, the batch is split in
 * halves recursively until the bad sets are isolated: with k bad sets out of n that costs about
 * 2k log2(n/k) smaller batches, far less than n single verifications while k is small. A half
 * whose sibling passed is known to hold a bad set and is split without being verified whole; a
 * range whose two halves both fail is dense with bad sets and is checked one set at a time.
 *
 * Verdicts travel as one byte a set (an index into TRANSFER_VERDICTS): a compact reply, and the
 * caller shares the same few verdict objects in its cache instead of one copy per entry.
 */
import blst from '@chainsafe/blst';
import type { SignatureSet as BlstSignatureSet } from '@chainsafe/blst';
import { blstBls, createBlstPoints } from '../../crypto/blst.js';
import { BlsErrorCode } from '../../crypto/interface.js';
import { OurCoinError, isOurCoinError } from '../../errors.js';
import { decodeBlock } from '../../protocol/block.js';
import type { NetworkParams } from '../../protocol/networks.js';
import { checkBlockBody } from '../../protocol/rules/body.js';
import { blockSignatureSet, signatureSetVerdict, verifySignatureSet } from '../../protocol/rules/signature.js';
import type {
  EncodedBlockVerdict,
  SignatureSet,
  SignatureVerdict,
  TransferSignature,
  TransferVerdict,
} from './interface.js';

const verdict = (v: TransferVerdict): TransferVerdict => Object.freeze(v);

/** Every verdict a transfer set can get; a worker answers with indices into this list. */
export const TRANSFER_VERDICTS: readonly TransferVerdict[] = Object.freeze([
  verdict({ ok: true }),
  verdict({
    ok: false,
    code: 'TX_BAD_PUBLIC_KEY',
    message: 'sender public key: not a valid 48-byte compressed G1 point in the subgroup',
  }),
  verdict({ ok: false, code: 'TX_BAD_PUBLIC_KEY', message: 'sender public key: the point at infinity' }),
  verdict({
    ok: false,
    code: 'TX_BAD_SIGNATURE',
    message: 'signature: not a valid 96-byte compressed G2 point in the subgroup',
  }),
  verdict({ ok: false, code: 'TX_BAD_SIGNATURE', message: 'signature: the point at infinity' }),
  verdict({
    ok: false,
    code: 'TX_BAD_SIGNATURE',
    message: 'the signature does not verify for this transfer and sender key',
  }),
]);

const VALID = 0;
const BAD_KEY = 1;
const INFINITY_KEY = 2;
const BAD_SIGNATURE = 3;
const INFINITY_SIGNATURE = 4;
const DOES_NOT_VERIFY = 5;

// Senders recur, so validated keys are kept (LRU); a transfer's signature is seen once, so
// signatures are not.
const points = createBlstPoints({ signatureCacheSize: 0 });

/** Bytes of an uncompressed G2 point (a signature in the form that sums without decompressing). */
export const UNCOMPRESSED_SIGNATURE_LENGTH = 192;

/**
 * The verdict index of a set a pre-empted job did not get to (not in TRANSFER_VERDICTS): the
 * service queues it again, it is never an answer.
 */
export const UNFINISHED = 255;

/**
 * A job's pre-emption flag: a one-element Int32Array over a SharedArrayBuffer, set (to 1) by
 * the service when a block or sync job waits and no thread is free. The worker reads it
 * between verification steps and then stops, leaving the sets it did not finish UNFINISHED.
 */
export type PreemptFlag = Int32Array;

export function newPreemptFlag(): PreemptFlag {
  return new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
}

export function requestPreemption(flag: PreemptFlag): void {
  Atomics.store(flag, 0, 1);
}

/** One verdict index a set (TRANSFER_VERDICTS), in order. */
export function verifyTransferSets(sets: readonly TransferSignature[]): Uint8Array {
  return checkTransferSets(sets, undefined).verdicts;
}

/**
 * The verdicts, and the signatures that verified as uncompressed points (UNCOMPRESSED_SIGNATURE_LENGTH
 * bytes a set, zeros for the others): the main thread can then sum them for a block's fast
 * path without decompressing or subgroup-checking them again. With a `flag` that gets set,
 * the sets not finished by then are UNFINISHED.
 */
export function verifyTransferSetsWithPoints(
  sets: readonly TransferSignature[],
  flag?: PreemptFlag,
): {
  verdicts: Uint8Array;
  points: Uint8Array;
} {
  const { verdicts, signatures } = checkTransferSets(sets, flag);
  const points = new Uint8Array(sets.length * UNCOMPRESSED_SIGNATURE_LENGTH);
  signatures.forEach((sig, i) => {
    if (sig && verdicts[i] === 0) points.set(sig.toBytes(false), i * UNCOMPRESSED_SIGNATURE_LENGTH);
  });
  return { verdicts, points };
}

/** Where the steps of one job record their verdicts, and whether the job must stop. */
interface Outcome {
  /** Every set in [lo, hi) of the batch verified. */
  ok(lo: number, hi: number): void;
  /** Set j of the batch does not verify. */
  bad(j: number): void;
  /** The job was pre-empted: take no further step. */
  stopped(): boolean;
}

function checkTransferSets(
  sets: readonly TransferSignature[],
  flag: PreemptFlag | undefined,
): {
  verdicts: Uint8Array;
  signatures: (BlstSignatureSet['sig'] | undefined)[];
} {
  const verdicts = new Uint8Array(sets.length).fill(UNFINISHED);
  const signatures: (BlstSignatureSet['sig'] | undefined)[] = [];
  const batch: BlstSignatureSet[] = [];
  const positions: number[] = [];
  const stopped = flag ? (): boolean => Atomics.load(flag, 0) !== 0 : (): boolean => false;
  for (const [i, set] of sets.entries()) {
    // Decoding and subgroup checks are a step too (about 0.3 ms a set).
    if (stopped()) return { verdicts, signatures };
    let pk;
    try {
      pk = points.publicKey(set.publicKey);
    } catch (err) {
      verdicts[i] = isOurCoinError(err, BlsErrorCode.infinityPublicKey) ? INFINITY_KEY : BAD_KEY;
      continue;
    }
    let sig;
    try {
      sig = points.signature(set.signature);
    } catch (err) {
      verdicts[i] = isOurCoinError(err, BlsErrorCode.infinitySignature) ? INFINITY_SIGNATURE : BAD_SIGNATURE;
      continue;
    }
    batch.push({ msg: set.message, pk, sig });
    signatures[i] = sig;
    positions.push(i);
  }
  bisect(batch, 0, batch.length, false, {
    ok: (lo, hi) => {
      for (let j = lo; j < hi; j++) verdicts[positions[j]!] = VALID;
    },
    bad: (j) => (verdicts[positions[j]!] = DOES_NOT_VERIFY),
    stopped,
  });
  return { verdicts, signatures };
}

/**
 * Records a verdict for exactly the sets in [lo, hi) (unless stopped first). `knownBad`: the
 * range is known to hold at least one bad set (its parent failed and its sibling passed).
 *
 * When both halves of a failing range fail, it holds at least two bad sets and likely many (a
 * flood of forged transfers): bisecting further would cost about n batch checks per bad set,
 * so its sets are checked one by one instead (n single checks). An all-bad batch of n sets
 * then costs n + 3 calls, not about 4n.
 */
function bisect(sets: readonly BlstSignatureSet[], lo: number, hi: number, knownBad: boolean, out: Outcome): void {
  if (hi <= lo || out.stopped()) return;
  if (!knownBad && verifyRange(sets, lo, hi)) return out.ok(lo, hi);
  if (hi - lo === 1) return out.bad(lo);
  const mid = lo + ((hi - lo) >> 1);
  if (out.stopped()) return;
  if (verifyRange(sets, lo, mid)) {
    out.ok(lo, mid);
    return bisect(sets, mid, hi, true, out);
  }
  if (out.stopped()) return;
  if (verifyRange(sets, mid, hi)) {
    out.ok(mid, hi);
    return bisect(sets, lo, mid, true, out);
  }
  oneByOne(sets, lo, mid, out);
  oneByOne(sets, mid, hi, out);
}

/** Checks each set of a range that failed (a range of one is known bad already). */
function oneByOne(sets: readonly BlstSignatureSet[], lo: number, hi: number, out: Outcome): void {
  if (hi - lo === 1) return out.bad(lo);
  for (let j = lo; j < hi; j++) {
    if (out.stopped()) return;
    if (verifyRange(sets, j, j + 1)) out.ok(j, j + 1);
    else out.bad(j);
  }
}

/** Whether every set in [lo, hi) verifies (the points are already validated). */
function verifyRange(sets: readonly BlstSignatureSet[], lo: number, hi: number): boolean {
  try {
    if (hi - lo === 1) {
      const { msg, pk, sig } = sets[lo]!;
      return blst.verify(msg, pk, sig, false, false);
    }
    return blst.verifyMultipleAggregateSignatures(sets.slice(lo, hi), false, false);
  } catch {
    return false;
  }
}

/** A block's encoding judged as a whole: decoding, stateless body rules, then the signature rule. */
export function checkEncodedBlock(bytes: Uint8Array, network: NetworkParams): EncodedBlockVerdict {
  try {
    const block = decodeBlock(bytes);
    const txids = checkBlockBody(block, network);
    verifySignatureSet(blockSignatureSet(block, txids.slice(1)), blstBls);
    return { ok: true };
  } catch (err) {
    if (err instanceof OurCoinError && (err.kind === 'encoding' || err.kind === 'mutated' || err.kind === 'consensus'))
      return { ok: false, code: err.code, message: err.message, kind: err.kind };
    throw err;
  }
}

/** What the service sends a worker: a batch of transfer sets, or one block's signature set or encoding. */
export type BlsJob =
  | { readonly kind: 'transfers'; readonly sets: readonly TransferSignature[]; readonly preempt?: PreemptFlag }
  | { readonly kind: 'block'; readonly set: SignatureSet }
  | { readonly kind: 'encodedBlock'; readonly bytes: Uint8Array; readonly network: NetworkParams };

export type BlsJobResult =
  | { readonly kind: 'transfers'; readonly verdicts: Uint8Array; readonly points: Uint8Array }
  | { readonly kind: 'block'; readonly verdict: SignatureVerdict }
  | { readonly kind: 'encodedBlock'; readonly verdict: EncodedBlockVerdict };

/** A worker's whole job: the handler of worker.ts. */
export function runBlsJob(job: BlsJob): BlsJobResult {
  switch (job.kind) {
    case 'transfers':
      return { kind: 'transfers', ...verifyTransferSetsWithPoints(job.sets, job.preempt) };
    case 'block':
      return { kind: 'block', verdict: signatureSetVerdict(job.set, blstBls) };
    case 'encodedBlock':
      return { kind: 'encodedBlock', verdict: checkEncodedBlock(job.bytes, job.network) };
  }
}
