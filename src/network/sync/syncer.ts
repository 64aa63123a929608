/**
 * Catching up: headers first, then blocks from several peers in parallel.
 *
 * When a peer shows more cumulative work than our tip, the syncer asks it for the headers
 * after our locator and checks them (headers.ts), downloads and imports their blocks
 * (blocks.ts), and repeats until the peer sends fewer than a full batch. One sync runs at a
 * time; a peer that asks for one meanwhile is remembered and synced from next. A progress
 * line reports blocks, rate and ETA. The wire is an injected PeerRequest (transport.ts), and
 * penalties go out through a callback: the syncer knows nothing of libp2p.
 */
import type { Logger } from 'pino';
import type { BlockSink, ChainReader } from '../../chain/interface.js';
import { MAX_HEADERS } from '../messages.js';
import type { PeerStatus } from '../messages.js';
import type { SyncProgress } from '../interface.js';
import type { PeerBook } from '../peerBook.js';
import { SYNC_PROGRESS_LOG_MS } from '../timeouts.js';
import { downloadBlocks } from './blocks.js';
import { checkHeaders, fetchHeaders } from './headers.js';
import type { PeerRequest, SyncPenalize } from './transport.js';

export interface SyncerOptions {
  readonly chain: ChainReader & BlockSink;
  /** Who is connected and what their statuses say (sources for blocks, the target height). */
  readonly book: PeerBook;
  readonly request: PeerRequest;
  readonly logger: Logger;
  readonly penalize: SyncPenalize;
  /** Called when a sync run imported blocks: the tip moved without gossip. */
  readonly onCaughtUp: () => void;
}

/** The run in progress: what it aims at and how fast it goes. */
interface SyncRun {
  readonly started: number;
  imported: number;
  targetHeight: number;
}

export class Syncer {
  private running: Promise<void> | undefined;
  private run: SyncRun | undefined;
  private wanted: string | undefined;
  private stopped = false;

  constructor(private readonly o: SyncerOptions) {}

  get isSyncing(): boolean {
    return this.running !== undefined;
  }

  /** Where the sync stands now (for /status and the node's progress bar). */
  progress(now = Date.now()): SyncProgress {
    const height = this.o.chain.tip.height;
    const run = this.run;
    if (!run) return { syncing: false, targetHeight: null, height, blocksPerSecond: 0, etaSeconds: null };
    const rate = run.imported / Math.max(1, (now - run.started) / 1000);
    const targetHeight = Math.max(run.targetHeight, height);
    return {
      syncing: true,
      targetHeight,
      height,
      blocksPerSecond: Math.round(rate * 10) / 10,
      etaSeconds: rate > 0 ? Math.round((targetHeight - height) / rate) : null,
    };
  }

  /** Settles when the sync running now (if any) and the ones queued behind it are done. */
  get idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  onPeerStatus(peer: string, status: PeerStatus): void {
    if (status.cumulativeWork > this.o.chain.tip.cumulativeWork) this.requestSync(peer);
  }

  /** Starts a sync from `peer` unless one runs; a running one picks the best peer again when it ends. */
  requestSync(peer: string): void {
    this.wanted = peer;
    if (this.running || this.stopped) return;
    this.running = (async () => {
      while (this.wanted && !this.stopped) {
        const target = this.wanted;
        this.wanted = undefined;
        try {
          await this.syncFrom(target);
        } catch (err) {
          this.o.logger.info({ peer: target, err: String(err) }, 'sync from peer stopped');
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
  }

  stop(): void {
    this.stopped = true;
  }

  private async syncFrom(peer: string): Promise<void> {
    const { chain, logger } = this.o;
    const run: SyncRun = { started: Date.now(), imported: 0, targetHeight: chain.tip.height };
    this.run = run;
    try {
      await this.syncRun(peer, run);
    } finally {
      this.run = undefined;
    }
    if (run.imported > 0) {
      const seconds = (Date.now() - run.started) / 1000;
      logger.info(
        { blocks: run.imported, seconds: Number(seconds.toFixed(1)), height: chain.tip.height },
        'sync: caught up',
      );
      this.o.onCaughtUp();
    }
  }

  private async syncRun(peer: string, run: SyncRun): Promise<void> {
    const { chain, book, request, logger, penalize } = this.o;
    let lastLog = 0;
    const download = { ...this.o, stopped: () => this.stopped };
    for (;;) {
      if (this.stopped) return;
      const headers = await fetchHeaders(request, peer, chain);
      if (headers.length === 0) break;
      const checked = checkHeaders(chain, headers);
      if (!checked.ok) {
        if (checked.penalty > 0) penalize(peer, checked.penalty, checked.why);
        return;
      }
      const todo = checked.hashes.filter((h) => !chain.getRecord(h));
      run.targetHeight = Math.max(headers.at(-1)!.height, book.get(peer)?.status?.height ?? 0);
      const progress = (): void => {
        const now = Date.now();
        if (now - lastLog < SYNC_PROGRESS_LOG_MS) return;
        lastLog = now;
        const p = this.progress(now);
        logger.info(
          {
            height: p.height,
            target: p.targetHeight,
            blocksPerSecond: Math.round(p.blocksPerSecond),
            etaSeconds: p.etaSeconds ?? undefined,
          },
          `sync: block ${p.height} of ${p.targetHeight}`,
        );
      };
      const complete = await downloadBlocks(download, peer, todo, progress, () => run.imported++);
      if (!complete || headers.length < MAX_HEADERS) break;
    }
  }
}
