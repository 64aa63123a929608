/**
 * Recent transfer verdicts, good and bad, so that the same (key, message, signature) costs a
 * lookup the second time: a transfer already admitted, or the same junk point or forged triple
 * sent again, never reaches a worker. A verdict is a pure function of the three byte strings,
 * so a cached one is exactly what verifying again would say.
 *
 * Key: sha256(len(publicKey) u32 | len(message) u32 | publicKey | message | signature) as a
 * 32-character binary string. The lengths matter: without them a 48-byte key with message M
 * and a 95-byte signature S' could hash like a valid triple whose message is M plus the first
 * byte of its signature, and inherit its "ok".
 *
 * Memory bound: an entry is its 32-character key string (~48 bytes on the V8 heap), the Map's
 * slot for it (~30 bytes with the table's slack) and a pointer to one of the shared verdict
 * objects (maybeBatch.ts, TRANSFER_VERDICTS): measured 80-90 bytes an entry on Node 20, so the
 * default 100,000 entries hold at most ~9 MB (docs/decisions/0015-bls-verification-service.md).
 */
import { LruCache } from '../../crypto/lruCache.js';
import { sha256 } from '../../crypto/sha256.js';
import type { TransferSignature, TransferVerdict } from './interface.js';

export const DEFAULT_VERDICT_CACHE_SIZE = 100_000;

export function verdictKey(set: TransferSignature): string {
  const { publicKey, message, signature } = set;
  const bytes = new Uint8Array(8 + publicKey.length + message.length + signature.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, publicKey.length);
  view.setUint32(4, message.length);
  bytes.set(publicKey, 8);
  bytes.set(message, 8 + publicKey.length);
  bytes.set(signature, 8 + publicKey.length + message.length);
  const digest = sha256(bytes);
  return Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('latin1');
}

export class VerdictCache {
  private readonly lru: LruCache<TransferVerdict>;

  constructor(capacity = DEFAULT_VERDICT_CACHE_SIZE) {
    this.lru = new LruCache(capacity);
  }

  get(key: string): TransferVerdict | undefined {
    return this.lru.get(key);
  }

  set(key: string, verdict: TransferVerdict): void {
    this.lru.set(key, verdict);
  }
}
