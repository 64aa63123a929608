/**
 * A block import stage by stage: the same functions, in the same order, that
 * Chain.processBlock runs for a block extending the tip (decode, header checks, body checks
 * and txids, store the block, fork choice, state transition, signature, store commit), each
 * timed. The decoded block and its txids (cached on it by blockTxids) carry through to the
 * connect, as in Chain. Leaves the store exactly as Chain would.
 */
import { headerContext } from '../../src/chain/headerContext.js';
import { verifyBlockSignatures } from '../../src/chain/verifyBlockSignatures.js';
import { blstBls } from '../../src/crypto/blst.js';
import { blockHash, decodeBlock } from '../../src/protocol/block.js';
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
  'fork choice (best candidate)',
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
    store.putBlock(
      hash.value,
      block.value,
      bytes,
      parentRec.cumulativeWork + workForTarget(decodeCompact(block.value.header.bits)),
      BlockStatus.stored,
    );
  }).ms;
  ms[STAGES[5]] = timed(() => store.bestCandidate()).ms;
  const txids = body.value;
  const state = timed(() => applyBlockState(block.value, store, regtest));
  ms[STAGES[6]] = state.ms;
  ms[STAGES[7]] = timed(() => verifyBlockSignatures(block.value, txids.slice(1), blstBls)).ms;
  ms[STAGES[8]] = timed(() => store.connectBlock(hash.value, block.value, txids, state.value.changes)).ms;
  return ms;
}
