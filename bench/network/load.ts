/**
 * What the simulated network does: blocks mined on demand (POST /api/v1/mine) at a chosen
 * few nodes as a Poisson process, so the block interval is the simulator's to choose and
 * forks come about naturally when two miners are quicker than propagation; and transfers
 * from several client loops, each with its own funded keys, posted to random nodes at a
 * Poisson rate, a sample of them (those paid to the probe address) followed to every node
 * through the nodes' event streams.
 */
import { performance } from 'node:perf_hooks';
import { encodeAddress } from '../../src/protocol/address.js';
import { regtest } from '../../src/protocol/networks.js';
import { toHex } from '../../src/protocol/bytes.js';
import type { MineResult } from '../../src/api/json.js';
import { makeKeys, makeTransfer, recipientOf, signTransfers, transferJson } from '../lib/chainData.js';
import type { BenchTransfer, TestKey } from '../lib/chainData.js';
import { commonTipOf } from './cluster.js';
import type { Cluster } from './cluster.js';

/** A block the simulator had mined. */
export interface MinedBlock {
  readonly hash: string;
  readonly miner: number;
  /** performance.now() when the mine request was sent. */
  readonly at: number;
}

/** When a followed transfer reached each node's mempool (ms after it was posted; null: never seen). */
export interface TransferProbe {
  readonly txid: string;
  readonly postedTo: number;
  readonly arrivalMs: (number | null)[];
}

export interface LoadPlan {
  /** Transfers a second, over all clients. */
  readonly tps: number;
  /** Mean seconds between blocks. */
  readonly blockIntervalS: number;
  readonly durationS: number;
  /** Seconds between followed transfers. */
  readonly probeEveryS: number;
}

