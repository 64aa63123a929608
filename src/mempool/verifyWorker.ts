/** Worker thread: verifies batches of signatures posted by `WorkerBatchVerifier`. */
import { parentPort } from 'node:worker_threads';
import { verifyBatch } from './verifyBatch.js';
import type { VerifyItem } from './verifyBatch.js';

parentPort!.on('message', (msg: { id: number; items: VerifyItem[] }) => {
  parentPort!.postMessage({ id: msg.id, verdicts: verifyBatch(msg.items) });
});
