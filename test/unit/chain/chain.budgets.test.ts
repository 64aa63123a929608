/**
 * The chain's budgets for blocks sent unasked (Chain.importBlock: gossip, the API): orphans
 * count against their source's share of the orphan pool, and a block on a branch lighter than
 * the tip is not stored (CHAIN_FORK_TOO_LIGHT), while blocks this node asked for still are; side
 * blocks that came unasked are pruned, oldest leaf first, past their byte budget.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Chain } from '../../../src/chain/chain.js';
import { ChainErrorCode } from '../../../src/chain/interface.js';
import type { OrphanBudget } from '../../../src/chain/orphanPool.js';
import { blstBls } from '../../../src/crypto/blst.js';
import { blockHash, encodeBlock } from '../../../src/protocol/block.js';
import type { Block } from '../../../src/protocol/block.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { regtest } from '../../../src/protocol/networks.js';
import { RuleCode } from '../../../src/protocol/rules/codes.js';
import { SqliteStore } from '../../../src/store/sqliteStore.js';
import { buildBlock, testKey } from '../../helpers/builder.js';
import { TEST_NOW } from '../../helpers/chain.js';

const genesis = genesisBlock(regtest);
const size = encodeBlock(genesis).byteLength;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function open(orphanBudget?: Partial<OrphanBudget>, sideBranchBytes?: number): { chain: Chain; store: SqliteStore } {
  const dir = mkdtempSync(join(tmpdir(), 'ourcoin-budgets-'));
  const store = new SqliteStore(join(dir, 'chain.sqlite'), regtest);
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => store.close(),
  );
  const chain = Chain.open({
    network: regtest,
    store,
    bls: blstBls,
    now: () => TEST_NOW,
    ...(orphanBudget && { orphanBudget }),
    ...(sideBranchBytes !== undefined && { sideBranchBytes }),
  });
  return { chain, store };
}

/** `n` blocks on `parent`, each on the one before, paid to miner `m`. */
function branch(parent: Block, n: number, m: number): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < n; i++) out.push(buildBlock(out.at(-1) ?? parent, { miner: testKey(m).address }));
  return out;
}

const hashOf = (b: Block): Uint8Array => blockHash(b.header);

describe('side branches sent unasked', () => {
  it('refuses a block on a branch lighter than the tip without storing or marking it', async () => {
    const { chain } = open();
    const main = branch(genesis, 3, 1);
    for (const b of main) expect((await chain.importBlock(b)).status).toBe('connected');
    const [fork] = branch(genesis, 1, 2);
    for (const input of [fork!, encodeBlock(fork!)]) {
      const r = await chain.importBlock(input, 'block', { source: 'peer:x' });
      expect(r.status).toBe('rejected');
      expect(r.error).toMatchObject({ code: ChainErrorCode.forkTooLight, kind: 'policy' });
    }
    expect(chain.getRecord(hashOf(fork!))).toBeUndefined();
    expect(chain.getInvalid(hashOf(fork!))).toBeUndefined();
    // Asked for (sync, after its header chain was checked): stored as before.
    expect(chain.processBlock(fork!).status).toBe('side');
  });

  it('stores a sibling of the tip (equal work) and follows a branch that overtakes it', async () => {
    const { chain } = open();
    const [a1] = branch(genesis, 1, 1);
    const [b1, b2] = branch(genesis, 2, 2);
    expect((await chain.importBlock(a1!)).status).toBe('connected');
    expect((await chain.importBlock(b1!)).status).toBe('side');
    const r = await chain.importBlock(b2!);
    expect(r.status).toBe('connected');
    expect(chain.tip.hash).toEqual(hashOf(b2!));
  });

  it('refuses an orphan of a light branch when its parent arrives, and keeps the tip', async () => {
    const { chain } = open();
    const main = branch(genesis, 3, 1);
    for (const b of main) await chain.importBlock(b);
    const [f1, f2] = branch(genesis, 2, 2);
    expect((await chain.importBlock(f2!)).status).toBe('orphan');
    expect((await chain.importBlock(f1!)).error?.code).toBe(ChainErrorCode.forkTooLight);
    // The orphan stays waiting: its parent was not stored, so it was not handed back.
    expect(chain.orphanCount).toBe(1);
    expect(chain.processBlock(f1!).status).toBe('side');
    // Now handed back: still unasked, and still lighter (height 2 against 3).
    expect(chain.orphanCount).toBe(0);
    expect(chain.getRecord(hashOf(f2!))).toBeUndefined();
    expect(chain.tip.hash).toEqual(hashOf(main[2]!));
  });

  it('refuses a child of an invalid block for its parent, not for its work', async () => {
    const { chain } = open();
    for (const b of branch(genesis, 3, 1)) await chain.importBlock(b);
    const [f1, f2] = branch(genesis, 2, 2);
    expect(chain.processBlock(f1!).status).toBe('side');
    chain.invalidateBlock(hashOf(f1!));
    const r = await chain.importBlock(f2!);
    expect(r.error?.code).toBe(RuleCode.parentInvalid);
  });
});

