/**
 * `ourcoin node` serves /metrics end to end: a real regtest process with the default flags
 * answers a loopback scrape that follows its chain (--no-metrics and --metrics-public are
 * checked on the API in test/unit/node/metrics.test.ts: one process here keeps this cheap).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeAddress } from '../../src/protocol/address.js';
import { regtest } from '../../src/protocol/networks.js';
import { testKey } from '../helpers/builder.js';
import { PROCESS_TEST_TIMEOUT_MS, startNode } from '../helpers/nodeProcess.js';
import type { NodeProcess } from '../helpers/nodeProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'ourcoin-e2e-metrics-'));
const nodes: NodeProcess[] = [];
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe('ourcoin node: GET /metrics (real process)', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('serves Prometheus metrics by default, to loopback clients', async () => {
    const on = await startNode(['--network', 'regtest', '--datadir', join(dir, 'on'), '--verify-threads', '1']);
    nodes.push(on);
    await on.post('/api/v1/mine', { blocks: 2, address: encodeAddress(testKey(0).address, regtest) });
    const scrape = await fetch(`${on.url}/metrics`);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(text).toMatch(/^ourcoin_chain_height 2$/m);
    expect(text).toMatch(/^ourcoin_block_import_seconds_count\{path="fast"\} 2$/m);
    expect(text).toMatch(/^# TYPE libp2p_connection_manager_connections gauge$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });
});
