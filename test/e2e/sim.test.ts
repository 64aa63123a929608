/**
 * The network simulator in small (issue 19): 10 real node processes (dist/) linked only
 * through the simulator's delaying relays, a few blocks mined at several of them and
 * transfers posted, through the same modules `npm run sim` runs. Every node must end on the
 * same tip, also after two miners tie at one height; every followed transfer must reach every
 * node (as its event stream tells); and no node may reach another but through its relay. The
 * figures themselves are measured by `npm run sim`, not asserted here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulation } from '../../bench/network/sim.js';
import type { Simulation } from '../../bench/network/sim.js';
import { closeSigners } from '../../bench/lib/sign.js';
import { PROCESS_TEST_TIMEOUT_MS, WAIT_LIMIT_MS } from '../helpers/nodeProcess.js';

const NODES = 10;

describe('a 10-node network on delayed links', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let sim: Simulation | undefined;

  beforeAll(async () => {
    sim = await startSimulation({
      nodes: NODES,
      degree: 3,
      delay: { minMs: 20, maxMs: 60 },
      uploadBytesPerSecond: 2_500_000,
      miners: 3,
      relay: 'compact',
      seed: 7,
      clients: 1,
      keysPerClient: 2,
      log: () => undefined,
    });
  }, PROCESS_TEST_TIMEOUT_MS);

  afterAll(async () => {
    await sim?.stop();
    await closeSigners();
  });

  it('ends with every node on the same tip, each talking only through its relays', async () => {
    const { cluster, load } = sim!;
    const before = (await cluster.status(0)).height;
    // Every other transfer is followed (probeEveryS x tps = 2).
    const { mined, posted, probes } = await load.run({ tps: 2, blockIntervalS: 1, durationS: 4, probeEveryS: 1 });
    expect(mined.length).toBeGreaterThan(0);
    expect(posted).toBeGreaterThan(0);
    // Followed through the nodes' event streams: each reached every node's pool or chain.
    expect(probes.length).toBeGreaterThan(0);
    for (const p of probes) expect(p.arrivalMs.filter((a) => a === null)).toEqual([]);
    // Two miners at once: each mines on its own tip before the other's block can arrive, so
    // the nodes split on equal work, and first-seen keeps them split until one more block.
    const tied = await Promise.all([0, 1].map((m) => load.mineAt(m)));
    expect(tied.map((r) => r.status)).toEqual([200, 200]);
    const tip = await load.settle(WAIT_LIMIT_MS);
    // Forks may have orphaned some blocks, never all of them.
    expect(tip.height).toBeGreaterThan(before);
    expect(await cluster.bypasses()).toEqual([]);
  });
});
