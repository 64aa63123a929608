/**
 * Gossip (`/ourcoin/<network>/tx/1`, `/ourcoin/<network>/cblock/1`): transfers WITH their
 * signature (the pool needs it) and compact blocks. Each message is validated before it is
 * forwarded: accepted, ignored (duplicates, stale, not yet connectable) or rejected (rule
 * violations, which also cost the sender score: see scoring.ts). A compact block is rebuilt
 * from the pool, with the transfers it lacks asked of the peer that relayed it, or fetched
 * whole when that does not suffice (see compactBlock.ts).
 */
import type { Libp2p, PeerId, PubSub } from '@libp2p/interface';
import { TopicValidatorResult } from '@libp2p/interface';
import type { Logger } from 'pino';
import type { BlockSink, ChainReader } from '../chain/interface.js';
import type { MempoolEntry, TransferPool } from '../mempool/interface.js';
import { blockHash, decodeBlock, encodeBlock, MAX_BLOCK_ENCODING_BYTES } from '../protocol/block.js';
import type { Block } from '../protocol/block.js';
import { toHex } from '../protocol/bytes.js';
import { decodeSignedTransfer, encodeSignedTransfer, transferTxid } from '../protocol/transaction.js';
import type { SignedTransfer, Transfer } from '../protocol/transaction.js';
import { missingTxids, rebuildBlock, toCompactBlock, withExtra } from './compactBlock.js';
import type { BlockRelay, GossipRejection, ProtocolIds, RelayedBlockOutcome, RelayMetrics } from './interface.js';
import {
  decodeCompactBlock,
  decodeSignedTransfers,
  encodeBlocksRequest,
  encodeCompactBlock,
  encodeTxsRequest,
} from './messages.js';
import type { CompactBlock } from './messages.js';
import { request } from './reqresp.js';
import { codeOf, verdictOf } from './scoring.js';
import type { Penalize } from './scoring.js';
import { Penalty } from './peerBook.js';
import { RELAYED_BLOCK_TIMEOUT_MS, TXS_REQUEST_TIMEOUT_MS } from './timeouts.js';

/** A signed transfer on the wire: its encoding is at most this long. */
const MAX_SIGNED_TRANSFER_BYTES = 193;

export interface GossipOptions {
  readonly libp2p: Libp2p<{ pubsub: PubSub }>;
  readonly ids: ProtocolIds;
  readonly chain: ChainReader & BlockSink;
  readonly pool: TransferPool;
  readonly logger: Logger;
  readonly penalize: Penalize;
  /** A relayed block's parent is unknown: we are behind `peer`, catch up from it. */
  readonly requestSync: (peer: string) => void;
  /** Compact blocks (default), or whole blocks on their own topic (see BlockRelay). */
  readonly relay?: BlockRelay;
  readonly metrics?: RelayMetrics;
}

export class Gossip {
  private readonly rejectionListeners: ((r: GossipRejection) => void)[] = [];

  constructor(private readonly o: GossipOptions) {}

  /** Validates both topics and subscribes to them. */
  start(): void {
    const { libp2p, ids } = this.o;
    const pubsub = libp2p.services.pubsub;
    pubsub.topicValidators.set(ids.txTopic, (peer, msg) => this.validateTransfer(peer, msg.data));
    pubsub.subscribe(ids.txTopic);
    const topic = this.blockTopic;
    pubsub.topicValidators.set(topic, (peer, msg) =>
      this.o.relay === 'full' ? this.validateFullBlock(peer, msg.data) : this.validateCompactBlock(peer, msg.data),
    );
    pubsub.subscribe(topic);
  }

  private get blockTopic(): string {
    return this.o.relay === 'full' ? this.o.ids.fullBlockTopic : this.o.ids.blockTopic;
  }

