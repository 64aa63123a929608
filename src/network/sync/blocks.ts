/**
 * The block download step of a sync: the blocks of checked headers, fetched in chunks of
 * CHUNK from every peer that has them (the sync peer and any other at least as far ahead),
 * PARALLEL chunks at once, and imported strictly in order. Each block's aggregate
 * signature goes to the verification service (priority 'sync') as soon as its chunk arrives,
 * so the workers' pairings of later blocks and this thread's import of earlier ones overlap.
 */
import type { BlockSink, ChainReader } from '../../chain/interface.js';
import type { SignatureVerdict } from '../../chain/verifyBlockSignatures.js';
import { blockHash, decodeBlock, MAX_BLOCK_ENCODING_BYTES, peekBlock } from '../../protocol/block.js';
import type { Block } from '../../protocol/block.js';
import { bytesEqual, toHex } from '../../protocol/bytes.js';
import { encodeBlocksRequest } from '../messages.js';
import type { PeerBook } from '../peerBook.js';
import { Penalty } from '../peerBook.js';
import { verdictOf } from '../scoring.js';
import { BLOCK_FETCH_BACKOFF_MS, BLOCKS_REQUEST_TIMEOUT_MS } from '../timeouts.js';
import type { PeerRequest, SyncPenalize } from './transport.js';

/** Blocks a request asks for (at most MAX_BLOCKS_PER_REQUEST). */
const CHUNK = 64;
/** Chunks in flight at once. */
const PARALLEL = 4;
/** Rounds over every source before a chunk is given up. */
const FETCH_ROUNDS = 3;
/**
 * Main-thread time spent importing before the sync yields to the event loop: a /status poll
 * or a gossip message waits for at most about one block's import past it.
 */
const IMPORT_SLICE_MS = 10;

/** A yield to the event loop once IMPORT_SLICE_MS of main-thread work has passed since the last. */
function slicer(): () => Promise<void> | undefined {
  let sliceStart = performance.now();
  return () => {
    if (performance.now() - sliceStart < IMPORT_SLICE_MS) return undefined;
    return new Promise<void>((r) =>
      setImmediate(() => {
        sliceStart = performance.now();
        r();
      }),
    );
  };
}

export interface DownloadContext {
  readonly chain: ChainReader & BlockSink;
  readonly book: PeerBook;
  readonly request: PeerRequest;
  readonly penalize: SyncPenalize;
  readonly stopped: () => boolean;
}

interface FetchedChunk {
  /** The chunk's blocks, decoded; an undecodable frame as its bytes (the import refuses it). */
  readonly blocks: (Block | Uint8Array)[];
  readonly verdicts: Promise<SignatureVerdict | undefined>[];
}

/**
 * Decodes a chunk and asks the verification service for each block's signature verdict at
 * 'sync' priority: the workers check later blocks while this thread connects earlier ones.
 * Decoding 64 blocks at once held the event loop for hundreds of milliseconds, so it yields
 * every IMPORT_SLICE_MS, like the import.
 */
async function verifyAhead(chain: BlockSink, frames: readonly Uint8Array[]): Promise<FetchedChunk> {
  const blocks: (Block | Uint8Array)[] = [];
  const verdicts: Promise<SignatureVerdict | undefined>[] = [];
  const breathe = slicer();
  for (const bytes of frames) {
    await breathe();
    let block: Block | Uint8Array;
    try {
      block = decodeBlock(bytes);
    } catch {
      block = bytes;
    }
    blocks.push(block);
    if (block instanceof Uint8Array) verdicts.push(Promise.resolve(undefined));
    else {
      const verdict = chain.verifySignatureAhead(block, 'sync');
      // Awaited in order later; a failure until then must not be an unhandled rejection.
      verdict.catch(() => undefined);
      verdicts.push(verdict);
    }
  }
  return { blocks, verdicts };
}

/**
 * Fetches and imports `hashes` (checked headers from `peer`, in chain order); calls
 * `onImported` per block that joined the chain and `onChunk` after each chunk. False when it
 * stopped at a block that cost `peer` a penalty; throws when no peer served a chunk.
 */
