/**
 * Crash safety: processes are killed with SIGKILL at random moments, and after each kill the
 * store must pass the checks of helpers/storeCheck.ts (SQLite's integrity check, a state equal
 * to a plain replay of the stored main chain, indexes that match it).
 *
 * 1. A child process importing a prepared regtest chain: it resumes where it stopped.
 * 2. A real `ourcoin node` on devnet that mines, imports a second mining node's blocks over
 *    p2p and takes transfers over HTTP, killed many times (more under `npm run test:long`).
 *    Half the kills come soon after a restart, while it catches up on the peer's blocks; the
 *    others once it has reconnected and converged with the peer on one tip. After the last
 *    restart it rejoins and mines, and blocks it mined after restarts are in the peer's chain.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blockHash, encodeBlock } from '../../src/protocol/block.js';
import type { Block } from '../../src/protocol/block.js';
import { toHex } from '../../src/protocol/bytes.js';
import { genesisBlock } from '../../src/protocol/genesis.js';
import { devnet, regtest } from '../../src/protocol/networks.js';
import { encodeAddress } from '../../src/protocol/address.js';
import { transferToJson } from '../../src/protocol/transaction.js';
import type { AddressInfo, BatchItemResult } from '../../src/api/json.js';
import { buildBlock, testKey, transfer } from '../helpers/builder.js';
import type { TestKey } from '../helpers/builder.js';
import { scaled } from '../helpers/long.js';
import { multiaddr, PROCESS_TEST_TIMEOUT_MS, sameTip, startNode, status, waitFor } from '../helpers/nodeProcess.js';
import type { NodeProcess } from '../helpers/nodeProcess.js';
import { prng, randomTransfers } from '../helpers/replay.js';
import type { Ledger } from '../helpers/replay.js';
import { checkStore } from '../helpers/storeCheck.js';

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

function runImporter(
  dbPath: string,
  blocksPath: string,
  killAfterMs?: number,
): Promise<{ out: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/importBlocks.ts', dbPath, blocksPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // Start the kill clock once the chain is open, so kills land during imports.
      if (killAfterMs !== undefined && out.startsWith('start') && !timer)
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
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

/** The store's own checks (storeCheck.ts), and its main chain is a prefix of `chain`. */
function checkAgainst(dbPath: string, chain: readonly Block[]): number {
  const stored = checkStore(dbPath);
  expect(stored.blocks.map((b) => toHex(blockHash(b.header)))).toEqual(
    chain.slice(0, stored.tipHeight + 1).map((b) => toHex(blockHash(b.header))),
  );
  return stored.tipHeight;
}

describe('crash safety', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
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
      const height = checkAgainst(dbPath, chain);
      expect(height).toBeGreaterThanOrEqual(lastHeight);
      lastHeight = height;
      if (killed) kills++;
      else break;
    }
    expect(kills).toBeGreaterThan(0);
    const { out } = await runImporter(dbPath, blocksPath);
    expect(out).toContain('done 120');
    expect(checkAgainst(dbPath, chain)).toBe(120);
  });
});

