/**
 * Worker thread of bench/lib/sign.ts: signs messages with blst, and sums the signatures of
 * each group (a block's aggregate) from the signature points, without re-parsing them.
 */
import { parentPort } from 'node:worker_threads';
import blst from '@chainsafe/blst';
import type { Signature } from '@chainsafe/blst';

export interface SignRequest {
  readonly id: number;
  readonly keys: readonly Uint8Array[];
  /** Index into `keys` of each message's signer. */
  readonly keyIndex: Int32Array;
  /** Every message, concatenated, each `messageLength` bytes. */
  readonly messages: Uint8Array;
  readonly messageLength: number;
  /** Sizes of consecutive groups to aggregate (their sum is the message count), or empty. */
  readonly groups: readonly number[];
}

export interface SignReply {
  readonly id: number;
  /** 96 bytes a signature, in message order. */
  readonly signatures: Uint8Array;
  /** 96 bytes an aggregate, in group order. */
  readonly aggregates: Uint8Array;
}

const port = parentPort;
if (!port) throw new Error('signWorker must run in a worker thread');

port.on('message', (req: SignRequest) => {
  const keys = req.keys.map((k) => blst.SecretKey.fromBytes(k));
  const n = req.keyIndex.length;
  const signatures = new Uint8Array(n * 96);
  const points: Signature[] = [];
  for (let i = 0; i < n; i++) {
    const msg = req.messages.subarray(i * req.messageLength, (i + 1) * req.messageLength);
    const sig = keys[req.keyIndex[i]!]!.sign(msg);
    signatures.set(sig.toBytes(true), i * 96);
    if (req.groups.length > 0) points.push(sig);
  }
  const aggregates = new Uint8Array(req.groups.length * 96);
  let at = 0;
  req.groups.forEach((size, g) => {
    aggregates.set(blst.aggregateSignatures(points.slice(at, at + size), false).toBytes(true), g * 96);
    at += size;
  });
  const reply: SignReply = { id: req.id, signatures, aggregates };
  port.postMessage(reply, [signatures.buffer, aggregates.buffer]);
});
