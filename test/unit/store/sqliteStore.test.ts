/**
 * The store's process lock and its checkpointer thread (src/store/sqliteStore.ts,
 * src/store/checkpointer.ts).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isOurCoinError } from '../../../src/errors.js';
import { regtest } from '../../../src/protocol/networks.js';
import { SqliteStore } from '../../../src/store/sqliteStore.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function path(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ourcoin-store-'));
  dirs.push(dir);
  return join(dir, 'chain.sqlite');
}

describe('SqliteStore', () => {
  it('refuses a second opener with STORE_LOCKED until the first closes', () => {
    const file = path();
    const first = new SqliteStore(file, regtest, { checkpointThread: true });
    let error: unknown;
    try {
      new SqliteStore(file, regtest).close();
    } catch (err) {
      error = err;
    }
    expect(isOurCoinError(error, 'STORE_LOCKED')).toBe(true);
    first.close();
    const again = new SqliteStore(file, regtest);
    expect(again.networkName).toBe('regtest');
    again.close();
  });

  it('checkpoints the WAL into the database file on its own thread', async () => {
    const file = path();
    const store = new SqliteStore(file, regtest, { checkpointThread: true });
    const pool = store.mempoolStore();
    // About 2 MB of writes: far below the main connection's own checkpoint (64 MB of WAL), so
    // only the checkpointer thread can carry them into the database file.
    const writeAndWait = async (from: number): Promise<void> => {
      const before = statSync(file).size;
      for (let n = from; n < from + 2_000; n++) {
        const txid = new Uint8Array(32);
        new DataView(txid.buffer).setUint32(0, n);
        pool.put(txid, new Uint8Array(1_000));
      }
      await pool.written();
      let grown = statSync(file).size;
      for (let waited = 0; grown <= before + 1_000_000 && waited < 30_000; waited += 100) {
        await new Promise((r) => setTimeout(r, 100));
        grown = statSync(file).size;
      }
      expect(grown).toBeGreaterThan(before + 1_000_000);
    };
    await writeAndWait(0);
    // Rounds with nothing committed are skipped (the WAL unchanged); new writes, into the
    // WAL reused from its start, are still seen and carried over.
    await new Promise((r) => setTimeout(r, 2_500));
    await writeAndWait(2_000);
    store.close();
  });
});
