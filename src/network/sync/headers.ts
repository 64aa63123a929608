/**
 * The headers step of a sync: send the peer a block locator (our main-chain hashes, dense
 * near the tip, exponentially sparser back to genesis), take up to MAX_HEADERS headers
 * that follow the first locator hash it knows, and check that they connect to a block we
 * know, link up and each carry valid proof of work before any block is asked for.
 */
import type { ChainReader } from '../../chain/interface.js';
import { OurCoinError } from '../../errors.js';
import { HEADER_LENGTH, blockHash } from '../../protocol/block.js';
import type { BlockHeader } from '../../protocol/block.js';
import { bytesEqual, toHex } from '../../protocol/bytes.js';
import { checkHeaderContextFree } from '../../protocol/rules/header.js';
import { MAX_HEADERS, decodeHeaders, encodeHeadersRequest } from '../messages.js';
import { Penalty } from '../peerBook.js';
import { verdictOf } from '../scoring.js';
import { HEADERS_REQUEST_TIMEOUT_MS } from '../timeouts.js';
import type { PeerRequest } from './transport.js';

/** Hashes one by one back from the tip before the steps start doubling. */
const DENSE_LOCATOR_HASHES = 10;
/** The most locator hashes a headers request carries (genesis comes on top). */
const MAX_LOCATOR_HASHES = 63;

/** Our main-chain hashes: the last 10 one by one, then doubling steps back to genesis. */
export function blockLocator(chain: ChainReader): Uint8Array[] {
  const out: Uint8Array[] = [];
  let step = 1;
  for (let h = chain.tip.height; h >= 0 && out.length < MAX_LOCATOR_HASHES; h -= step) {
    out.push(chain.mainHashAt(h)!);
    if (out.length >= DENSE_LOCATOR_HASHES) step *= 2;
  }
  const genesis = chain.mainHashAt(0)!;
  if (!bytesEqual(out.at(-1)!, genesis)) out.push(genesis);
  return out;
}

/** The headers `peer` has after our locator (none when it has nothing new for us). */
export async function fetchHeaders(request: PeerRequest, peer: string, chain: ChainReader): Promise<BlockHeader[]> {
  const [reply] = await request(peer, 'headers', encodeHeadersRequest(blockLocator(chain), MAX_HEADERS), {
    maxResponseBytes: 4 + MAX_HEADERS * HEADER_LENGTH,
    maxFrames: 1,
    timeoutMs: HEADERS_REQUEST_TIMEOUT_MS,
  });
  return reply ? decodeHeaders(reply) : [];
}

export type HeadersCheck =
  | { readonly ok: true; readonly hashes: Uint8Array[] }
  | { readonly ok: false; readonly penalty: number; readonly why: string };

/** Headers must link to a block we know and to each other, each with valid proof of work. */
export function checkHeaders(chain: ChainReader, headers: readonly BlockHeader[]): HeadersCheck {
  if (!chain.getRecord(headers[0]!.prevHash))
    return { ok: false, penalty: Penalty.malformedMessage, why: 'headers do not connect to our chain' };
  const hashes: Uint8Array[] = [];
  for (const [i, h] of headers.entries()) {
    const hash = blockHash(h);
    if (i > 0 && !bytesEqual(h.prevHash, hashes[i - 1]!))
      return { ok: false, penalty: Penalty.malformedMessage, why: 'headers do not link up' };
    try {
      checkHeaderContextFree(h, chain.network, hash);
    } catch (err) {
      if (!(err instanceof OurCoinError)) throw err;
      const { penalty } = verdictOf('block', err.kind);
      return { ok: false, penalty, why: `header ${toHex(hash)}: ${err.code}` };
    }
    hashes.push(hash);
  }
  return { ok: true, hashes };
}
