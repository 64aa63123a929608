/** Test fixtures: a regtest chain on a SQLite store in a fresh temporary directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blstBls } from '../../src/crypto/blst.js';
import { Chain } from '../../src/chain/chain.js';
import type { NetworkParams } from '../../src/protocol/networks.js';
import { regtest } from '../../src/protocol/networks.js';
import { SqliteStore } from '../../src/store/sqliteStore.js';

/** A clock well past every test block's timestamp, inside regtest's future window. */
export const TEST_NOW = regtest.genesis.timestamp + 3600;

export interface TestChain {
  chain: Chain;
  store: SqliteStore;
  dir: string;
  path: string;
  /** Closes the store and opens the same file again, as after a restart. */
  reopen(): TestChain;
  cleanup(): void;
}

export function openTestChain(
  network: NetworkParams = regtest,
  dir = mkdtempSync(join(tmpdir(), 'ourcoin-test-')),
): TestChain {
  const path = join(dir, 'chain.sqlite');
  const store = new SqliteStore(path, network);
  const chain = Chain.open({ network, store, bls: blstBls, now: () => TEST_NOW });
  const t: TestChain = {
    chain,
    store,
    dir,
    path,
    reopen() {
      store.close();
      return openTestChain(network, dir);
    },
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}
