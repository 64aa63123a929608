/**
 * A block import stage by stage: the same functions, in the same order, that
 * Chain.processBlock runs for a block extending the tip (decode, header checks, body checks
 * and txids, store the block, fork choice and re-read, txids again, state transition,
 * signature, store commit), each timed. Leaves the store exactly as Chain would.
 */
import { headerContext } from '../../src/chain/headerContext.js';
import { verifyBlockSignatures } from '../../src/chain/verifyBlockSignatures.js';
import { blstBls } from '../../src/crypto/blst.js';
import { blockHash, blockTxids, decodeBlock } from '../../src/protocol/block.js';
import { regtest } from '../../src/protocol/networks.js';
import { decodeCompact, workForTarget } from '../../src/protocol/pow.js';
import { checkBlockBody } from '../../src/protocol/rules/body.js';
import { checkHeaderContextFree, checkHeaderContextual } from '../../src/protocol/rules/header.js';
import { applyBlockState } from '../../src/protocol/rules/state.js';
import { BlockStatus } from '../../src/store/interface.js';
import type { SqliteStore } from '../../src/store/sqliteStore.js';
import { timed } from './stats.js';

export const STAGES = [
  'decode block',
  'block hash',
  'header checks (pow, context)',
  'body checks (txids, merkle root, fields)',
  'store the block (putBlock)',
  'fork choice + re-read and decode the block from the store',
  'txids again (connect)',
  'state transition (balances, nonces)',
  'signature check (verifyBlockSignatures, full)',
  'store commit (connectBlock)',
] as const;

export function stagedImport(store: SqliteStore, bytes: Uint8Array): Record<string, number> {
  const ms: Record<string, number> = {};
  const block = timed(() => decodeBlock(bytes));
  ms[STAGES[0]] = block.ms;
  const hash = timed(() => blockHash(block.value.header));
  ms[STAGES[1]] = hash.ms;
  ms[STAGES[2]] = timed(() => {
    checkHeaderContextFree(block.value.header, regtest, hash.value);
    const parentRec = store.getRecord(block.value.header.prevHash);
    if (!parentRec) throw new Error('staged import: unknown parent');
    checkHeaderContextual(block.value.header, headerContext(store, parentRec), regtest, Math.floor(Date.now() / 1000));
  }).ms;
  const body = timed(() => checkBlockBody(block.value, regtest));
  ms[STAGES[3]] = body.ms;
  ms[STAGES[4]] = timed(() => {
    const parentRec = store.getRecord(block.value.header.prevHash)!;
    store.putBlock(hash.value, block.value, bytes, parentRec.cumulativeWork + workForTarget(decodeCompact(block.value.header.bits)), BlockStatus.stored);
  }).ms;
  const reread = timed(() => {
    store.bestCandidate();
    return store.getBlock(hash.value)!;
  });
  ms[STAGES[5]] = reread.ms;
  const txids = timed(() => blockTxids(reread.value));
  ms[STAGES[6]] = txids.ms;
  const state = timed(() => applyBlockState(reread.value, store, regtest));
  ms[STAGES[7]] = state.ms;
  ms[STAGES[8]] = timed(() => verifyBlockSignatures(reread.value, body.value.slice(1), blstBls)).ms;
  ms[STAGES[9]] = timed(() => store.connectBlock(hash.value, reread.value, txids.value, state.value.changes)).ms;
  return ms;
}
