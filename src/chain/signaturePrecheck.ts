/**
 * The block signature rule on a worker thread, ahead of the connect (node-only). During sync
 * the main thread applies state and commits block n while the worker checks the aggregate
 * signatures of blocks n+1, n+2, ...: the import runs at the pace of the slower of the two
 * instead of at their sum.
 *
 * The worker runs the consensus rule itself (signatureSetVerdict, blst) and returns its
 * verdict; Chain.processBlock uses it in place of its own check and fails with the same code
 * and message. Where the worker cannot say (undecodable block, worker gone), there is no
 * verdict and the chain checks as usual.
 */
import type { Worker } from 'node:worker_threads';
import { blstBls } from '../crypto/blst.js';
import { blockTxids, decodeBlock } from '../protocol/block.js';
import type { Block } from '../protocol/block.js';
import { blockSignatureSet, signatureSetVerdict } from '../protocol/rules/signature.js';
import { startWorker } from '../workers/startWorker.js';
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
  private worker: Worker | undefined;
  private failed = false;
  private readonly waiting = new Map<number, (verdict: SignatureVerdict | undefined) => void>();
  private nextId = 0;

  /** One verdict a block, checked in the order given (after anything posted earlier). */
  precheck(blocks: readonly Uint8Array[]): Promise<SignatureVerdict | undefined>[] {
    const worker = this.started();
    if (!worker) return blocks.map(() => Promise.resolve(undefined));
    return blocks.map(
      (bytes) =>
        new Promise((resolve) => {
          const id = this.nextId++;
          this.waiting.set(id, resolve);
          worker.postMessage({ id, bytes });
        }),
    );
  }

  private started(): Worker | undefined {
    if (this.worker || this.failed) return this.worker;
    const worker = startWorker(import.meta.url, 'signaturePrecheckWorker');
    worker.on('message', (m: { id: number; verdict: SignatureVerdict | undefined }) => {
      this.waiting.get(m.id)?.(m.verdict);
      this.waiting.delete(m.id);
    });
    // A worker that dies only takes the head start away: the chain then checks by itself.
    const gone = (): void => {
      this.failed = true;
      this.worker = undefined;
      for (const resolve of this.waiting.values()) resolve(undefined);
      this.waiting.clear();
    };
    worker.on('error', gone);
    worker.on('exit', gone);
    worker.unref();
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.failed = true;
    if (worker) await worker.terminate();
  }
}