export async function downloadBlocks(
  ctx: DownloadContext,
  peer: string,
  hashes: readonly Uint8Array[],
  onChunk: () => void,
  onImported: () => void,
): Promise<boolean> {
  const { chain } = ctx;
  const chunks: Uint8Array[][] = [];
  for (let i = 0; i < hashes.length; i += CHUNK) chunks.push(hashes.slice(i, i + CHUNK));
  const pending = new Map<number, Promise<FetchedChunk>>();
  let next = 0;
  // Chunks arrive in any order; their signatures go to the worker in chain order.
  let posted: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < chunks.length; i++) {
    while (next < chunks.length && next < i + PARALLEL) {
      const fetched = fetchChunk(ctx, peer, chunks[next]!, next);
      const fetching = posted.then(() => fetched).then((frames) => verifyAhead(chain, frames));
      posted = fetching.catch(() => undefined);
      // Fetched ahead: if the sync stops before this chunk is awaited, its failure must not
      // become an unhandled rejection (which would end the process).
      fetched.catch(() => undefined);
      pending.set(next, fetching);
      next++;
    }
    const { blocks, verdicts } = await pending.get(i)!;
    pending.delete(i);
    const breathe = slicer();
    for (const [j, block] of blocks.entries()) {
      // Let the event loop breathe between blocks: pings, gossip and the API stay answered.
      await breathe();
      let verdict: SignatureVerdict | undefined;
      try {
        verdict = await verdicts[j];
      } catch {
        return true; // no verdict (a worker failed twice, or closing): stop; the next sync retries
      }
      const r = chain.processBlock(block, verdict);
      if (r.status === 'rejected') {
        const { code, kind } = r.error!;
        const { penalty } = verdictOf('block', kind);
        if (penalty > 0) {
          ctx.penalize(peer, penalty, `invalid block ${toHex(r.hash)} during sync: ${code}`);
          return false;
        }
      }
      if (r.status === 'connected' || r.status === 'side') onImported();
    }
    onChunk();
  }
  return true;
}

/** The peers that can serve the sync peer's blocks: every ready peer with at least its work. */
function sources(book: PeerBook, peer: string): string[] {
  const work = book.get(peer)?.status?.cumulativeWork ?? 0n;
  const ahead = book.ready().filter((p) => p.status!.cumulativeWork >= work);
  return ahead.length > 0 ? ahead.map((p) => p.peerId) : [peer];
}

/**
 * One chunk from any source: every peer that has the blocks, a few rounds, with a pause
 * between rounds, so a busy peer gets another chance before the sync gives up. A slow or
 * busy peer is not a dishonest one: only wrong blocks cost score.
 */
async function fetchChunk(
  ctx: DownloadContext,
  peer: string,
  want: Uint8Array[],
  index: number,
): Promise<Uint8Array[]> {
  const reasons: string[] = [];
  for (let round = 0; round < FETCH_ROUNDS; round++) {
    const candidates = sources(ctx.book, peer);
    for (let attempt = 0; attempt < candidates.length; attempt++) {
      const from = candidates[(index + attempt) % candidates.length]!;
      try {
        const frames = await ctx.request(from, 'blocks', encodeBlocksRequest(want), {
          maxResponseBytes: MAX_BLOCK_ENCODING_BYTES,
          maxFrames: want.length,
          timeoutMs: BLOCKS_REQUEST_TIMEOUT_MS,
        });
        checkServed(ctx, from, frames, want);
        if (frames.length === want.length) return frames;
        reasons.push(`${from}: ${frames.length} of ${want.length} blocks`);
      } catch (err) {
        reasons.push(`${from}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (ctx.stopped()) break;
    await new Promise((r) => setTimeout(r, BLOCK_FETCH_BACKOFF_MS * (round + 1)));
  }
  throw new Error(`no peer served blocks ${toHex(want[0]!)}… (${reasons.slice(-3).join('; ')})`);
}

/**
 * Each frame must be laid out as a block and be the block asked for in its place; else `from`
 * pays and we move on. Only the header is decoded here: the body is decoded once, in
 * verifyAhead, and a body that does not decode is refused by the import like any other.
 */
function checkServed(ctx: DownloadContext, from: string, frames: readonly Uint8Array[], want: Uint8Array[]): void {
  for (const [j, bytes] of frames.entries()) {
    const peeked = peekBlock(bytes);
    if (!peeked) {
      ctx.penalize(from, verdictOf('wire', 'encoding').penalty, 'sent an undecodable block');
      throw new Error('undecodable block');
    }
    const hash = blockHash(peeked.header);
    if (!bytesEqual(hash, want[j]!)) {
      ctx.penalize(from, Penalty.unrequested, 'sent a block that was not asked for');
      throw new Error('unrequested block');
    }
  }
}
