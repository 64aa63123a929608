/**
 * OrphanPool (src/chain/orphanPool.ts): blocks whose parent is unknown, bounded by count, by
 * bytes in total and per source, and handed back by parent when that parent arrives.
 */
import { describe, expect, it } from 'vitest';
import { OrphanPool } from '../../../src/chain/orphanPool.js';
import type { Orphan } from '../../../src/chain/orphanPool.js';
import { blockHash, encodeBlock } from '../../../src/protocol/block.js';
import type { Block } from '../../../src/protocol/block.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { regtest } from '../../../src/protocol/networks.js';
import { buildBlock, testKey } from '../../helpers/builder.js';

const genesis = genesisBlock(regtest);

/** `n` sibling blocks on `parent`, told apart by their miner. */
function siblings(parent: Block, n: number, firstMiner = 0): Block[] {
  return Array.from({ length: n }, (_, i) => buildBlock(parent, { miner: testKey(firstMiner + i).address }));
}

const hashOf = (b: Block): Uint8Array => blockHash(b.header);

const orphan = (b: Block, source = 'peer:a', bytes = encodeBlock(b)): Orphan => ({
  hash: hashOf(b),
  header: b.header,
  bytes,
  source,
  unrequested: true,
});

function add(pool: OrphanPool, ...blocks: Block[]): void {
  for (const b of blocks) pool.add(orphan(b));
}

/** The hashes the pool hands back for `parent`'s children, in the order given. */
const takenHashes = (pool: OrphanPool, parent: Block): string[] =>
  pool.takeChildren(hashOf(parent)).map((o) => toHex(o.hash));

const hexes = (blocks: readonly Block[]): string[] => blocks.map((b) => toHex(hashOf(b)));