  /** Called for every gossiped message refused or ignored with an error (see GossipRejection). */
  onRejected(listener: (r: GossipRejection) => void): () => void {
    this.rejectionListeners.push(listener);
    return () => this.rejectionListeners.splice(this.rejectionListeners.indexOf(listener), 1);
  }

  publishTransfers(entries: readonly MempoolEntry[]): void {
    for (const e of entries)
      this.publish(this.o.ids.txTopic, encodeSignedTransfer({ tx: e.tx, signature: e.signature }));
  }

  publishBlock(block: Block): void {
    const data = this.o.relay === 'full' ? encodeBlock(block) : encodeCompactBlock(toCompactBlock(block));
    this.publish(this.blockTopic, data);
  }

  private publish(topic: string, data: Uint8Array): void {
    // Duplicates are not errors (ignoreDuplicatePublishError, see host.ts); what is left is
    // worth a debug line, never more: gossip is best effort.
    this.o.libp2p.services.pubsub.publish(topic, data).catch((err: unknown) => {
      this.o.logger.debug({ topic, err: String(err) }, 'publish failed');
    });
  }

  /** Penalises the sender (when `penalty` > 0) and tells the rejection listeners. */
  private refuse(peer: PeerId, rejection: Omit<GossipRejection, 'peerId'>, why: string): void {
    if (rejection.penalty > 0) this.o.penalize(peer, rejection.penalty, why);
    for (const l of [...this.rejectionListeners]) l({ ...rejection, peerId: peer.toString() });
  }

  private async validateTransfer(peer: PeerId, data: Uint8Array): Promise<TopicValidatorResult> {
    this.o.metrics?.gossipReceived('tx', data.length);
    let stx: SignedTransfer;
    try {
      stx = decodeSignedTransfer(data);
    } catch (err) {
      return this.refuseUndecodable(peer, 'tx', err);
    }
    // Per peer: one peer's flood waits in its own queue and is refused MEMPOOL_BUSY (no penalty)
    // past its bound; its replacements are admitted within a budget per block (policy: no penalty).
    const [result] = await this.o.pool.submit([stx], { source: peer.toString() });
    if (result!.accepted) return TopicValidatorResult.Accept;
    const { code, kind } = result!.error;
    const verdict = verdictOf('transfer', kind);
    this.refuse(peer, { topic: 'tx', id: result!.txid, code, kind, penalty: verdict.penalty }, code);
    return verdict.result;
  }

  private refuseUndecodable(peer: PeerId, topic: GossipRejection['topic'], err: unknown): TopicValidatorResult {
    const { code, kind } = codeOf(err);
    const verdict = verdictOf('wire', kind);
    const what = topic === 'tx' ? 'transfer' : 'compact block';
    this.refuse(peer, { topic, code, kind, penalty: verdict.penalty }, `undecodable ${what}`);
    return verdict.result;
  }

  private async validateCompactBlock(peer: PeerId, data: Uint8Array): Promise<TopicValidatorResult> {
    this.o.metrics?.gossipReceived('block', data.length);
    let cb: CompactBlock;
    try {
      cb = decodeCompactBlock(data);
    } catch (err) {
      return this.refuseUndecodable(peer, 'block', err);
    }
    const hash = blockHash(cb.header);
    if (this.o.chain.getRecord(hash)) return TopicValidatorResult.Ignore;
    const bytes = await this.reconstruct(peer, cb, hash);
    if (!bytes) return TopicValidatorResult.Ignore;
    return this.importRelayed(peer, hash, bytes);
  }

  /** A whole block (full relay): decoded for its hash, then imported like a rebuilt one. */
  private async validateFullBlock(peer: PeerId, data: Uint8Array): Promise<TopicValidatorResult> {
    this.o.metrics?.gossipReceived('block', data.length);
    let hash: Uint8Array;
    try {
      hash = blockHash(decodeBlock(data).header);
    } catch (err) {
      return this.refuseUndecodable(peer, 'block', err);
    }
    if (this.o.chain.getRecord(hash)) return TopicValidatorResult.Ignore;
    this.o.metrics?.relayedBlock('full');
    return this.importRelayed(peer, hash, data);
  }

