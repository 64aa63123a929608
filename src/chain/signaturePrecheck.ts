/**
 * The block signature rule on a worker thread, ahead of the connect (node-only). During sync
 * the main thread applies state and commits block n while the worker checks the aggregate
 * signatures of blocks n+1, n+2, ...: the import runs at the pace of the slower of the two
 * instead of at their sum.
 *
 * The worker runs the consensus rule itself (signatureSetVerdict, blst) and returns its
 * verdict; Chain.processBlock uses it in place of its own check and fails with the same code
 * and message. Where the worker cannot say (undecodable block, worker crashed, pre-checker
 * closed), there is no verdict and the chain checks as usual.
 */
import { blstBls } from '../crypto/blst.js';
import { blockTxids, decodeBlock } from '../protocol/block.js';
import type { Block } from '../protocol/block.js';
import { blockSignatureSet, signatureSetVerdict } from '../protocol/rules/signature.js';
import { WorkerPool } from '../workers/pool.js';
import type { SignatureVerdict } from './verifyBlockSignatures.js';

/** The signature rule's verdict on a block's canonical bytes; undefined when it cannot be had. */
export function signatureVerdict(bytes: Uint8Array): SignatureVerdict | undefined {
  let block: Block;
  try {
    block = decodeBlock(bytes);
  } catch {
    return undefined;
  }
  try {
    return signatureSetVerdict(blockSignatureSet(block, blockTxids(block).slice(1)), blstBls);
  } catch {
    return undefined;
  }
}

export class SignaturePrechecker {
  // One thread, so verdicts come back in the order the blocks were posted. It starts with the
  // first pre-check: a node that never syncs never starts it.
  private readonly pool = new WorkerPool<Uint8Array, SignatureVerdict | undefined>({
    fromModule: import.meta.url,
    module: 'signaturePrecheckWorker',
  });

  /** One verdict a block, checked in the order given (after anything posted earlier). */
  precheck(blocks: readonly Uint8Array[]): Promise<SignatureVerdict | undefined>[] {
    // A worker that dies (it is replaced) or a closed pre-checker only takes the head start
    // away: without a verdict the chain checks by itself.
    return blocks.map((bytes) => this.pool.run(bytes).catch(() => undefined));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
