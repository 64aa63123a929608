/**
 * GET /metrics of a real regtest node (API and libp2p on loopback, one verification worker):
 * after mining, an admitted and a refused transfer, and a block from outside, the scrape
 * shows each in its metric; who may scrape; and the Grafana dashboard in docs/grafana only
 * queries metrics the scrape has, and queries every ourcoin_* metric.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiServer } from '../../../src/api/server.js';
import { encodeAddress } from '../../../src/protocol/address.js';
import { encodeBlock } from '../../../src/protocol/block.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { regtest } from '../../../src/protocol/networks.js';
import { transferToJson } from '../../../src/protocol/transaction.js';
import type { SignedTransfer } from '../../../src/protocol/transaction.js';
import { openApiNode, silentLogger } from '../../helpers/apiNode.js';
import type { ApiNode } from '../../helpers/apiNode.js';
import { buildBlock, testKey, transfer } from '../../helpers/builder.js';

const alice = testKey(0);
const bob = testKey(1);
const nobody = testKey(2);

let api: ApiNode;
let url: string;
/** The scrape after the activity below, and the one with a transfer pending. */
let scrape: string;
let pendingScrape: string;

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${url}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const submit = (stx: SignedTransfer) =>
  post('/transactions', { ...transferToJson(stx.tx, regtest), signature: toHex(stx.signature) });

/** The value of one sample (`name{labels}` exactly as exposed), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Metric families declared in a scrape (`# TYPE name kind`). */
function families(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

beforeAll(async () => {
  api = await openApiNode('metrics', {
    verifier: undefined,
    verifyThreads: 1,
    api: { host: '127.0.0.1', port: 0 },
    p2p: { host: '127.0.0.1', port: 0, bootstrap: [], mdns: false },
  });
  await api.node.start();
  url = api.node.apiUrl!;
  expect((await post('/mine', { blocks: 2, address: encodeAddress(alice.address, regtest) })).status).toBe(200);
  expect((await submit(transfer(alice, bob.address, 100_000_000n, 0))).status).toBe(202);
  expect((await submit(transfer(nobody, bob.address, 100_000_000n, 0))).status).toBe(409);
  pendingScrape = await (await fetch(`${url}/metrics`)).text();
  await post('/mine', { blocks: 1, address: encodeAddress(alice.address, regtest) });
  // A block from outside whose transfer this node never saw: its aggregate needs a pairing.
  const tip = api.node.chain.getBlock(api.node.chain.tip.hash)!;
  const block = buildBlock(tip, { txs: [transfer(alice, bob.address, 1000n, 1)] });
  const posted = await post('/blocks', { block: toHex(encodeBlock(block)) });
  expect(await posted.json()).toMatchObject({ status: 'connected', height: 4 });
  const r = await fetch(`${url}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  scrape = await r.text();
});

afterAll(() => api?.close());

describe('GET /metrics', () => {
  it('shows the chain, block imports by path, the mempool and its verdicts', () => {
    expect(sample(scrape, 'ourcoin_chain_height')).toBe(4);
    expect(sample(scrape, 'ourcoin_chain_cumulative_work_hashes')).toBe(Number(api.node.chain.tip.cumulativeWork));
    // Mined blocks (no transfer, or its signature known) and the one from outside.
    expect(sample(scrape, 'ourcoin_block_import_seconds_count{path="fast"}')).toBe(3);
    expect(sample(scrape, 'ourcoin_block_import_seconds_count{path="full"}')).toBe(1);
    expect(sample(pendingScrape, 'ourcoin_mempool_transactions')).toBe(1);
    expect(sample(pendingScrape, 'ourcoin_mempool_bytes')).toBeGreaterThan(0);
    expect(sample(scrape, 'ourcoin_mempool_transactions')).toBe(0);
    expect(sample(scrape, 'ourcoin_mempool_admitted_total')).toBe(1);
    expect(sample(scrape, 'ourcoin_mempool_refused_total{code="MEMPOOL_INSUFFICIENT_BALANCE"}')).toBe(1);
  });

  it('shows the verification service, mining, peers, and the process and libp2p defaults', () => {
    // The admitted transfer's set, the refused one's, and the block's aggregate.
    expect(sample(scrape, 'ourcoin_bls_sets_verified_total')).toBe(3);
    expect(sample(scrape, 'ourcoin_bls_transfer_jobs_total{sets="1"}')).toBe(2);
    expect(sample(scrape, 'ourcoin_bls_queued_sets{priority="transfer"}')).toBe(0);
    expect(sample(scrape, 'ourcoin_miner_mining')).toBe(0);
    expect(sample(scrape, 'ourcoin_peers{direction="inbound"}')).toBe(0);
    expect(sample(scrape, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(families(scrape).get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');
    expect(families(scrape).get('libp2p_connection_manager_connections')).toBe('gauge');
  });

  it('answers loopback clients only, unless public; 404 when metrics are off', async () => {
    const ports = api.node.ports;
    const remote = { url: '/metrics', remoteAddress: '192.0.2.1' };
    const refused = await api.app.inject(remote);
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('METRICS_LOCAL_ONLY');
    const open = await buildApiServer(
      { ...ports, metrics: { ...ports.metrics!, public: true } },
      { logger: silentLogger },
    );
    const off = await buildApiServer({ ...ports, metrics: undefined }, { logger: silentLogger });
    try {
      expect((await open.inject(remote)).statusCode).toBe(200);
      const none = await off.inject('/metrics');
      expect(none.statusCode).toBe(404);
      expect(none.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
    } finally {
      await open.close();
      await off.close();
    }
  });
});

describe('docs/grafana/ourcoin.json', () => {
  interface Panel {
    type: string;
    title: string;
    datasource?: { uid: string };
    targets?: { expr: string }[];
  }
  const dashboard = JSON.parse(
    readFileSync(new URL('../../../docs/grafana/ourcoin.json', import.meta.url), 'utf8'),
  ) as {
    templating: { list: { name: string; type: string; query: unknown }[] };
    panels: Panel[];
  };
  const queried = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
  const names = new Set(
    queried.flatMap((e) => [...e.matchAll(/\b(?:ourcoin|process|nodejs|libp2p)_[a-z0-9_]+/g)].map((m) => m[0])),
  );

  it('queries only metrics a node serves', () => {
    const served = families(scrape);
    // A histogram's series are name_bucket, name_sum and name_count.
    const family = (n: string): string => n.replace(/_(bucket|sum|count)$/, '');
    const unknown = [...names].filter((n) => !served.has(n) && served.get(family(n)) !== 'histogram');
    expect(names.size).toBeGreaterThan(15);
    expect(unknown).toEqual([]);
  });

  it('has a panel for every ourcoin_* metric', () => {
    const ours = [...families(scrape).keys()].filter((n) => n.startsWith('ourcoin_'));
    const shown = (n: string): boolean => [...names].some((q) => q === n || q.startsWith(`${n}_`));
    expect(ours.filter((n) => !shown(n))).toEqual([]);
  });

  it('reads a Prometheus data source chosen by a variable', () => {
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    const charts = dashboard.panels.filter((p) => p.type !== 'row');
    expect(charts.filter((p) => p.datasource?.uid !== '${datasource}').map((p) => p.title)).toEqual([]);
  });
});