describe('orphans per source', () => {
  it('bounds each source to its share and the pool to its total, in bytes', async () => {
    const { chain } = open({ maxCount: 100, maxBytes: 5 * size, maxBytesPerSource: 2 * size });
    const parents = branch(genesis, 1, 3);
    // Children of an unknown parent: orphans, each `size` bytes.
    const orphans = Array.from({ length: 8 }, (_, i) => buildBlock(parents[0]!, { miner: testKey(10 + i).address }));
    const from = async (b: Block, source: string): Promise<boolean | undefined> => {
      const r = await chain.importBlock(encodeBlock(b), 'block', { source });
      expect(r.status).toBe('orphan');
      return r.overShare;
    };
    expect(await from(orphans[0]!, 'peer:a')).toBeUndefined();
    expect(await from(orphans[1]!, 'peer:a')).toBeUndefined();
    expect(await from(orphans[2]!, 'peer:a')).toBe(true); // past its share: its oldest went
    expect(chain.orphanCount).toBe(2);
    for (const b of orphans.slice(3, 5)) await from(b, 'api:127.0.0.1');
    await from(orphans[5]!, 'peer:b');
    expect(chain.orphanCount).toBe(5);
    await from(orphans[6]!, 'peer:b'); // past the total: the largest source (peer:a, oldest first) pays
    expect(chain.orphanCount).toBe(5);
    // The parent arrives: the orphans still held connect, decoded from the bytes kept.
    const r = await chain.importBlock(parents[0]!);
    expect(r.status).toBe('connected');
    expect(chain.orphanCount).toBe(0);
    const stored = orphans.map((b) => chain.getRecord(hashOf(b)) !== undefined);
    expect(stored).toEqual([false, false, true, true, true, true, true, false]);
  });
});

describe('side-branch bytes', () => {
  it("prunes the oldest side leaves that came unasked past the budget, never sync's or the main chain", async () => {
    const { chain } = open(undefined, 2 * size);
    const [tip] = branch(genesis, 1, 1);
    await chain.importBlock(tip!);
    const requested = buildBlock(genesis, { miner: testKey(20).address });
    expect(chain.processBlock(requested).status).toBe('side');
    // Siblings of the tip: as much work, so stored, then pruned oldest first past two blocks' bytes.
    const siblings = Array.from({ length: 4 }, (_, i) => buildBlock(genesis, { miner: testKey(30 + i).address }));
    for (const s of siblings) expect((await chain.importBlock(s, 'block', { source: 'peer:x' })).status).toBe('side');
    expect(siblings.map((s) => chain.getRecord(hashOf(s)) !== undefined)).toEqual([false, false, true, true]);
    expect(chain.getRecord(hashOf(requested))).toBeDefined();
    expect(chain.tip.hash).toEqual(hashOf(tip!));
    // A pruned block sent again is stored again (nothing remembers it as bad).
    expect((await chain.importBlock(siblings[0]!)).status).toBe('side');
  });

  it('the store deletes only a leaf off the main chain', async () => {
    const { chain, store } = open();
    const [m1, m2] = branch(genesis, 2, 1);
    for (const b of [m1!, m2!]) await chain.importBlock(b);
    const [s1, s2] = branch(m1!, 2, 2);
    expect(chain.processBlock(s1!).status).toBe('side');
    expect(chain.processBlock(s2!).status).toBe('connected'); // heavier: the tip moved
    expect(store.deleteSideLeaf(hashOf(s2!))).toBe(false); // the tip
    expect(store.deleteSideLeaf(hashOf(m1!))).toBe(false); // on the main chain, with children
    expect(store.deleteSideLeaf(hashOf(m2!))).toBe(true); // left the main chain, no child
    expect(store.getRecord(hashOf(m2!))).toBeUndefined();
    expect(store.deleteSideLeaf(hashOf(m2!))).toBe(false); // already gone
  });
});