describe('crash safety of a running node', () => {
  const nodes: NodeProcess[] = [];
  afterAll(() => Promise.all(nodes.map((n) => n.kill())));
  const dev = (k: TestKey): string => encodeAddress(k.address, devnet);
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  /**
   * Posts small transfers from `from` (funded by its mined blocks) to `victim` until stopped;
   * the kill cuts requests off mid-flight, so failures are expected and only counted.
   */
  function sendTransfers(
    victim: NodeProcess,
    from: TestKey,
    rand: () => number,
  ): { accepted: () => number; stop: () => Promise<number> } {
    let running = true;
    let accepted = 0;
    const loop = (async () => {
      while (running) {
        try {
          const info = (await victim.get<AddressInfo>(`/api/v1/addresses/${dev(from)}`)).body;
          if (BigInt(info.pendingBalance) > 1_000_000n) {
            const batch = Array.from({ length: 3 }, (_, i) => {
              const s = transfer(
                from,
                testKey(720 + Math.floor(rand() * 8)).address,
                BigInt(1 + Math.floor(rand() * 10_000)),
                info.nextNonce + i,
                1000n,
                devnet,
              );
              return transferToJson(s.tx, devnet, s.signature);
            });
            const r = await victim.post<BatchItemResult[]>('/api/v1/transactions', batch);
            if (r.status === 202) accepted += r.body.filter((x) => x.accepted).length;
          }
        } catch {
          // The node was killed under the request.
        }
        await sleep(150);
      }
    })();
    return {
      accepted: () => accepted,
      stop: async () => {
        running = false;
        await loop;
        return accepted;
      },
    };
  }

  it(
    'survives SIGKILLs while mining, importing and taking transfers, and rejoins the network each time',
    { timeout: scaled(PROCESS_TEST_TIMEOUT_MS, 4 * PROCESS_TEST_TIMEOUT_MS) },
    async () => {
      const kills = scaled(5, 25);
      const rand = prng(23);
      const peerKey = testKey(700);
      const victimKey = testKey(701);
      const mining = ['--network', 'devnet', '--mine', '--threads', '1'];
      const peer = await startNode([...mining, '--datadir', join(dir, 'peer'), '--miner-address', dev(peerKey)]);
      nodes.push(peer);
      const victimDir = join(dir, 'victim');
      const victimArgs = [
        ...mining,
        '--datadir',
        victimDir,
        '--miner-address',
        dev(victimKey),
        '--peer',
        await multiaddr(peer),
      ];
      const start = async (): Promise<NodeProcess> => {
        const n = await startNode(victimArgs);
        nodes.push(n);
        return n;
      };
      const rejoined = async (victim: NodeProcess): Promise<void> => {
        await waitFor(
          'the victim to reconnect',
          async () => (await status(victim)).peers >= 1 && (await status(peer)).peers >= 1,
        );
        await waitFor('victim and peer on one tip', () => sameTip([victim, peer]));
      };

      // The victim's mined coins in the peer's main chain, after the first kill: a restarted
      // victim must add to them.
      const paid = async (): Promise<bigint> =>
        BigInt((await peer.get<AddressInfo>(`/api/v1/addresses/${dev(victimKey)}`)).body.balance);
      let paidAtFirstKill: bigint | undefined;

      let victim = await start();
      let lastWork = 0n;
      let accepted = 0;
      for (let round = 0; round < kills; round++) {
        // Half the kills land soon after a restart (catching up on the peer's blocks while the
        // victim was down), half after it has rejoined, while it mines, imports and takes transfers.
        // The last kill always lands late, so that at least one kill cuts off a victim that has
        // accepted transfers, however slow a loaded machine makes the restarts.
        const early = round < kills - 1 && rand() < 0.5;
        if (!early) await rejoined(victim);
        const sender = sendTransfers(victim, peerKey, rand);
        if (!early && accepted === 0)
          await waitFor('a transfer accepted before the kill', () => Promise.resolve(sender.accepted() > 0));
        await sleep(Math.floor(rand() * (early ? 1500 : 3000)));
        await victim.kill();
        accepted += await sender.stop();
        paidAtFirstKill ??= await paid();

        const stored = checkStore(join(victimDir, 'chain.sqlite'));
        // Every committed block stays committed: the tip's work never goes down.
        expect(stored.tipWork).toBeGreaterThanOrEqual(lastWork);
        lastWork = stored.tipWork;
        victim = await start();
      }

      // The last restart rejoins and mines; blocks mined after restarts reached the peer's chain.
      await rejoined(victim);
      await waitFor('the victim to mine again', async () => {
        const s = await status(victim);
        return s.mining && s.hashRate > 0;
      });
      await waitFor(
        'a block mined by a restarted victim in the peer chain',
        async () => (await paid()) > paidAtFirstKill!,
      );

      // Transfers accepted before a kill were kept (mempool rows) or relayed, and get mined:
      // wait for the first to be confirmed rather than for the luck of the last few seconds.
      expect(accepted).toBeGreaterThan(0);
      await waitFor(
        "a transfer accepted over HTTP in the victim's main chain",
        async () => (await victim.get<AddressInfo>(`/api/v1/addresses/${dev(peerKey)}`)).body.nonce > 0,
      );

      // Clean shutdowns leave checkable stores too, and transfers made it into the chain.
      expect(await victim.stop()).toBe(0);
      expect(await peer.stop()).toBe(0);
      const final = checkStore(join(victimDir, 'chain.sqlite'));
      expect(final.tipWork).toBeGreaterThanOrEqual(lastWork);
      checkStore(join(dir, 'peer', 'chain.sqlite'));
      expect(accepted).toBeGreaterThan(0);
      expect(final.transfers).toBeGreaterThan(0);
      console.log(
        `crash (node): ${kills} kills, final height ${final.tipHeight}, ${final.transfers} transfers in the chain, ${accepted} accepted over HTTP`,
      );
    },
  );
});