  private async importRelayed(peer: PeerId, hash: Uint8Array, bytes: Uint8Array): Promise<TopicValidatorResult> {
    const { chain } = this.o;
    const result = await chain.importBlock(bytes, 'block', { source: `peer:${peer.toString()}` });
    switch (result.status) {
      case 'connected':
      case 'side':
        return TopicValidatorResult.Accept;
      case 'duplicate':
        return TopicValidatorResult.Ignore;
      case 'orphan':
        // We are behind this peer: catch up through sync, no penalty unless its orphans
        // outgrew its share of the pool (honest relays send one or two, not megabytes).
        if (result.overShare) this.o.penalize(peer, Penalty.unrequested, 'orphan blocks past its share');
        this.o.requestSync(peer.toString());
        return TopicValidatorResult.Ignore;
      case 'rejected': {
        const { code, kind } = result.error!;
        const verdict = verdictOf('block', kind, code);
        this.refuse(
          peer,
          { topic: 'block', id: hash, code, kind, penalty: verdict.penalty },
          `refused block ${toHex(hash)}: ${code}`,
        );
        return verdict.result;
      }
    }
  }

  /**
   * The block's encoding: rebuilt from the pool and the transfers the peer serves, else
   * fetched whole from it (then checked the full way). Undefined when the peer did not help.
   */
  private async reconstruct(peer: PeerId, cb: CompactBlock, hash: Uint8Array): Promise<Uint8Array | undefined> {
    const { pool } = this.o;
    const fromPool = (txid: Uint8Array): Transfer | undefined => pool.get(txid)?.tx;
    let lookup = fromPool;
    const missing = missingTxids(cb, fromPool);
    if (missing.length > 0) {
      const fetched = await this.fetchTransfers(peer, missing);
      if (!fetched) return undefined;
      // Through the pool: their signatures are verified once, and the block's aggregate can
      // then be checked by the fast path. They count against this peer's share, as its gossip
      // does (the block is rebuilt from them whether the pool keeps them or not).
      await pool.submit(fetched, { source: peer.toString() });
      lookup = withExtra(
        fetched.map((s) => s.tx),
        transferTxid,
        fromPool,
      );
    }
    const block = rebuildBlock(cb, lookup);
    const outcome: RelayedBlockOutcome = !block ? 'fetched_block' : missing.length > 0 ? 'fetched_transfers' : 'pool';
    this.o.metrics?.relayedBlock(outcome);
    return block ? encodeBlock(block) : await this.fetchBlock(peer, hash);
  }

  private async fetchTransfers(peer: PeerId, txids: Uint8Array[]): Promise<SignedTransfer[] | undefined> {
    try {
      const [reply] = await request(this.o.libp2p, peer, this.o.ids.txs, encodeTxsRequest(txids), {
        maxResponseBytes: 4 + txids.length * MAX_SIGNED_TRANSFER_BYTES,
        maxFrames: 1,
        timeoutMs: TXS_REQUEST_TIMEOUT_MS,
      });
      return reply ? decodeSignedTransfers(reply) : [];
    } catch (err) {
      this.o.logger.debug({ peer: peer.toString(), err: String(err) }, 'could not fetch missing transfers');
      return undefined;
    }
  }

  private async fetchBlock(peer: PeerId, hash: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      const [bytes] = await request(this.o.libp2p, peer, this.o.ids.blocks, encodeBlocksRequest([hash]), {
        maxResponseBytes: MAX_BLOCK_ENCODING_BYTES,
        maxFrames: 1,
        timeoutMs: RELAYED_BLOCK_TIMEOUT_MS,
      });
      return bytes;
    } catch (err) {
      this.o.logger.debug({ peer: peer.toString(), err: String(err) }, 'could not fetch a relayed block');
      return undefined;
    }
  }
}
