/**
 * The chain of parts 3 and 6: 1,000 blocks of 100 transfers (100,000 transfers) after two
 * setup blocks (a coinbase to a funder, then the funder paying 100 senders: that block
 * also holds 100 transfers). Each of the 100 senders sends one transfer a block to a new
 * address, so the account table grows by 100 a block, like a real chain's.
 *
 * Built once per run: signed on worker threads (each worker sums its blocks' signatures),
 * then imported in-process (Chain.processBlock, full signature path, timed: the import rate
 * without any network) into a data directory that node A serves; a second directory holds
 * only the first 102 blocks (for part 6's restart comparison).
 */
import blst from '@chainsafe/blst';
import type { PublicKey, Signature } from '@chainsafe/blst';
import { INFINITY_SIGNATURE } from '../../src/crypto/interface.js';
import { encodeBlock } from '../../src/protocol/block.js';
import type { Block } from '../../src/protocol/block.js';
import { genesisBlock } from '../../src/protocol/genesis.js';
import { sha256 } from '../../src/protocol/hash.js';
import { regtest } from '../../src/protocol/networks.js';
import type { Transfer } from '../../src/protocol/transaction.js';
import { blockOn, importAll, makeKeys, makeTransfer, openChain, signTransfers, tempDir } from './chainData.js';
import type { BenchContext, SyncFixture } from './report.js';
import { progress, stat, timed } from './stats.js';
import type { Stat } from './stats.js';
import { stagedImport } from './stagedImport.js';
import { seqQuery } from './sqlitePlan.js';
import type { SeqQuery } from './sqlitePlan.js';
import { join } from 'node:path';

export const TRANSFER_BLOCKS = 1000;
export const PER_BLOCK = 100;
export const SMALL_HEIGHT = 102;
/** The chain's first and last 100 blocks with transfers are imported stage by stage, for the profile of the import. */
const STAGED = 100;

/** Signing messages of each block's transfers, kept for the floor measurement. */
let floorData: { pks: PublicKey[][]; msgs: Uint8Array[][]; sigs: Signature[] } | undefined;

export async function ensureSyncFixture(ctx: BenchContext): Promise<SyncFixture> {
  if (ctx.syncFixture) return ctx.syncFixture;
  const P = 'sync-chain';
  const funder = makeKeys(300_000, 1)[0]!;
  const senders = makeKeys(300_001, PER_BLOCK);
  const miner = makeKeys(9_001, 1)[0]!.address;
  const recipient = (i: number): Uint8Array => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, i);
    return sha256(b).slice(0, 20);
  };
  const blockTxs: Transfer[][] = [senders.map((s, j) => makeTransfer(funder, s.address, 10_000_000n, 0n, j))];
  for (let k = 0; k < TRANSFER_BLOCKS; k++)
    blockTxs.push(senders.map((s, j) => makeTransfer(s, recipient(k * PER_BLOCK + j), 1000n, 1n, k)));
  const all = blockTxs.flat();
  progress(P, `signing ${all.length.toLocaleString('en-US')} transfers on worker threads (one aggregate per block)`);
  const { transfers, aggregates } = await signTransfers(
    all,
    [funder, ...senders],
    blockTxs.map((t) => t.length),
  );

  progress(P, 'building and solving 1,002 blocks');
  let parent = genesisBlock(regtest);
  const decoded: Block[] = [(parent = blockOn(parent, [], INFINITY_SIGNATURE, funder.address))];
  blockTxs.forEach((txs, i) => decoded.push((parent = blockOn(parent, txs, aggregates[i]!, miner))));
  const blocks = decoded.map(encodeBlock);

  // Pre-deserialized points for the floor: 101 distinct keys, one aggregate a block.
  const keyCache = new Map<string, PublicKey>();
  const pk = (b: Uint8Array): PublicKey => {
    const k = Buffer.from(b).toString('hex');
    let p = keyCache.get(k);
    if (!p) keyCache.set(k, (p = blst.PublicKey.fromBytes(b, true)));
    return p;
  };
  let at = 0;
  floorData = { pks: [], msgs: [], sigs: [] };
  for (const [i, txs] of blockTxs.entries()) {
    const slice = transfers.slice(at, at + txs.length);
    at += txs.length;
    floorData.pks.push(slice.map((t) => pk(t.tx.senderPublicKey)));
    floorData.msgs.push(slice.map((t) => t.message));
    floorData.sigs.push(blst.Signature.fromBytes(aggregates[i]!, true));
  }

  const bigDir = tempDir('sync-a');
  const smallDir = tempDir('sync-small');
  ctx.cleanup.push(bigDir, smallDir);
  progress(
    P,
    `importing the ${blocks.length.toLocaleString('en-US')} blocks in-process (Chain.processBlock, full signature path) for node A`,
  );
  const big = openChain(bigDir);
  // The first and the last STAGED blocks with transfers after the funding block go in stage
  // by stage (the same functions, timed one by one); the others through Chain.processBlock.
  const perBlock: number[] = [];
  const early: Record<string, number[]> = {};
  const late: Record<string, number[]> = {};
  const imported = timed(() => {
    blocks.forEach((b, i) => {
      const stages = i >= 2 && i < 2 + STAGED ? early : i >= blocks.length - STAGED ? late : undefined;
      if (!stages) {
        const t = timed(() => big.chain.processBlock(b));
        if (t.value.status !== 'connected')
          throw new Error(`sync chain block ${i + 1}: ${t.value.status} ${t.value.error?.message ?? ''}`);
        perBlock.push(t.ms);
      } else {
        const st = stagedImport(big.store, b);
        for (const [k, ms] of Object.entries(st)) (stages[k] ??= []).push(ms);
        perBlock.push(Object.values(st).reduce((x, y) => x + y, 0));
      }
    });
  });
  const stats = (r: Record<string, number[]>): Record<string, Stat> =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, stat(v)]));
  big.close();
  let blocksSeqQuery: SeqQuery | undefined;
  try {
    blocksSeqQuery = seqQuery(join(bigDir, 'chain.sqlite'), 'blocks');
  } catch {
    blocksSeqQuery = undefined;
  }
  progress(
    P,
    `  ${(imported.ms / 1000).toFixed(1)} s; and the first ${SMALL_HEIGHT} blocks into a second data directory`,
  );
  const small = openChain(smallDir);
  importAll(small.chain, blocks.slice(0, SMALL_HEIGHT));
  small.close();
  ctx.syncFixture = {
    blocks,
    decoded,
    transferBlocks: blockTxs.length,
    transfers: all.length,
    bigDir,
    smallDir,
    smallHeight: SMALL_HEIGHT,
    importMs: imported.ms,
    importPerBlockMs: perBlock,
    stagedBlocks: STAGED,
    stagedEarly: stats(early),
    stagedLate: stats(late),
    blocksSeqQuery,
  };
  return ctx.syncFixture;
}

/**
 * One pass of raw blst aggregateVerify over every `step`-th block with transfers (they all
 * have the same shape: 100 transfers); ms per block verified.
 */
export function floorPass(step = 1): number[] {
  if (!floorData) throw new Error('no sync fixture');
  const out: number[] = [];
  floorData.sigs.forEach((sig, i) => {
    if (i % step !== 0) return;
    const { ms, value } = timed(() => blst.aggregateVerify(floorData!.msgs[i]!, floorData!.pks[i]!, sig, false, false));
    if (!value) throw new Error(`floor: block ${i} does not verify`);
    out.push(ms);
  });
  return out;
}
