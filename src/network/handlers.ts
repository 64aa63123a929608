/**
 * The answers this node serves (`/ourcoin/<network>/{headers,blocks,txs}/1`): headers after
 * a locator and blocks by hash for a peer's sync, transfers by txid for a peer rebuilding a
 * compact block. Each answer is a plain function of the chain and the pool, so the syncer's
 * unit test serves a second chain through the very same code. Every request counts against
 * the peer's rate (see PeerBook.countRequest).
 */
import type { Libp2p, PeerId } from '@libp2p/interface';
import { mainChainHeaders } from '../chain/interface.js';
import type { ChainReader } from '../chain/interface.js';
import type { TransferPool } from '../mempool/interface.js';
import type { SignedTransfer } from '../protocol/transaction.js';
import type { ProtocolIds } from './interface.js';
import {
  MAX_BLOCKS_PER_REQUEST,
  MAX_TXIDS,
  decodeBlocksRequest,
  decodeHeadersRequest,
  decodeTxsRequest,
  encodeHeaders,
  encodeSignedTransfers,
} from './messages.js';
import type { PeerBook } from './peerBook.js';
import { Penalty } from './peerBook.js';
import { respond } from './reqresp.js';
import type { Penalize } from './scoring.js';

/** The largest headers request: a version byte, up to 64 locator hashes and a count. */
const MAX_HEADERS_REQUEST_BYTES = 1 + 64 * 32 + 4;

/** Our main-chain headers after the first locator hash on our main chain (from genesis if none). */
export function serveHeaders(chain: ChainReader, payload: Uint8Array): Uint8Array[] {
  const { locator, maxHeaders } = decodeHeadersRequest(payload);
  const start = locator.map((h) => chain.getRecord(h)).find((r) => r && chain.isOnMainChain(r));
  return [encodeHeaders(mainChainHeaders(chain, (start?.height ?? -1) + 1, maxHeaders))];
}

/** The asked blocks, one frame each, as stored; a prefix when we lack one (ask someone else for the rest). */
export function serveBlocks(chain: ChainReader, payload: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (const hash of decodeBlocksRequest(payload)) {
    const bytes = chain.getBlockBytes(hash);
    if (!bytes) break;
    frames.push(bytes);
  }
  return frames;
}

/** The asked transfers we have with their signatures, in one frame. */
export function serveTransfers(chain: ChainReader, pool: TransferPool, payload: Uint8Array): Uint8Array[] {
  const found: SignedTransfer[] = [];
  for (const txid of decodeTxsRequest(payload)) {
    const stx = signedTransfer(chain, pool, txid);
    if (stx) found.push(stx);
  }
  return [encodeSignedTransfers(found)];
}

/**
 * A transfer with its signature: pending in the pool, or mined recently (a peer rebuilding
 * a block we relayed asks for exactly those).
 */
function signedTransfer(chain: ChainReader, pool: TransferPool, txid: Uint8Array): SignedTransfer | undefined {
  const pending = pool.get(txid);
  if (pending) return { tx: pending.tx, signature: pending.signature };
  const signature = pool.verifiedSignature(txid);
  const at = signature && chain.getTxLocation(txid);
  const tx = at && at.position > 0 ? chain.getBlock(at.blockHash)?.transactions[at.position - 1] : undefined;
  return tx && signature ? { tx, signature } : undefined;
}

export interface RequestHandlersOptions {
  readonly libp2p: Libp2p;
  readonly ids: ProtocolIds;
  readonly chain: ChainReader;
  readonly pool: TransferPool;
  readonly book: PeerBook;
  readonly penalize: Penalize;
}

/** Serves the three request protocols. */
export async function installRequestHandlers(o: RequestHandlersOptions): Promise<void> {
  const counted =
    (serve: (payload: Uint8Array) => Uint8Array[]) =>
    (payload: Uint8Array, peer: PeerId): Uint8Array[] => {
      if (o.book.countRequest(peer.toString())) o.penalize(peer, Penalty.flood, 'too many requests');
      return serve(payload);
    };
  await respond(
    o.libp2p,
    o.ids.headers,
    MAX_HEADERS_REQUEST_BYTES,
    counted((p) => serveHeaders(o.chain, p)),
  );
  await respond(
    o.libp2p,
    o.ids.blocks,
    4 + MAX_BLOCKS_PER_REQUEST * 32,
    counted((p) => serveBlocks(o.chain, p)),
  );
  await respond(
    o.libp2p,
    o.ids.txs,
    4 + 32 * MAX_TXIDS,
    counted((p) => serveTransfers(o.chain, o.pool, p)),
  );
}
