/**
 * The chain store on SQLite (better-sqlite3), in WAL mode.
 *
 * Crash safety comes from SQLite: every block connect or disconnect is ONE transaction that
 * moves accounts, undo data, indexes, the main-chain table and the tip together, so after a
 * crash at any point the store holds the state before or after that block, never between.
 * `synchronous=NORMAL` keeps that guarantee for process crashes; after a power loss the
 * last few blocks may roll back, still consistently (see docs/decisions/0004-storage.md).
 */
import Database from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workers/startWorker.js';
import { BLOCK_VERSION, blockHash, decodeBlock, decodeHeader, encodeHeader } from '../protocol/block.js';
import type { Block } from '../protocol/block.js';
import { bigIntToBytes, bytesToBigInt, toHex } from '../protocol/bytes.js';
import { transferSender } from '../protocol/transaction.js';
import { OurCoinError } from '../errors.js';
import { EMPTY_ACCOUNT } from '../protocol/rules/state.js';
import type { Account, AccountChange } from '../protocol/rules/state.js';
import type { NetworkParams } from '../protocol/networks.js';
import { genesisBlock } from '../protocol/genesis.js';
import { BlockStatus } from './interface.js';
import type {
  AddressTxEntry,
  BlockRecord,
  BlockStatusValue,
  ChainStore,
  InvalidMark,
  KeyKind,
  MempoolStore,
  TxLocation,
} from './interface.js';
import { decodeUndo, encodeUndo } from './undo.js';