describe('OrphanPool', () => {
  it('keeps what it is given: has, size, and the same block and bytes back', () => {
    const pool = new OrphanPool({ maxCount: 8 });
    const [a, b] = siblings(genesis, 2);
    expect(pool.size).toBe(0);
    expect(pool.has(hashOf(a!))).toBe(false);
    add(pool, a!, b!);
    expect(pool.size).toBe(2);
    expect(pool.has(hashOf(a!))).toBe(true);
    expect(pool.has(hashOf(genesis))).toBe(false);
    const taken = pool.takeChildren(hashOf(genesis));
    expect(taken.map((o) => o.header)).toEqual([a!.header, b!.header]);
    expect(taken.map((o) => o.bytes)).toEqual([encodeBlock(a!), encodeBlock(b!)]);
  });

  it('ignores a block it already holds, keeping the first copy and its age', () => {
    const pool = new OrphanPool({ maxCount: 2 });
    const [a, b, c] = siblings(genesis, 3);
    add(pool, a!);
    pool.add(orphan(a!, 'peer:a', Uint8Array.of(1, 2, 3))); // same hash, other bytes: ignored
    expect(pool.size).toBe(1);
    add(pool, b!);
    add(pool, a!); // re-adding does not make `a` younger...
    add(pool, c!); // ...so it is the one dropped at the limit
    expect(pool.has(hashOf(a!))).toBe(false);
    expect(pool.has(hashOf(b!))).toBe(true);
    expect(pool.has(hashOf(c!))).toBe(true);
  });

  it('drops the oldest orphans past its limit, and stays at the limit', () => {
    const pool = new OrphanPool({ maxCount: 3 });
    const blocks = siblings(genesis, 7);
    for (const [i, b] of blocks.entries()) {
      add(pool, b);
      expect(pool.size).toBe(Math.min(i + 1, 3));
    }
    expect(blocks.map((b) => pool.has(hashOf(b)))).toEqual([false, false, false, false, true, true, true]);
    expect(takenHashes(pool, genesis)).toEqual(hexes(blocks.slice(4)));
  });

  it('with a limit of 0 holds nothing', () => {
    const pool = new OrphanPool({ maxCount: 0 });
    const [a] = siblings(genesis, 1);
    add(pool, a!);
    expect(pool.size).toBe(0);
    expect(pool.has(hashOf(a!))).toBe(false);
  });

  it('takeChildren removes and returns the direct children of one parent, oldest first', () => {
    const pool = new OrphanPool({ maxCount: 16 });
    const [p, q] = siblings(genesis, 2);
    const childrenOfP = siblings(p!, 3, 10);
    const childrenOfQ = siblings(q!, 2, 20);
    const grandchild = buildBlock(childrenOfP[0]!);
    // Interleaved, so order and filtering both show.
    add(pool, childrenOfP[0]!, childrenOfQ[0]!, grandchild, childrenOfP[1]!, childrenOfQ[1]!, childrenOfP[2]!);

    expect(takenHashes(pool, p!)).toEqual(hexes(childrenOfP));
    expect(pool.size).toBe(3);
    for (const c of childrenOfP) expect(pool.has(hashOf(c))).toBe(false);
    // The grandchild waits for its own parent; q's children are untouched.
    expect(pool.has(hashOf(grandchild))).toBe(true);
    expect(takenHashes(pool, p!)).toEqual([]);
    expect(takenHashes(pool, childrenOfP[0]!)).toEqual(hexes([grandchild]));
    expect(takenHashes(pool, q!)).toEqual(hexes(childrenOfQ));
    expect(pool.size).toBe(0);
  });

  it('takeChildren of a parent with no orphans returns nothing and changes nothing', () => {
    const pool = new OrphanPool({ maxCount: 4 });
    const [a] = siblings(genesis, 1);
    add(pool, a!);
    expect(pool.takeChildren(hashOf(a!))).toEqual([]);
    expect(pool.size).toBe(1);
  });

  it('frees room when children are taken, so newer orphans no longer push older ones out', () => {
    const pool = new OrphanPool({ maxCount: 2 });
    const [p] = siblings(genesis, 1);
    const [x] = siblings(p!, 1, 30);
    const [y, z] = siblings(genesis, 2, 40);
    add(pool, x!, y!);
    expect(takenHashes(pool, p!)).toEqual(hexes([x!]));
    add(pool, z!);
    expect(pool.has(hashOf(y!))).toBe(true);
    expect(pool.has(hashOf(z!))).toBe(true);
  });

  describe('byte budget', () => {
    const size = encodeBlock(genesis).byteLength;

    it('past its total, the source holding the most bytes loses its oldest orphan', () => {
      const pool = new OrphanPool({ maxCount: 100, maxBytes: 4 * size, maxBytesPerSource: 3 * size });
      const [a1, a2, a3, b1, b2] = siblings(genesis, 5);
      for (const b of [a1!, a2!, a3!]) pool.add(orphan(b, 'peer:a'));
      pool.add(orphan(b1!, 'peer:b'));
      expect(pool.bytes).toBe(4 * size);
      expect(pool.add(orphan(b2!, 'peer:b'))).toBe(0); // within its share: nothing held against it
      expect([a1, a2, a3, b1, b2].map((b) => pool.has(hashOf(b!)))).toEqual([false, true, true, true, true]);
      expect(pool.bytes).toBe(4 * size);
      expect(pool.bytesOf('peer:a')).toBe(2 * size);
      expect(pool.bytesOf('peer:b')).toBe(2 * size);
    });

    it('a source past its share loses its own oldest orphans, and says how many', () => {
      const pool = new OrphanPool({ maxCount: 100, maxBytes: 100 * size, maxBytesPerSource: 2 * size });
      const [a1, a2, a3, b1] = siblings(genesis, 4);
      expect(pool.add(orphan(a1!, 'api:1'))).toBe(0);
      expect(pool.add(orphan(a2!, 'api:1'))).toBe(0);
      pool.add(orphan(b1!, 'api:2'));
      expect(pool.add(orphan(a3!, 'api:1'))).toBe(1);
      expect([a1, a2, a3, b1].map((b) => pool.has(hashOf(b!)))).toEqual([false, true, true, true]);
      expect(pool.bytesOf('api:1')).toBe(2 * size);
    });

    it('does not keep an orphan larger than a share, and forgets sources that hold nothing', () => {
      const pool = new OrphanPool({ maxBytesPerSource: size - 1 });
      const [a] = siblings(genesis, 1);
      expect(pool.add(orphan(a!))).toBe(1);
      expect(pool.has(hashOf(a!))).toBe(false);
      expect(pool.size).toBe(0);
      expect(pool.bytes).toBe(0);
      expect(pool.bytesOf('peer:a')).toBe(0);
    });

    it('counts bytes out again when children are taken', () => {
      const pool = new OrphanPool();
      const [p] = siblings(genesis, 1);
      add(pool, ...siblings(p!, 3, 50));
      expect(pool.bytes).toBe(3 * size);
      expect(pool.takeChildren(hashOf(p!))).toHaveLength(3);
      expect(pool.bytes).toBe(0);
      expect(pool.bytesOf('peer:a')).toBe(0);
    });

    it('keeps a copy of a view into a larger buffer, not the buffer behind it', () => {
      const pool = new OrphanPool();
      const [a] = siblings(genesis, 1);
      const frame = new Uint8Array(size + 1000);
      frame.set(encodeBlock(a!), 500);
      pool.add(orphan(a!, 'peer:a', frame.subarray(500, 500 + size)));
      const [taken] = pool.takeChildren(hashOf(genesis));
      expect(taken!.bytes).toEqual(encodeBlock(a!));
      expect(taken!.bytes.buffer.byteLength).toBe(size);
    });
  });
});
