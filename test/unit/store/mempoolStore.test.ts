/**
 * The mempool's persistence: writes queued in one turn of the event loop are committed
 * together, in order, and nothing queued is lost when the store closes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/protocol/bytes.js';
import { regtest } from '../../../src/protocol/networks.js';
import { SqliteStore } from '../../../src/store/sqliteStore.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function path(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ourcoin-mempool-store-'));
  dirs.push(dir);
  return join(dir, 'chain.sqlite');
}

const txid = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const data = (n: number): Uint8Array => new Uint8Array([n, n, n]);
const stored = (store: SqliteStore): string[] =>
  store
    .mempoolStore()
    .loadAll()
    .map((r) => toHex(r.txid));

describe('MempoolStore', () => {
  it('commits the writes of one turn in order: the last write of a txid wins', async () => {
    const file = path();
    const store = new SqliteStore(file, regtest);
    const pool = store.mempoolStore();
    pool.put(txid(1), data(1));
    pool.put(txid(2), data(2));
    pool.remove([txid(1)]);
    pool.remove([txid(3)]);
    pool.put(txid(3), data(3));
    await pool.written();
    store.close();

    const reopened = new SqliteStore(file, regtest);
    expect(stored(reopened)).toEqual([toHex(txid(2)), toHex(txid(3))]);
    expect(reopened.mempoolStore().loadAll()[1]!.data).toEqual(data(3));
    reopened.close();
  });

  it('writes what is still queued when the store closes', () => {
    const file = path();
    const store = new SqliteStore(file, regtest);
    const pool = store.mempoolStore();
    for (let n = 1; n <= 50; n++) pool.put(txid(n), data(n));
    store.close(); // same turn: nothing was committed yet

    const reopened = new SqliteStore(file, regtest);
    expect(stored(reopened)).toHaveLength(50);
    reopened.close();
  });

  it('resolves written() at once when nothing is queued, and after the commit otherwise', async () => {
    const store = new SqliteStore(path(), regtest);
    const pool = store.mempoolStore();
    await pool.written();
    pool.put(txid(7), data(7));
    const done = pool.written();
    // loadAll commits what is queued first, so it always sees the latest writes.
    expect(pool.loadAll().map((r) => toHex(r.txid))).toEqual([toHex(txid(7))]);
    await done;
    store.close();
  });
});