const SCHEMA_VERSION = 1;
/** The protocol version whose blocks the store holds (docs/protocol.md); version 1 stores have no such key. */
const PROTOCOL_VERSION = String(BLOCK_VERSION);
/** WAL pages after which the main connection checkpoints itself (4 KiB pages): a safety net only. */
const WAL_CHECKPOINT_PAGES = 16_384;
/** How often the checkpointer thread copies the WAL back into the database file. */
const CHECKPOINT_EVERY_MS = 1_000;
/** SQLite's page cache, KiB (a bound, filled only as pages are read). */
const PAGE_CACHE_KIB = 32_768;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (
  hash BLOB PRIMARY KEY,
  prev_hash BLOB NOT NULL,
  height INTEGER NOT NULL,
  header BLOB NOT NULL,
  data BLOB NOT NULL,
  work BLOB NOT NULL,          -- cumulative work, 32-byte big-endian: compares as a blob
  status INTEGER NOT NULL,
  seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS blocks_prev ON blocks(prev_hash);
CREATE INDEX IF NOT EXISTS blocks_candidates ON blocks(status, work DESC, seq);
CREATE TABLE IF NOT EXISTS invalid_blocks (hash BLOB PRIMARY KEY, code TEXT NOT NULL, message TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS main_chain (height INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS accounts (address BLOB PRIMARY KEY, balance INTEGER NOT NULL, nonce INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS undo (hash BLOB PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tx_index (txid BLOB PRIMARY KEY, block_hash BLOB NOT NULL, height INTEGER NOT NULL, position INTEGER NOT NULL);
-- Pending transfers (mempool), written through so the pool survives a restart or a crash.
CREATE TABLE IF NOT EXISTS mempool (txid BLOB PRIMARY KEY, data BLOB NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS address_txs (
  address BLOB NOT NULL, height INTEGER NOT NULL, position INTEGER NOT NULL, txid BLOB NOT NULL,
  PRIMARY KEY (address, height, position)
) WITHOUT ROWID;
`;

interface BlockRow {
  hash: Buffer;
  height: number;
  header: Buffer;
  work: Buffer;
  status: number;
  seq: number;
}

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export class SqliteStore implements ChainStore {
  readonly networkName: string;
  private readonly db: Database.Database;
  private readonly stmt;
  /** Arrival counter for `blocks.seq`, read once at open (a MAX() per insert scans the table). */
  private blockSeq: number;
  /** The lock file's connection, held open (and exclusively locked) until close. */
  private readonly lock: Database.Database | undefined;
  /** The thread that checkpoints the WAL (none for an in-memory store). */
  private checkpointer: Worker | undefined;
  /** Queued writes to commit before the database closes (the mempool's group commit). */
  private readonly beforeClose: (() => void)[] = [];

  /**
   * Opens (or creates) the store at `path` (':memory:' for tests) for `network`.
   * `checkpointThread`: checkpoint the WAL on a thread of its own (the node does; a test or a
   * tool that opens many short-lived stores leaves SQLite to checkpoint as it commits).
   */
  constructor(path: string, network: NetworkParams, opts: { readonly checkpointThread?: boolean } = {}) {
    const checkpointThread = opts.checkpointThread === true && path !== ':memory:';
    this.networkName = network.name;
    // One process per store: a lock file beside it, locked exclusively until close, so a
    // second node on the same data directory fails at once, clearly.
    this.lock = path === ':memory:' ? undefined : lockStore(path);
    let opened: Database.Database | undefined;
    try {
      this.db = opened = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // With a checkpointer thread, it copies the WAL back and fsyncs, off this thread; the
      // automatic checkpoint here is then only a safety net (64 MB of WAL), and the WAL file is
      // cut back to that size after it. Without one, SQLite's default (every 1,000 pages).
      if (checkpointThread) {
        this.db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
        this.db.pragma(`journal_size_limit = ${WAL_CHECKPOINT_PAGES * 4096}`);
      }
      this.db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
      this.db.pragma('foreign_keys = ON');
      this.db.exec(SCHEMA);
      this.checkMeta(network, path);
      const db = this.db;
      this.blockSeq = this.db.prepare<[], { m: number }>('SELECT COALESCE(MAX(seq), 0) AS m FROM blocks').get()!.m;
      this.stmt = {
        record: db.prepare<[Buffer], BlockRow>(
          'SELECT hash, height, header, work, status, seq FROM blocks WHERE hash = ?',
        ),
        data: db.prepare<[Buffer], { data: Buffer }>('SELECT data FROM blocks WHERE hash = ?'),
        insertBlock: db.prepare(
          'INSERT INTO blocks (hash, prev_hash, height, header, data, work, status, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ),
        setStatus: db.prepare('UPDATE blocks SET status = ? WHERE hash = ?'),
        children: db.prepare<[Buffer], { hash: Buffer }>('SELECT hash FROM blocks WHERE prev_hash = ?'),
        invalid: db.prepare<[Buffer], InvalidMark>('SELECT code, message FROM invalid_blocks WHERE hash = ?'),
        insertInvalid: db.prepare('INSERT OR IGNORE INTO invalid_blocks (hash, code, message) VALUES (?, ?, ?)'),
        deleteInvalid: db.prepare('DELETE FROM invalid_blocks WHERE hash = ?'),
        revalidate: db.prepare(
          `UPDATE blocks SET status = ${BlockStatus.stored} WHERE hash = ? AND status = ${BlockStatus.invalid}`,
        ),
        parent: db.prepare<[Buffer], { prev_hash: Buffer }>('SELECT prev_hash FROM blocks WHERE hash = ?'),
        best: db.prepare<[], BlockRow>(
          `SELECT hash, height, header, work, status, seq FROM blocks WHERE status IN (${BlockStatus.stored}, ${BlockStatus.valid}) ORDER BY work DESC, seq ASC LIMIT 1`,
        ),
        mainAt: db.prepare<[number], { hash: Buffer }>('SELECT hash FROM main_chain WHERE height = ?'),
        tipRow: db.prepare<[], { hash: Buffer }>('SELECT hash FROM main_chain ORDER BY height DESC LIMIT 1'),
        account: db
          .prepare<[Uint8Array], { balance: bigint; nonce: bigint }>(
            'SELECT balance, nonce FROM accounts WHERE address = ?',
          )
          .safeIntegers(true),
        upsertAccount: db.prepare(
          'INSERT INTO accounts (address, balance, nonce) VALUES (?, ?, ?) ON CONFLICT(address) DO UPDATE SET balance = excluded.balance, nonce = excluded.nonce',
        ),
        deleteAccount: db.prepare('DELETE FROM accounts WHERE address = ?'),
        insertUndo: db.prepare('INSERT INTO undo (hash, data) VALUES (?, ?)'),
        undo: db.prepare<[Buffer], { data: Buffer }>('SELECT data FROM undo WHERE hash = ?'),
        deleteUndo: db.prepare('DELETE FROM undo WHERE hash = ?'),
        insertTx: db.prepare('INSERT INTO tx_index (txid, block_hash, height, position) VALUES (?, ?, ?, ?)'),
        deleteTxs: db.prepare('DELETE FROM tx_index WHERE block_hash = ?'),
        insertAddressTx: db.prepare(
          'INSERT OR IGNORE INTO address_txs (address, height, position, txid) VALUES (?, ?, ?, ?)',
        ),
        deleteAddressTxs: db.prepare('DELETE FROM address_txs WHERE height = ?'),
        insertMain: db.prepare('INSERT INTO main_chain (height, hash) VALUES (?, ?)'),
        deleteMain: db.prepare('DELETE FROM main_chain WHERE height = ?'),
        txLocation: db.prepare<[Buffer], { block_hash: Buffer; height: number; position: number }>(
          'SELECT block_hash, height, position FROM tx_index WHERE txid = ?',
        ),
        addressTxs: db.prepare<[Buffer, number, number], { height: number; position: number; txid: Buffer }>(
          'SELECT a.height, a.position, a.txid FROM address_txs a WHERE a.address = ? ORDER BY a.height DESC, a.position DESC LIMIT ? OFFSET ?',
        ),
        keysInRange: {
          block: db.prepare<[Buffer, Buffer, number], { k: Buffer }>(
            'SELECT hash AS k FROM blocks WHERE hash >= ? AND hash <= ? ORDER BY hash LIMIT ?',
          ),
          transaction: db.prepare<[Buffer, Buffer, number], { k: Buffer }>(
            'SELECT txid AS k FROM tx_index WHERE txid >= ? AND txid <= ? ORDER BY txid LIMIT ?',
          ),
          // Every address that ever received or sent has an account row (a spender's nonce is not 0).
          address: db.prepare<[Buffer, Buffer, number], { k: Buffer }>(
            'SELECT address AS k FROM accounts WHERE address >= ? AND address <= ? ORDER BY address LIMIT ?',
          ),
        },
      };
    } catch (err) {
      if (opened?.open) opened.close();
      this.lock?.close();
      throw err;
    }
    this.checkpointer = !checkpointThread
      ? undefined
      : startWorker(import.meta.url, 'checkpointer', {
          name: 'checkpointer',
          workerData: { path, everyMs: CHECKPOINT_EVERY_MS },
        });
    this.checkpointer?.unref();
    // A checkpointer that fails costs only speed: the main connection's safety net still
    // checkpoints, so its failure must not become an unhandled 'error' event.
    this.checkpointer?.on('error', () => undefined);
  }

  private checkMeta(network: NetworkParams, path: string): void {
    const get = (key: string): string | undefined =>
      this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)?.value;
    const genesis = toHex(blockHash(genesisBlock(network).header));
    const stored = get('network');
    if (stored === undefined) {
      const put = this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      this.db.transaction(() => {
        put.run('schema', String(SCHEMA_VERSION));
        put.run('network', network.name);
        put.run('genesis', genesis);
        put.run('protocol', PROTOCOL_VERSION);
      })();
      return;
    }
    const protocol = get('protocol') ?? '1';
    if (protocol !== PROTOCOL_VERSION) {
      // Before the network check: an older protocol's genesis differs, and "wrong network" would mislead.
      this.db.close();
      throw new OurCoinError(
        'STORE_OLD_PROTOCOL',
        `${path} holds a protocol v${protocol} ${stored} chain, and this node speaks protocol v${PROTOCOL_VERSION}: ` +
          `move that data directory away or start with another --datadir (nothing in it was changed)`,
        'store',
      );
    }
    if (stored !== network.name || get('genesis') !== genesis) {
      this.db.close();
      throw new OurCoinError(
        'STORE_WRONG_NETWORK',
        `the store belongs to network "${stored}", not "${network.name}"`,
        'store',
      );
    }
    if (get('schema') !== String(SCHEMA_VERSION)) {
      this.db.close();
      throw new OurCoinError(
        'STORE_BAD_SCHEMA',
        `store schema ${get('schema')} is not ${SCHEMA_VERSION}; reindex needed`,
        'store',
      );
    }
  }

  private toRecord(row: BlockRow): BlockRecord {
    return {
      hash: u8(row.hash),
      header: decodeHeader(u8(row.header)),
      height: row.height,
      cumulativeWork: bytesToBigInt(u8(row.work)),
      status: row.status as BlockStatusValue,
      seq: row.seq,
    };
  }

  getRecord(hash: Uint8Array): BlockRecord | undefined {
    const row = this.stmt.record.get(Buffer.from(hash));
    return row && this.toRecord(row);
  }

  getBlockBytes(hash: Uint8Array): Uint8Array | undefined {
    const row = this.stmt.data.get(Buffer.from(hash));
    return row && u8(row.data);
  }

  getBlock(hash: Uint8Array): Block | undefined {
    const bytes = this.getBlockBytes(hash);
    return bytes && decodeBlock(bytes);
  }

  putBlock(
    hash: Uint8Array,
    block: Block,
    bytes: Uint8Array,
    cumulativeWork: bigint,
    status: BlockStatusValue,
  ): BlockRecord {
    this.stmt.insertBlock.run(
      Buffer.from(hash),
      Buffer.from(block.header.prevHash),
      block.header.height,
      Buffer.from(encodeHeader(block.header)),
      Buffer.from(bytes),
      Buffer.from(bigIntToBytes(cumulativeWork, 32)),
      status,
      ++this.blockSeq,
    );
    return this.getRecord(hash)!;
  }

  deleteSideLeaf(hash: Uint8Array): boolean {
    const h = Buffer.from(hash);
    // Prepared per call: pruning is rare (only past the side-branch budget).
    const onMain = this.db.prepare<[Buffer], { hash: Buffer }>('SELECT hash FROM main_chain WHERE hash = ?');
    const deleteBlock = this.db.prepare('DELETE FROM blocks WHERE hash = ?');
    return this.db.transaction(() => {
      if (this.stmt.children.all(h).length > 0 || onMain.get(h)) return false;
      this.stmt.deleteUndo.run(h);
      return deleteBlock.run(h).changes > 0;
    })();
  }

  getInvalid(hash: Uint8Array): InvalidMark | undefined {
    return this.stmt.invalid.get(Buffer.from(hash));
  }

  markInvalid(hash: Uint8Array, mark: InvalidMark): void {
    this.db.transaction(() => {
      this.stmt.insertInvalid.run(Buffer.from(hash), mark.code, mark.message);
      const queue: Buffer[] = [Buffer.from(hash)];
      for (let h = queue.pop(); h; h = queue.pop()) {
        this.stmt.setStatus.run(BlockStatus.invalid, h);
        for (const child of this.stmt.children.all(h)) {
          this.stmt.insertInvalid.run(child.hash, 'BLOCK_PARENT_INVALID', `descends from invalid block ${toHex(hash)}`);
          queue.push(child.hash);
        }
      }
    })();
  }

  clearInvalid(hash: Uint8Array): number {
    return this.db.transaction(() => {
      let cleared = 0;
      const clear = (h: Buffer): boolean => {
        const changed = this.stmt.deleteInvalid.run(h).changes + this.stmt.revalidate.run(h).changes > 0;
        if (changed) cleared++;
        return changed;
      };
      clear(Buffer.from(hash));
      const queue: Buffer[] = this.stmt.children.all(Buffer.from(hash)).map((c) => c.hash);
      for (let h = queue.pop(); h; h = queue.pop()) {
        clear(h);
        for (const child of this.stmt.children.all(h)) queue.push(child.hash);
      }
      // Ancestors marked invalid would keep the block out of the best chain all the same.
      let ancestor = this.stmt.parent.get(Buffer.from(hash))?.prev_hash;
      while (ancestor && clear(ancestor)) ancestor = this.stmt.parent.get(ancestor)?.prev_hash;
      return cleared;
    })();
  }

  resetChainState(): void {
    this.db.transaction(() => {
      this.db.exec(`DELETE FROM main_chain; DELETE FROM accounts; DELETE FROM undo; DELETE FROM tx_index;
        DELETE FROM address_txs; DELETE FROM invalid_blocks; UPDATE blocks SET status = ${BlockStatus.stored};`);
    })();
  }

  bestCandidate(): BlockRecord | undefined {
    const row = this.stmt.best.get();
    return row && this.toRecord(row);
  }

  tip(): BlockRecord | undefined {
    const row = this.stmt.tipRow.get();
    return row && this.getRecord(u8(row.hash));
  }

  mainHashAt(height: number): Uint8Array | undefined {
    const row = this.stmt.mainAt.get(height);
    return row && u8(row.hash);
  }

  getAccount(address: Uint8Array): Account {
    const row = this.stmt.account.get(address);
    return row ? { balance: row.balance, nonce: Number(row.nonce) } : EMPTY_ACCOUNT;
  }

  private writeAccount(address: Uint8Array, a: Account): void {
    if (a.balance === 0n && a.nonce === 0) this.stmt.deleteAccount.run(address);
    else this.stmt.upsertAccount.run(address, a.balance, a.nonce);
  }

  connectBlock(hash: Uint8Array, block: Block, txids: readonly Uint8Array[], changes: readonly AccountChange[]): void {
    const h = Buffer.from(hash);
    const height = block.header.height;
    const { insertTx, insertAddressTx } = this.stmt;
    this.db.transaction(() => {
      for (const c of changes) this.writeAccount(c.address, c.after);
      this.stmt.insertUndo.run(h, encodeUndo(changes));
      // better-sqlite3 binds any Uint8Array as a blob: no Buffer copies in this per-transfer loop.
      insertTx.run(txids[0], h, height, 0);
      insertAddressTx.run(block.coinbase.recipient, height, 0, txids[0]);
      for (let position = 1; position < txids.length; position++) {
        const txid = txids[position]!;
        const tx = block.transactions[position - 1]!;
        insertTx.run(txid, h, height, position);
        insertAddressTx.run(tx.recipient, height, position, txid);
        insertAddressTx.run(transferSender(tx), height, position, txid);
      }
      this.stmt.insertMain.run(height, h);
      this.stmt.setStatus.run(BlockStatus.valid, h);
    })();
  }

  disconnectTip(): void {
    const tip = this.tip();
    if (!tip) throw new OurCoinError('STORE_EMPTY', 'no tip to disconnect', 'store');
    if (tip.height === 0) throw new OurCoinError('STORE_GENESIS', 'cannot disconnect the genesis block', 'store');
    const h = Buffer.from(tip.hash);
    this.db.transaction(() => {
      const undo = this.stmt.undo.get(h);
      if (!undo) throw new OurCoinError('STORE_NO_UNDO', `no undo data for ${toHex(tip.hash)}`, 'store');
      for (const e of decodeUndo(u8(undo.data))) this.writeAccount(e.address, e.before);
      this.stmt.deleteUndo.run(h);
      this.stmt.deleteTxs.run(h);
      this.stmt.deleteAddressTxs.run(tip.height);
      this.stmt.deleteMain.run(tip.height);
    })();
  }

  getTxLocation(txid: Uint8Array): TxLocation | undefined {
    const row = this.stmt.txLocation.get(Buffer.from(txid));
    return row && { blockHash: u8(row.block_hash), height: row.height, position: row.position };
  }

  getAddressTxs(address: Uint8Array, limit: number, offset: number): AddressTxEntry[] {
    return this.stmt.addressTxs.all(Buffer.from(address), limit, offset).map((r) => ({
      txid: u8(r.txid),
      height: r.height,
      position: r.position,
      blockHash: this.mainHashAt(r.height)!,
    }));
  }

  keysInRange(kind: KeyKind, lo: Uint8Array, hi: Uint8Array, limit: number): Uint8Array[] {
    return this.stmt.keysInRange[kind].all(Buffer.from(lo), Buffer.from(hi), limit).map((r) => u8(r.k));
  }

  /** The mempool's persistence, in the same database file (group commit: see MempoolStore). */
  mempoolStore(): MempoolStore {
    const all = this.db.prepare<[], { txid: Buffer; data: Buffer }>('SELECT txid, data FROM mempool ORDER BY seq');
    const put = this.db.prepare('INSERT OR REPLACE INTO mempool (txid, data, seq) VALUES (?, ?, ?)');
    // Arrival order kept in memory, started once from the table (a MAX() per insert scans it).
    let seq = this.db.prepare<[], { m: number }>('SELECT COALESCE(MAX(seq), 0) AS m FROM mempool').get()!.m;
    const del = this.db.prepare('DELETE FROM mempool WHERE txid = ?');
    // Writes in order: a put then a remove of the same txid must end removed, and the reverse.
    type Write = { txid: Buffer; data?: Buffer; seq?: number };
    let queued: Write[] = [];
    let waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
    let scheduled: NodeJS.Immediate | undefined;
    const commit = this.db.transaction((writes: readonly Write[]) => {
      for (const w of writes)
        if (w.data) put.run(w.txid, w.data, w.seq);
        else del.run(w.txid);
    });
    const flush = (): void => {
      clearImmediate(scheduled);
      scheduled = undefined;
      const writes = queued;
      const settled = waiters;
      queued = [];
      waiters = [];
      try {
        if (writes.length > 0 && this.db.open) commit(writes);
        for (const w of settled) w.resolve();
      } catch (err) {
        for (const w of settled) w.reject(err);
        if (settled.length === 0) throw err;
      }
    };
    const enqueue = (write: Write): void => {
      queued.push(write);
      scheduled ??= setImmediate(flush);
    };
    this.beforeClose.push(flush);
    return {
      loadAll: () => {
        flush();
        return all.all().map((r) => ({ txid: u8(r.txid), data: u8(r.data) }));
      },
      put: (txid, data) => enqueue({ txid: Buffer.from(txid), data: Buffer.from(data), seq: ++seq }),
      remove: (txids) => {
        for (const t of txids) enqueue({ txid: Buffer.from(t) });
      },
      written: () =>
        queued.length === 0 && waiters.length === 0
          ? Promise.resolve()
          : new Promise((resolve, reject) => {
              waiters.push({ resolve, reject });
              scheduled ??= setImmediate(flush);
            }),
    };
  }

  close(): void {
    try {
      for (const flush of this.beforeClose.splice(0)) flush();
    } finally {
      // The checkpointer closes its connection on its own time; whichever closes last
      // checkpoints what is left and removes the WAL.
      this.checkpointer?.postMessage('stop');
      this.checkpointer = undefined;
      if (this.db.open) this.db.close();
      if (this.lock?.open) this.lock.close();
    }
  }
}

/**
 * Takes the store's process lock: `<path>.lock`, a tiny database in exclusive locking mode,
 * whose lock its first write takes and holds until the connection closes (the OS drops it if
 * the process dies). A second process gets SQLITE_BUSY here: STORE_LOCKED.
 */
function lockStore(path: string): Database.Database {
  const lock = new Database(`${path}.lock`);
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.pragma('journal_mode = OFF');
    lock.exec('BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS lock (pid INTEGER); COMMIT');
    return lock;
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY')
      throw new OurCoinError('STORE_LOCKED', `${path} is in use by another OurCoin process`, 'store', { cause: err });
    throw err;
  }
}