/** Keys base: apart from the keys other benchmarks derive. */
const KEY_BASE = 19_000_000;
/** Fee of every transfer: the minimum, so no transfer displaces another. */
const FEE = 1000n;
/** A followed transfer is given up PROBE_LIMIT_MS after it was posted; its sightings are checked this often. */
const PROBE_LIMIT_MS = 20_000;
const PROBE_CHECK_MS = 100;
/** The key index whose address every followed transfer pays: the nodes stream only its events. */
const PROBE_RECIPIENT = 0xffff_fff0;
/** Tips unchanged this long, yet not one: the nodes are split on equal work, and a block must break the tie. */
const SPLIT_QUIET_MS = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Exponentially distributed wait (a Poisson process's gaps) with mean `meanMs`. */
const expWait = (meanMs: number, random: () => number): number => -Math.log(1 - random()) * meanMs;

export class Workload {
  readonly keys: TestKey[];
  readonly minerAddresses: string[];
  /** Followed transfers pay this address; the cluster streams its transfer events from every node. */
  readonly probeAddress = encodeAddress(recipientOf(PROBE_RECIPIENT), regtest);
  private readonly nonces: number[];
  private recipient = 0;

  constructor(
    private readonly cluster: Cluster,
    /** Indices of the nodes that mine. */
    readonly miners: readonly number[],
    private readonly clients: number,
    keysPerClient: number,
    private readonly random: () => number,
  ) {
    this.keys = makeKeys(KEY_BASE, clients * keysPerClient);
    this.nonces = this.keys.map(() => 0);
    this.minerAddresses = miners.map((_, i) => encodeAddress(recipientOf(KEY_BASE + i), regtest));
  }

  /** Mines one block to each key at node 0 (before it is connected: its peers sync them). */
  async fund(): Promise<void> {
    for (const key of this.keys) {
      const res = await this.cluster.call(0, 'POST', '/api/v1/mine', {
        blocks: 1,
        address: encodeAddress(key.address, regtest),
      });
      if (res.status !== 200) throw new Error(`funding failed: ${JSON.stringify(res.body)}`);
    }
  }

  /** Has miner `m` (an index into `miners`) mine one block to its address. */
  mineAt(m: number): Promise<{ status: number; body: MineResult }> {
    return this.cluster.call<MineResult>(this.miners[m]!, 'POST', '/api/v1/mine', {
      blocks: 1,
      address: this.minerAddresses[m],
    });
  }

  /**
   * Signs the next `perClient` transfers of each client's keys, round robin (signing is off the
   * clock). One in `probeEvery` of them, spread over the clients, pays the probe address.
   */
  private async prepare(perClient: number, probeEvery: number): Promise<BenchTransfer[][]> {
    const keysPerClient = this.keys.length / this.clients;
    const probe = recipientOf(PROBE_RECIPIENT);
    const txs = [];
    for (let c = 0; c < this.clients; c++) {
      for (let j = 0; j < perClient; j++) {
        const k = c * keysPerClient + (j % keysPerClient);
        const to = (j * this.clients + c) % probeEvery === 0 ? probe : recipientOf(this.recipient++);
        txs.push(makeTransfer(this.keys[k]!, to, 1n, FEE, this.nonces[k]!++));
      }
    }
    const { transfers } = await signTransfers(txs, this.keys);
    return Array.from({ length: this.clients }, (_, c) => transfers.slice(c * perClient, (c + 1) * perClient));
  }

  private isProbe(t: BenchTransfer): boolean {
    return encodeAddress(t.tx.recipient, regtest) === this.probeAddress;
  }

  /**
   * Runs the plan: mining and transfer clients for `durationS`, then waits for the probes
   * still open. Transfers a client did not get to post are dropped and their nonces reused.
   */
  async run(
    plan: LoadPlan,
  ): Promise<{ mined: MinedBlock[]; posted: number; refused: number; probes: TransferProbe[] }> {
    // A few more transfers than the mean asks for: a Poisson count may overshoot it.
    const perClient = Math.ceil(((plan.tps * plan.durationS) / this.clients) * 1.3) + 5;
    const batches = await this.prepare(perClient, Math.max(1, Math.round(plan.probeEveryS * plan.tps)));
    this.cluster.transferSightings.clear();
    const start = performance.now();
    const end = start + plan.durationS * 1000;
    const mined: MinedBlock[] = [];
    const probes: Promise<TransferProbe>[] = [];
    let posted = 0;
    let refused = 0;

    // Arrival times are drawn ahead (a Poisson process on the clock), so slow requests do not lower the rate.
    const mining = async (): Promise<void> => {
      for (let next = start; ;) {
        next += expWait(plan.blockIntervalS * 1000, this.random);
        // Not past the end: a long interval's next block may be due minutes after it.
        await sleep(Math.min(next, end) - performance.now());
        if (next >= end) return;
        const m = Math.floor(this.random() * this.miners.length);
        const miner = this.miners[m]!;
        const at = performance.now();
        const res = await this.mineAt(m);
        if (res.status === 200) mined.push({ hash: res.body.hashes[0]!, miner, at });
      }
    };
    const client = async (c: number): Promise<void> => {
      const batch = batches[c]!;
      let i = 0;
      for (let next = start; i < batch.length; i++) {
        next += expWait((1000 * this.clients) / plan.tps, this.random);
        await sleep(Math.min(next, end) - performance.now());
        if (next >= end) break;
        const t = batch[i]!;
        const node = Math.floor(this.random() * this.cluster.nodes.length);
        const at = performance.now();
        // Posted once: a retry after a lost answer could count a transfer twice.
        const status = await this.cluster
          .call(node, 'POST', '/api/v1/transactions', transferJson(t), 1)
          .then((r) => r.status)
          .catch(() => 0);
        if (status === 202) posted++;
        else refused++;
        if (status === 202 && this.isProbe(t)) probes.push(this.follow(toHex(t.txid), node, at));
      }
      this.giveBack(batch.slice(i));
    };
    await Promise.all([mining(), ...Array.from({ length: this.clients }, (_, c) => client(c))]);
    return { mined, posted, refused, probes: await Promise.all(probes) };
  }

  /**
   * Mines at the first miner until its mempool is empty (at most `maxBlocks` blocks), so that a
   * point's backlog does not swell the next point's first blocks. Not measured.
   */
  async drain(maxBlocks = 20): Promise<void> {
    const miner = this.miners[0]!;
    for (let i = 0; i < maxBlocks && (await this.cluster.status(miner)).mempool > 0; i++) await this.mineAt(0);
  }

  /**
   * Waits until every node is on one tip, and returns it. Two miners that find blocks at one
   * height within a propagation time leave the nodes split on equal work, and the first-seen
   * rule keeps them so until a block extends one side, as in Bitcoin. So when the nodes' tips
   * have not changed for SPLIT_QUIET_MS and still differ, the miner with the most work mines
   * one more block. Waits on progress: fails only when `timeoutMs` passes, naming each node's
   * tip and peers.
   */
  async settle(timeoutMs: number): Promise<{ hash: string; height: number; tieBreaks: number }> {
    const deadline = performance.now() + timeoutMs;
    let tieBreaks = 0;
    let seen = '';
    let quietSince = performance.now();
    for (;;) {
      const tips = await this.cluster.statuses();
      const common = commonTipOf(tips);
      if (common) return { ...common, tieBreaks };
      const now = performance.now();
      if (now > deadline) {
        const each = tips.map((t, i) => `node ${i}: ${t.height} ${t.tipHash.slice(0, 12)}, ${t.peers} peers`);
        throw new Error(
          `no common tip after ${timeoutMs / 1000} s (${tieBreaks} tie-breaking blocks mined): ${each.join('; ')}`,
        );
      }
      const key = tips.map((t) => t.tipHash).join();
      if (key !== seen) [seen, quietSince] = [key, now];
      else if (now - quietSince >= SPLIT_QUIET_MS) {
        const work = (m: number): bigint => BigInt(tips[this.miners[m]!]!.cumulativeWork);
        const m = this.miners.reduce((best, _, i) => (work(i) > work(best) ? i : best), 0);
        await this.mineAt(m);
        tieBreaks++;
        quietSince = performance.now();
      }
      await sleep(200);
    }
  }

  /** Unposted transfers: their keys' nonces go back to the first unposted one. */
  private giveBack(unposted: readonly BenchTransfer[]): void {
    const firstByKey = new Map<string, number>();
    for (const t of unposted) {
      const pk = toHex(t.tx.senderPublicKey);
      if (!firstByKey.has(pk)) firstByKey.set(pk, t.tx.nonce);
    }
    this.keys.forEach((k, i) => {
      const first = firstByKey.get(toHex(k.publicKey));
      if (first !== undefined) this.nonces[i] = first;
    });
  }

  /**
   * Waits until every node has had `txid` (the cluster's event streams record when), or
   * PROBE_LIMIT_MS after `postedAt`. Reads only the simulator's own record: no node is asked.
   */
  private async follow(txid: string, postedTo: number, postedAt: number): Promise<TransferProbe> {
    const n = this.cluster.nodes.length;
    const seen = (): Map<number, number> | undefined => this.cluster.transferSightings.get(txid);
    while (performance.now() - postedAt < PROBE_LIMIT_MS && (seen()?.size ?? 0) < n) await sleep(PROBE_CHECK_MS);
    const sightings = seen();
    const arrivalMs = this.cluster.nodes.map((_, i) => {
      const at = sightings?.get(i);
      return at === undefined ? null : Math.max(0, at - postedAt);
    });
    return { txid, postedTo, arrivalMs };
  }
}
