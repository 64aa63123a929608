/**
 * Catching up: headers first, then blocks from several peers in parallel.
 *
 * When a peer shows more cumulative work than our tip, we send it a block locator (our
 * main-chain hashes, dense near the tip, exponentially sparser back to genesis), get up to
 * 2,000 headers that follow the first locator hash it knows, check they link up and carry
 * valid proof of work, then download their blocks in chunks of 64 from every peer that
 * has them, and import them strictly in order. Repeat until the peer sends fewer than a
 * full batch. A progress line reports blocks, rate and ETA. Each fetched block's aggregate
 * signature is checked on a worker thread as soon as it arrives (in chain order), so the
 * main thread's import of earlier blocks and the pairings run side by side.
 */
import type { Libp2p, PeerId } from '@libp2p/interface';
import type { Logger } from 'pino';
import type { NetworkServices } from './interface.js';
import { SignaturePrechecker } from '../chain/signaturePrecheck.js';
import type { SignatureVerdict } from '../chain/verifyBlockSignatures.js';
import { blockHash, decodeBlock, MAX_BLOCK_ENCODING_BYTES } from '../protocol/block.js';
import type { BlockHeader } from '../protocol/block.js';
import { bytesEqual, toHex } from '../protocol/bytes.js';
import { checkHeaderContextFree } from '../protocol/rules/header.js';
import {
  MAX_BLOCKS_PER_REQUEST,
  MAX_HEADERS,
  decodeBlocksRequest,
  decodeHeaders,
  decodeHeadersRequest,
  encodeBlocksRequest,
  encodeHeaders,
  encodeHeadersRequest,
} from './messages.js';
import type { PeerStatus } from './messages.js';
import type { PeerBook } from './peerBook.js';
import { Penalty } from './peerBook.js';
import { request, respond } from './reqresp.js';

const CHUNK = 64;
const PARALLEL = 4;
const FETCH_ROUNDS = 3;

export interface SyncerOptions {
  readonly libp2p: Libp2p;
  readonly node: NetworkServices;
  readonly book: PeerBook;
  readonly ids: { headers: string; blocks: string };
  readonly logger: Logger;
  readonly penalize: (peer: PeerId, amount: number, why: string) => void;
  /** Called when a sync run imported blocks: the tip moved without gossip. */
  readonly onCaughtUp: () => void;
}

export class Syncer {
  private running: Promise<void> | undefined;
  private wanted: PeerId | undefined;
  private stopped = false;
  private readonly prechecker = new SignaturePrechecker();

  constructor(private readonly opts: SyncerOptions) {}

  get isSyncing(): boolean {
    return this.running !== undefined;
  }

  async install(countRequest: (peer: PeerId) => void): Promise<void> {
    const { libp2p, node, ids } = this.opts;
    await respond(libp2p, ids.headers, 1 + 64 * 32 + 4, (payload, peer) => {
      countRequest(peer);
      const { locator, maxHeaders } = decodeHeadersRequest(payload);
      const store = node.chain;
      const start = locator.map((h) => store.getRecord(h)).find((r) => r && store.isOnMainChain(r));
      const headers: BlockHeader[] = [];
      const tipHeight = node.chain.tip.height;
      for (let h = (start?.height ?? -1) + 1; h <= tipHeight && headers.length < maxHeaders; h++) {
        headers.push(store.getRecord(store.mainHashAt(h)!)!.header);
      }
      return [encodeHeaders(headers)];
    });
    await respond(libp2p, ids.blocks, 4 + MAX_BLOCKS_PER_REQUEST * 32, (payload, peer) => {
      countRequest(peer);
      const frames: Uint8Array[] = [];
      for (const hash of decodeBlocksRequest(payload)) {
        const bytes = node.chain.getBlockBytes(hash);
        if (!bytes) break; // we answer a prefix: the requester asks someone else for the rest
        frames.push(bytes);
      }
      return frames;
    });
  }

  onPeerStatus(peer: PeerId, status: PeerStatus): void {
    if (status.cumulativeWork > this.opts.node.chain.tip.cumulativeWork) this.requestSync(peer);
  }

