/**
 * The "Verify in browser" worker: runs verifyBlockJson off the page's main thread (noble's
 * pairing takes about 15 ms per transfer) and reports progress, then the result.
 */
import { nobleBls } from '../crypto/noble.js';
import type { BlockJson } from '../protocol/block.js';
import { networkByName } from '../protocol/networks.js';
import { failedVerification, verifyBlockJson } from './verify.js';
import type { VerifyProgress, VerifyResult } from './verify.js';

export interface VerifyRequest {
  readonly network: string;
  readonly block: BlockJson;
}

export type VerifyMessage =
  | { readonly type: 'progress'; readonly progress: VerifyProgress }
  | { readonly type: 'result'; readonly result: VerifyResult };

/** The dedicated worker scope, typed narrowly (the project's DOM lib has no WebWorker scope). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<VerifyRequest>) => void) | null;
  postMessage(message: VerifyMessage): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (event) => {
  const { network, block } = event.data;
  let result: VerifyResult;
  try {
    result = verifyBlockJson(block, networkByName(network), nobleBls, (progress) =>
      scope.postMessage({ type: 'progress', progress }),
    );
  } catch (err) {
    result = failedVerification(err instanceof Error ? err.message : String(err), block.transactions.length, 0);
  }
  scope.postMessage({ type: 'result', result });
};
