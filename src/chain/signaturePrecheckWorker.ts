/** Worker thread: the block signature rule on blocks posted by `SignaturePrechecker`. */
import { parentPort } from 'node:worker_threads';
import { useNativeSha256 } from '../crypto/nativeSha256.js';
import { signatureVerdict } from './signaturePrecheck.js';

useNativeSha256();
parentPort!.on('message', (msg: { id: number; bytes: Uint8Array }) => {
  parentPort!.postMessage({ id: msg.id, verdict: signatureVerdict(msg.bytes) });
});