  /** Starts a sync from `peer` unless one runs; a running one picks the best peer again when it ends. */
  requestSync(peer: PeerId): void {
    this.wanted = peer;
    if (this.running || this.stopped) return;
    this.running = (async () => {
      while (this.wanted && !this.stopped) {
        const target = this.wanted;
        this.wanted = undefined;
        try {
          await this.syncFrom(target);
        } catch (err) {
          this.opts.logger.info({ peer: target.toString(), err: String(err) }, 'sync from peer stopped');
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
  }

  stop(): void {
    this.stopped = true;
    void this.prechecker.close();
  }

  /** Our main-chain hashes: the last 10 one by one, then doubling steps back to genesis. */
  private locator(): Uint8Array[] {
    const store = this.opts.node.chain;
    const out: Uint8Array[] = [];
    let step = 1;
    for (let h = this.opts.node.chain.tip.height; h >= 0 && out.length < 63; h -= step) {
      out.push(store.mainHashAt(h)!);
      if (out.length >= 10) step *= 2;
    }
    const genesis = store.mainHashAt(0)!;
    if (!bytesEqual(out.at(-1)!, genesis)) out.push(genesis);
    return out;
  }

  private async syncFrom(peer: PeerId): Promise<void> {
    const { node, libp2p, logger, ids } = this.opts;
    const started = Date.now();
    let imported = 0;
    let lastLog = 0;
    for (;;) {
      if (this.stopped) return;
      const [reply] = await request(libp2p, peer, ids.headers, encodeHeadersRequest(this.locator(), MAX_HEADERS), {
        maxResponseBytes: 4 + MAX_HEADERS * 116,
        maxFrames: 1,
        timeoutMs: 20_000,
      });
      const headers = reply ? decodeHeaders(reply) : [];
      if (headers.length === 0) break;
      const hashes = this.checkHeaders(peer, headers);
      if (!hashes) return;
      const todo = hashes.filter((h) => !node.chain.getRecord(h));
      const targetHeight = Math.max(headers.at(-1)!.height, this.opts.book.get(peer.toString())?.status?.height ?? 0);
      await this.download(
        peer,
        todo,
        () => {
          const now = Date.now();
          if (now - lastLog < 2000) return;
          lastLog = now;
          const height = node.chain.tip.height;
          const rate = imported / Math.max(1, (now - started) / 1000);
          const eta = rate > 0 ? Math.round((targetHeight - height) / rate) : undefined;
          logger.info(
            { height, target: targetHeight, blocksPerSecond: Math.round(rate), etaSeconds: eta },
            `sync: block ${height} of ${targetHeight}`,
          );
        },
        () => imported++,
      );
      if (headers.length < MAX_HEADERS) break;
    }
    if (imported > 0) {
      const seconds = (Date.now() - started) / 1000;
      logger.info(
        { blocks: imported, seconds: Number(seconds.toFixed(1)), height: node.chain.tip.height },
        'sync: caught up',
      );
      this.opts.onCaughtUp();
    }
  }

  /** Headers must link to a block we know and to each other, each with valid proof of work. */
  private checkHeaders(peer: PeerId, headers: BlockHeader[]): Uint8Array[] | undefined {
    const { node, penalize } = this.opts;
    if (!node.chain.getRecord(headers[0]!.prevHash)) {
      penalize(peer, Penalty.malformedMessage, 'headers do not connect to our chain');
      return undefined;
    }
    const hashes: Uint8Array[] = [];
    for (const [i, h] of headers.entries()) {
      const hash = blockHash(h);
      if (i > 0 && !bytesEqual(h.prevHash, hashes[i - 1]!)) {
        penalize(peer, Penalty.malformedMessage, 'headers do not link up');
        return undefined;
      }
      try {
        checkHeaderContextFree(h, node.network, hash);
      } catch (err) {
        penalize(peer, Penalty.invalidBlock, `header ${toHex(hash)}: ${String(err)}`);
        return undefined;
      }
      hashes.push(hash);
    }
    return hashes;
  }

  /**
   * Fetches `hashes` in chunks from the peers that can serve them (the sync peer and any
   * other peer at least as far ahead), several at once, and imports them in order.
   */
  private async download(
    peer: PeerId,
    hashes: Uint8Array[],
    progress: () => void,
    onImported: () => void,
  ): Promise<number> {
    const { node, libp2p, book, penalize, ids } = this.opts;
    const chunks: Uint8Array[][] = [];
    for (let i = 0; i < hashes.length; i += CHUNK) chunks.push(hashes.slice(i, i + CHUNK));
    const sources = (): PeerId[] => {
      const ahead = libp2p.getPeers().filter((p) => {
        const s = book.get(p.toString())?.status;
        return s !== undefined && s.cumulativeWork >= (book.get(peer.toString())?.status?.cumulativeWork ?? 0n);
      });
      return ahead.length > 0 ? ahead : [peer];
    };
    const fetchChunk = async (index: number): Promise<Uint8Array[]> => {
      const want = chunks[index]!;
      const reasons: string[] = [];
      // Every peer that has the blocks, a few rounds, with a pause between rounds: a busy
      // peer gets another chance before the sync gives up.
      for (let round = 0; round < FETCH_ROUNDS; round++) {
        const candidates = sources();
        for (let attempt = 0; attempt < candidates.length; attempt++) {
          const from = candidates[(index + attempt) % candidates.length]!;
          try {
            const frames = await request(libp2p, from, ids.blocks, encodeBlocksRequest(want), {
              maxResponseBytes: MAX_BLOCK_ENCODING_BYTES,
              maxFrames: want.length,
              timeoutMs: 60_000,
            });
            for (const [j, bytes] of frames.entries()) {
              let hash: Uint8Array;
              try {
                hash = blockHash(decodeBlock(bytes).header);
              } catch {
                penalize(from, Penalty.malformedMessage, 'sent an undecodable block');
                throw new Error('undecodable block');
              }
              if (!bytesEqual(hash, want[j]!)) {
                penalize(from, Penalty.unrequested, 'sent a block that was not asked for');
                throw new Error('unrequested block');
              }
            }
            if (frames.length === want.length) return frames;
            reasons.push(`${from.toString()}: ${frames.length} of ${want.length} blocks`);
          } catch (err) {
            // A slow or busy peer is not a dishonest one: no blame, just the next try.
            reasons.push(`${from.toString()}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
        if (this.stopped) break;
        await new Promise((r) => setTimeout(r, 500 * (round + 1)));
      }
      throw new Error(`no peer served blocks ${toHex(want[0]!)}… (${reasons.slice(-3).join('; ')})`);
    };
    let imported = 0;
    const pending = new Map<
      number,
      Promise<{ frames: Uint8Array[]; verdicts: Promise<SignatureVerdict | undefined>[] }>
    >();
    let next = 0;
    // Chunks arrive in any order; their signatures go to the worker in chain order.
    let posted: Promise<unknown> = Promise.resolve();
    for (let i = 0; i < chunks.length; i++) {
      while (next < chunks.length && next < i + PARALLEL) {
        const fetched = fetchChunk(next);
        const fetching = posted
          .then(() => fetched)
          .then((frames) => ({ frames, verdicts: this.prechecker.precheck(frames) }));
        posted = fetching.catch(() => undefined);
        // Fetched ahead: if the sync stops before this chunk is awaited, its failure must not
        // become an unhandled rejection (which would end the process).
        fetched.catch(() => undefined);
        pending.set(next, fetching);
        next++;
      }
      const { frames, verdicts } = await pending.get(i)!;
      pending.delete(i);
      for (const [j, bytes] of frames.entries()) {
        // Let the event loop breathe between blocks: pings, gossip and the API stay answered.
        if (j % 8 === 7) await new Promise((r) => setImmediate(r));
        const r = node.chain.processBlock(bytes, await verdicts[j]);
        if (r.status === 'rejected' && r.error?.kind === 'consensus') {
          penalize(peer, Penalty.invalidBlock, `invalid block ${toHex(r.hash)} during sync: ${r.error.code}`);
          return imported;
        }
        if (r.status === 'connected' || r.status === 'side') {
          imported++;
          onImported();
        }
      }
      progress();
    }
    return imported;
  }
}
