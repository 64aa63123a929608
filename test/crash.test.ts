/**
 * Crash safety: a child process importing blocks is killed with SIGKILL at random moments.
 * After each kill the store must pass SQLite's integrity check, hold a tip whose state equals
 * a plain replay of the stored main chain, and resume importing where it stopped.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { blockHash, decodeBlock, encodeBlock } from '../src/protocol/block.js';
import type { Block } from '../src/protocol/block.js';
import { toHex } from '../src/protocol/bytes.js';
import { genesisBlock } from '../src/protocol/genesis.js';
import { regtest } from '../src/protocol/networks.js';
import { buildBlock, testKey } from './helpers/builder.js';
import { prng, randomTransfers, replay } from './helpers/replay.js';
import type { Ledger } from './helpers/replay.js';

const dir = mkdtempSync(join(tmpdir(), 'ourcoin-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keys = Array.from({ length: 10 }, (_, i) => testKey(300 + i));

function makeBlocks(count: number): Block[] {
  const rand = prng(7);
  const chain: Block[] = [genesisBlock(regtest)];
  const ledger: Ledger = new Map();
  for (let h = 1; h <= count; h++) {
    const txs = h <= keys.length ? [] : randomTransfers(keys, ledger, 30, rand);
    const miner = keys[h % keys.length]!;
    const b = buildBlock(chain.at(-1)!, { txs, miner: miner.address });
    const m = ledger.get(toHex(miner.address)) ?? { balance: 0n, nonce: 0 };
    ledger.set(toHex(miner.address), { balance: m.balance + b.coinbase.amount, nonce: m.nonce });
    chain.push(b);
  }
  return chain;
}

function runImporter(dbPath: string, blocksPath: string, killAfterMs?: number): Promise<{ out: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/importBlocks.ts', dbPath, blocksPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // Start the kill clock once the chain is open, so kills land during imports.
      if (killAfterMs !== undefined && out.startsWith('start') && !timer) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let timer: NodeJS.Timeout | undefined;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve({ out, killed: true });
      else if (code === 0) resolve({ out, killed: false });
      else reject(new Error(`importer exited ${code}: ${err}`));
    });
  });
}

function checkStore(dbPath: string, chain: readonly Block[]): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db.prepare<[], { height: number; hash: Buffer }>('SELECT height, hash FROM main_chain ORDER BY height').all();
    const tipHeight = rows.length - 1;
    rows.forEach((r, i) => {
      expect(r.height).toBe(i);
      expect(toHex(r.hash)).toBe(toHex(blockHash(chain[i]!.header)));
    });
    // The stored blocks of the main chain, replayed plainly, give exactly the stored accounts.
    const stored = rows.map((r) => {
      const data = db.prepare<[Buffer], { data: Buffer }>('SELECT data FROM blocks WHERE hash = ?').get(r.hash)!.data;
      return decodeBlock(new Uint8Array(data));
    });
    expect(stored.map((b) => b.header.height)).toEqual(chain.slice(0, tipHeight + 1).map((b) => b.header.height));
    const expected = replay(stored);
    for (const [k, v] of [...expected]) if (v.balance === 0n && v.nonce === 0) expected.delete(k);
    const accounts = db.prepare<[], { address: Buffer; balance: number; nonce: number }>('SELECT address, balance, nonce FROM accounts').all();
    expect(new Map(accounts.map((a) => [toHex(a.address), { balance: BigInt(a.balance), nonce: a.nonce }]))).toEqual(expected);
    return tipHeight;
  } finally {
    db.close();
  }
}

describe('crash safety', () => {
  it('keeps a consistent store through repeated SIGKILLs during import, and resumes', async () => {
    const chain = makeBlocks(120);
    const blocksPath = join(dir, 'blocks.bin');
    writeFileSync(
      blocksPath,
      Buffer.concat(
        chain.slice(1).map((b) => {
          const bytes = encodeBlock(b);
          const len = Buffer.alloc(4);
          len.writeUInt32BE(bytes.length);
          return Buffer.concat([len, bytes]);
        }),
      ),
    );
    const dbPath = join(dir, 'chain.sqlite');
    const rand = prng(11);
    let lastHeight = 0;
    let kills = 0;
    for (let round = 0; round < 6; round++) {
      const { killed } = await runImporter(dbPath, blocksPath, 40 + Math.floor(rand() * 400));
      const height = checkStore(dbPath, chain);
      expect(height).toBeGreaterThanOrEqual(lastHeight);
      lastHeight = height;
      if (killed) kills++;
      else break;
    }
    expect(kills).toBeGreaterThan(0);
    const { out } = await runImporter(dbPath, blocksPath);
    expect(out).toContain('done 120');
    expect(checkStore(dbPath, chain)).toBe(120);
  });
});
