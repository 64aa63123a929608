/**
 * Benchmark fixtures: keys, transfers signed in bulk on worker threads, solved regtest
 * blocks on top of each other, and chains on SQLite stores in temporary directories.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chain } from '../../src/chain/chain.js';
import { blstBls } from '../../src/crypto/blst.js';
import type { Bls } from '../../src/crypto/interface.js';
import { useNativeSha256 } from '../../src/crypto/nativeSha256.js';
import { INFINITY_SIGNATURE } from '../../src/crypto/interface.js';
import { assembleBlock } from '../../src/protocol/assemble.js';
import { BLOCK_VERSION, blockHash } from '../../src/protocol/block.js';
import type { Block } from '../../src/protocol/block.js';
import { regtest } from '../../src/protocol/networks.js';
import { blockSubsidy } from '../../src/protocol/rules/subsidy.js';
import { signingMessage, transferTxid } from '../../src/protocol/transaction.js';
import { encodeAddress } from '../../src/protocol/address.js';
import { toHex } from '../../src/protocol/bytes.js';
import { sha256 } from '../../src/protocol/hash.js';
import type { SignedTransfer, Transfer } from '../../src/protocol/transaction.js';
import { solveBlock } from '../../src/miner/solve.js';
import { SqliteStore } from '../../src/store/sqliteStore.js';
import { testKey } from '../../test/helpers/builder.js';
import type { TestKey } from '../../test/helpers/builder.js';
import { signMany } from './sign.js';

export type { TestKey };

/** `count` deterministic keys; `base` keeps the sets of different parts apart. */
export function makeKeys(base: number, count: number): TestKey[] {
  return Array.from({ length: count }, (_, i) => testKey(base + i));
}

export function makeTransfer(
  sender: TestKey,
  recipient: Uint8Array,
  amount: bigint,
  fee: bigint,
  nonce: number,
): Transfer {
  return { chainId: regtest.chainId, senderPublicKey: sender.publicKey, recipient, amount, fee, nonce };
}

/** A transfer with everything the benchmarks need about it. */
export interface BenchTransfer extends SignedTransfer {
  readonly txid: Uint8Array;
  readonly message: Uint8Array;
}

/**
 * Signs `txs` (each by the key among `signers` whose public key it carries) on worker
 * threads; with `groupSizes`, also returns each group's aggregate signature.
 */
export async function signTransfers(
  txs: readonly Transfer[],
  signers: readonly TestKey[],
  groupSizes: readonly number[] = [],
): Promise<{ transfers: BenchTransfer[]; aggregates: Uint8Array[] }> {
  const index = new Map(signers.map((k, i) => [Buffer.from(k.publicKey).toString('hex'), i]));
  const prepared = txs.map((tx) => {
    const txid = transferTxid(tx);
    const key = index.get(Buffer.from(tx.senderPublicKey).toString('hex'));
    if (key === undefined) throw new Error('no signer for a transfer');
    return { tx, txid, message: signingMessage(tx, txid), key };
  });
  const { signatures, aggregates } = await signMany(
    signers.map((k) => k.secretKey),
    prepared.map((p) => ({ key: p.key, message: p.message })),
    groupSizes,
  );
  return {
    transfers: prepared.map((p, i) => ({ tx: p.tx, txid: p.txid, message: p.message, signature: signatures[i]! })),
    aggregates,
  };
}

/** A signed transfer as POST /api/v1/transactions takes it. */
export function transferJson(t: SignedTransfer): Record<string, unknown> {
  return {
    chainId: t.tx.chainId,
    senderPublicKey: toHex(t.tx.senderPublicKey),
    recipient: encodeAddress(t.tx.recipient, regtest),
    amount: t.tx.amount.toString(),
    fee: t.tx.fee.toString(),
    nonce: t.tx.nonce,
    signature: toHex(t.signature),
  };
}

/** A fresh 20-byte address for each number (recipients nobody holds a key for). */
export function recipientOf(i: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, i);
  return sha256(b).slice(0, 20);
}

/** A solved regtest block on `parent` with `txs` and their aggregate, paying subsidy + fees to `miner`. */
export function blockOn(parent: Block, txs: readonly Transfer[], aggregate: Uint8Array, miner: Uint8Array): Block {
  const height = parent.header.height + 1;
  const fees = txs.reduce((n, tx) => n + tx.fee, 0n);
  const block = assembleBlock({
    version: BLOCK_VERSION,
    height,
    prevHash: blockHash(parent.header),
    timestamp: parent.header.timestamp + 1,
    bits: parent.header.bits,
    nonce: 0n,
    coinbase: { chainId: regtest.chainId, height, recipient: miner, amount: blockSubsidy(height, regtest) + fees },
    transactions: txs,
    aggregateSignature: txs.length === 0 ? INFINITY_SIGNATURE.slice() : aggregate,
  });
  const solved = solveBlock(block);
  if (!solved) throw new Error('no nonce found');
  return solved;
}

/** A fresh temporary directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `ourcoin-bench-${prefix}-`));
}

export interface OpenChain {
  readonly chain: Chain;
  readonly store: SqliteStore;
  close(): void;
}

/** Opens (or creates) the regtest chain stored in `dir`/chain.sqlite, as the node does (native SHA-256 too). */
export function openChain(dir: string, bls: Bls = blstBls): OpenChain {
  useNativeSha256();
  mkdirSync(dir, { recursive: true });
  const store = new SqliteStore(join(dir, 'chain.sqlite'), regtest);
  const chain = Chain.open({ network: regtest, store, bls });
  return { chain, store, close: () => store.close() };
}

/** Copies a closed chain store from one directory to another. */
export function copyChain(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) {
    const src = join(from, `chain.sqlite${suffix}`);
    if (existsSync(src)) copyFileSync(src, join(to, `chain.sqlite${suffix}`));
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Imports `blocks` in order; throws unless each connects. */
export function importAll(chain: Chain, blocks: readonly (Block | Uint8Array)[]): void {
  for (const b of blocks) {
    const r = chain.processBlock(b);
    if (r.status !== 'connected')
      throw new Error(
        `block ${chain.tip.height + 1} was not connected: ${r.status} ${r.error?.code ?? ''} ${r.error?.message ?? ''}`,
      );
  }
}
