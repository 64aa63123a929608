/**
 * Checks a chain store on disk (a node's chain.sqlite, after the process has stopped or was
 * killed) from the outside, with plain SQL and the plain ledger model of replay.ts:
 *
 * - SQLite's own integrity check passes;
 * - main_chain is heights 0..n, each a stored, valid block whose height matches and whose
 *   parent is the block one below (one linked chain);
 * - the accounts table equals a replay of the stored main-chain blocks;
 * - tx_index holds exactly the main chain's txids, each at its block, height and position;
 *   address_txs exactly the (address, height, position, txid) rows those imply;
 * - undo data exists for exactly the main-chain blocks (a disconnect deletes it).
 *
 * The assertions are vitest `expect`s; the main chain is returned for further checks.
 */
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { addressHashOf } from '../../src/protocol/address.js';
import { blockHash, blockTxids, decodeBlock } from '../../src/protocol/block.js';
import type { Block } from '../../src/protocol/block.js';
import { bytesToBigInt, toHex } from '../../src/protocol/bytes.js';
import { BlockStatus } from '../../src/store/interface.js';
import { replay } from './replay.js';

export interface StoredChain {
  /** Main-chain blocks, genesis first. */
  readonly blocks: Block[];
  readonly tipHeight: number;
  readonly tipHash: string;
  /** Cumulative work of the tip (never goes down while a node runs, crashes and restarts). */
  readonly tipWork: bigint;
  /** Transfers (not coinbases) in the main chain. */
  readonly transfers: number;
}

const hex = (b: Buffer | Uint8Array): string => toHex(new Uint8Array(b));

export function checkStore(dbPath: string): StoredChain {
  const db = new Database(dbPath, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');

    const rows = db
      .prepare<[], { height: number; hash: Buffer }>('SELECT height, hash FROM main_chain ORDER BY height')
      .all();
    expect(rows.length).toBeGreaterThan(0);
    const blockRow = db.prepare<[Buffer], { data: Buffer; height: number; status: number; work: Buffer }>(
      'SELECT data, height, status, work FROM blocks WHERE hash = ?',
    );
    const blocks = rows.map((r, i) => {
      expect(r.height).toBe(i);
      const row = blockRow.get(r.hash);
      expect(row, `main-chain block at ${i} is stored`).toBeDefined();
      expect(row!.status).toBe(BlockStatus.valid);
      expect(row!.height).toBe(i);
      const block = decodeBlock(new Uint8Array(row!.data));
      expect(hex(blockHash(block.header))).toBe(hex(r.hash));
      if (i > 0) expect(hex(block.header.prevHash)).toBe(hex(rows[i - 1]!.hash));
      return block;
    });

    // State: the accounts table is exactly a replay of the main chain (empty accounts are not stored).
    const expected = replay(blocks);
    for (const [k, v] of [...expected]) if (v.balance === 0n && v.nonce === 0) expected.delete(k);
    const accounts = db
      .prepare<[], { address: Buffer; balance: bigint; nonce: bigint }>('SELECT address, balance, nonce FROM accounts')
      .safeIntegers(true)
      .all();
    expect(new Map(accounts.map((a) => [hex(a.address), { balance: a.balance, nonce: Number(a.nonce) }]))).toEqual(
      expected,
    );

    // Indexes: derived from the main chain and nothing else.
    const txIndex = new Map<string, string>();
    const addressTxs = new Set<string>();
    blocks.forEach((block, height) => {
      const hash = hex(rows[height]!.hash);
      blockTxids(block).forEach((txid, position) => {
        expect(txIndex.has(hex(txid)), `txid ${hex(txid)} appears once in the main chain`).toBe(false);
        txIndex.set(hex(txid), `${hash}/${height}/${position}`);
        const tx = position === 0 ? undefined : block.transactions[position - 1]!;
        const parties = tx ? [tx.recipient, addressHashOf(tx.senderPublicKey)] : [block.coinbase.recipient];
        for (const a of parties) addressTxs.add(`${hex(a)}/${height}/${position}/${hex(txid)}`);
      });
    });
    const storedTx = db
      .prepare<[], { txid: Buffer; block_hash: Buffer; height: number; position: number }>(
        'SELECT txid, block_hash, height, position FROM tx_index',
      )
      .all();
    expect(new Map(storedTx.map((t) => [hex(t.txid), `${hex(t.block_hash)}/${t.height}/${t.position}`]))).toEqual(
      txIndex,
    );
    const storedAddr = db
      .prepare<[], { address: Buffer; height: number; position: number; txid: Buffer }>(
        'SELECT address, height, position, txid FROM address_txs',
      )
      .all();
    expect(new Set(storedAddr.map((a) => `${hex(a.address)}/${a.height}/${a.position}/${hex(a.txid)}`))).toEqual(
      addressTxs,
    );
    const undo = db.prepare<[], { hash: Buffer }>('SELECT hash FROM undo').all();
    expect(new Set(undo.map((u) => hex(u.hash)))).toEqual(new Set(rows.map((r) => hex(r.hash))));

    return {
      blocks,
      tipHeight: rows.length - 1,
      tipHash: hex(rows.at(-1)!.hash),
      tipWork: bytesToBigInt(new Uint8Array(blockRow.get(rows.at(-1)!.hash)!.work)),
      transfers: blocks.reduce((n, b) => n + b.transactions.length, 0),
    };
  } finally {
    db.close();
  }
}
