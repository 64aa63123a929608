/**
 * Client-side verification of a block from its API JSON, trusting nothing the node computed:
 * every transfer is rebuilt from its fields (chain id, sender key, recipient address, amount,
 * fee, nonce), its txid and signing message are recomputed with the protocol code
 * (docs/protocol.md 4.3), and the ONE aggregate signature is checked against all of them with
 * a single multi-pairing (@noble/curves, pure JS). The header is rebuilt too, so the result
 * also says whether the block hash, the transaction root and the signature commitment match.
 *
 * Pure and DOM-free: the explorer runs it in a Web Worker (verify.worker.ts); tests run it in
 * Node.
 */
import type { Bls } from '../crypto/interface.js';
import { SIGNATURE_LENGTH } from '../crypto/interface.js';
import { blockFromJson, blockHash, computeTxRoot, signatureHashOf } from '../protocol/block.js';
import type { Block, BlockJson } from '../protocol/block.js';
import { toHex } from '../protocol/bytes.js';
import type { NetworkParams } from '../protocol/networks.js';
import type { RuleCodeValue } from '../protocol/rules/codes.js';
import { blockSignatureSet, signatureSetVerdict } from '../protocol/rules/signature.js';
import { coinbaseTxid, transferTxid } from '../protocol/transaction.js';

export type VerifyPhase = 'rebuilding' | 'keys' | 'pairing' | 'done';

export interface VerifyProgress {
  readonly phase: VerifyPhase;
  readonly done: number;
  readonly total: number;
}

export interface VerifyResult {
  /** Everything below holds. */
  readonly valid: boolean;
  /** The aggregate signature covers every recomputed signing message (infinity for no transfers). */
  readonly signatureValid: boolean;
  /** Why not: the block signature rule's code, the one a node refuses the block with. */
  readonly signatureError?: RuleCodeValue;
  /** The proof-of-work hash of the rebuilt header (sha256 of its 64-byte message) equals the block's hash. */
  readonly headerHashMatches: boolean;
  /** The Merkle root of the recomputed txids equals header.txRoot. */
  readonly txRootMatches: boolean;
  /** sha256(aggregateSignature) equals header.signatureHash. */
  readonly signatureHashMatches: boolean;
  /** Positions (1-based, the coinbase is 0) whose recomputed txid differs from the JSON's. */
  readonly txidMismatches: readonly number[];
  readonly transfers: number;
  readonly ms: number;
  /** Set when the JSON could not even be rebuilt into protocol objects. */
  readonly error?: string;
}

/** Bytes a block saves by carrying one 96-byte aggregate instead of one signature per transfer. */
export function bytesSaved(transfers: number): number {
  return Math.max(0, transfers - 1) * SIGNATURE_LENGTH;
}

const now = (): number => globalThis.performance.now();

/** The result of a verification that could not run to the end: nothing is known to match. */
export function failedVerification(error: string, transfers: number, ms: number): VerifyResult {
  return {
    valid: false,
    signatureValid: false,
    headerHashMatches: false,
    txRootMatches: false,
    signatureHashMatches: false,
    txidMismatches: [],
    transfers,
    ms,
    error,
  };
}

export function verifyBlockJson(
  json: BlockJson,
  network: NetworkParams,
  bls: Bls,
  onProgress: (p: VerifyProgress) => void = () => undefined,
): VerifyResult {
  const started = now();
  const total = json.transactions.length;

  let block: Block;
  const txids: Uint8Array[] = [];
  const txidMismatches: number[] = [];
  try {
    block = blockFromJson(json, network);
    txids.push(coinbaseTxid(block.coinbase));
    for (let i = 0; i < total; i++) {
      const tx = block.transactions[i]!;
      const txid = transferTxid(tx);
      if (toHex(txid) !== json.transactions[i]!.txid) txidMismatches.push(i + 1);
      txids.push(txid);
      if (i % 64 === 0 || i === total - 1) onProgress({ phase: 'rebuilding', done: i + 1, total });
    }
  } catch (err) {
    return failedVerification(
      `could not rebuild the block from its JSON: ${err instanceof Error ? err.message : String(err)}`,
      total,
      now() - started,
    );
  }

  const headerHashMatches = toHex(blockHash(block.header)) === json.hash;
  const txRootMatches = toHex(computeTxRoot(txids)) === json.header.txRoot;
  const signatureHashMatches = toHex(signatureHashOf(block.aggregateSignature)) === json.header.signatureHash;

  // The node's own rule (protocol/rules/signature.ts): keys one at a time (validated keys are
  // cached by the backend) so the progress bar moves, then the aggregate, then ONE multi-pairing.
  const set = blockSignatureSet(block, txids.slice(1));
  const verdict = signatureSetVerdict(set, bls, {
    keyValidated: (i, n) => {
      if (i % 16 === 0 || i === n - 1) onProgress({ phase: 'keys', done: i + 1, total: n });
    },
    pairing: () => onProgress({ phase: 'pairing', done: 0, total }),
  });
  const signatureValid = verdict.ok;
  onProgress({ phase: 'done', done: total, total });

  return {
    valid: signatureValid && headerHashMatches && txRootMatches && signatureHashMatches && txidMismatches.length === 0,
    signatureValid,
    ...(verdict.ok ? {} : { signatureError: verdict.code }),
    headerHashMatches,
    txRootMatches,
    signatureHashMatches,
    txidMismatches,
    transfers: total,
    ms: now() - started,
  };
}
