/**
 * "Verify the chain" in a real browser (Chromium via playwright-core) against a real regtest
 * node process: the light client verifies the node's header chain in its Web Worker, follows
 * a new tip from the event stream, resumes from IndexedDB after a reload, and proves a
 * transfer's inclusion. Injected with `page.route`, each is shown as invalid with its rule and
 * height: a header with bad proof of work, a broken link, a wrong retarget (synthetic headers
 * on the regtest genesis), a tampered Merkle proof. A second "node" served by `page.route`
 * from synthetic headers with more work wins, and the page says the two disagree.
 * Screenshots of the page at 1280 and 390 px go to test-artifacts/explorer/.
 */
import { join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { encodeAddress } from '../../src/protocol/address.js';
import { HEADER_LENGTH } from '../../src/protocol/block.js';
import type { BlockJson } from '../../src/protocol/block.js';
import { regtest } from '../../src/protocol/networks.js';
import { transferToJson } from '../../src/protocol/transaction.js';
import { explorerSuite, findChromium, launchChromium, shot } from '../helpers/browser.js';
import { testKey, transfer } from '../helpers/builder.js';
import { buildHeaders, encodeHeaders, solveHeader } from '../helpers/headers.js';

const CHROMIUM = findChromium();
const SECOND = 'http://second.invalid';

const pageErrors: string[] = [];
const alice = testKey(900);

/** Serves `GET /api/v1/headers?from&count` from `bytes` (synthetic headers from height 1; genesis is the real one). */
function serveHeaders(bytes: Uint8Array, extra: Record<string, string> = {}) {
  return async (route: Route): Promise<void> => {
    const url = new URL(route.request().url());
    const from = Number(url.searchParams.get('from'));
    const count = Number(url.searchParams.get('count') ?? 2000);
    // Height 0 is the real genesis: it is not in `bytes`; the client compares, never trusts it.
    const start = Math.max(0, from - 1) * HEADER_LENGTH;
    const body = from === 0 ? Buffer.alloc(0) : Buffer.from(bytes.subarray(start, start + count * HEADER_LENGTH));
    await route.fulfill({ status: 200, contentType: 'application/octet-stream', body, headers: extra });
  };
}

/** Waits until the page's verdict is in `state` with a text matching `text`. */
async function waitStatus(page: Page, state: string, text: RegExp): Promise<void> {
  const status = page.locator('#lc-status');
  await expect
    .poll(async () => `${await status.getAttribute('data-state')} ${await status.textContent()}`, { timeout: 15_000 })
    .toMatch(new RegExp(`^${state} .*${text.source}`));
}

describe.skipIf(CHROMIUM === undefined)('light client in chromium (regtest node process)', () => {
  const suite = explorerSuite('light-browser');

  it(
    'verifies the chain, follows it, proves inclusion, and names each injected fault',
    { timeout: 120_000 },
    async () => {
      const n = suite.node!;
      const tmp = suite.tmp;
      const mine = async (blocks: number): Promise<void> => {
        expect((await n.post('/api/v1/mine', { blocks, address: encodeAddress(alice.address, regtest) })).status).toBe(
          200,
        );
      };
      await mine(4);
      const sent = transfer(alice, testKey(901).address, 1_000_000n, 0);
      expect((await n.post('/api/v1/transactions', transferToJson(sent.tx, regtest, sent.signature))).status).toBe(202);
      await mine(1);
      const block5 = (await n.get<BlockJson>('/api/v1/blocks/5')).body;
      const txid = block5.transactions[0]!.txid;

      const context = (suite.context = await launchChromium(CHROMIUM!, join(tmp, 'chromium-profile')));
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
      const started = Date.now();

      // ---- the real chain, then a new tip from the event stream ----
      await page.goto(`${n.url}/#/verify`);
      await waitStatus(page, 'valid', /verified up to height 5$/);
      await expect.poll(() => page.locator('#lc-sources li').first().getAttribute('data-state')).toBe('agrees');
      await mine(1);
      await waitStatus(page, 'valid', /verified up to height 6$/);

      // ---- a reload resumes from IndexedDB: only the new header is downloaded ----
      const asked: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/api/v1/headers?')) asked.push(new URL(r.url()).search);
      });
      await mine(1);
      await page.reload();
      await waitStatus(page, 'valid', /verified up to height 7$/);
      expect(asked.length).toBeGreaterThan(0);
      expect(asked.filter((q) => q.startsWith('?from=1&'))).toEqual([]); // nothing from genesis again

      // ---- inclusion, from the transaction page's link ----
      await page.goto(`${n.url}/#/tx/${txid}`);
      await page.locator('#verify-inclusion').click();
      await page.locator('#lc-proof[data-ok]').waitFor({ timeout: 15_000 });
      expect(await page.locator('#lc-proof').getAttribute('data-ok')).toBe('true');
      expect(await page.locator('#lc-proof .verdict').textContent()).toMatch(
        /^✔ included at height 5, buried under 3 blocks of verified work \(\d+ hashes\)$/,
      );
      await shot(page, 'verify-chain');
      await page.setViewportSize({ width: 390, height: 844 });
      await shot(page, 'verify-chain-phone');
      await page.setViewportSize({ width: 1280, height: 900 });

      // ---- a tampered Merkle proof ----
      await page.route('**/api/v1/transactions/*/proof', async (route) => {
        const response = await route.fetch();
        const json = (await response.json()) as { proof: string };
        const last = json.proof.at(-1) === '0' ? '1' : '0';
        await route.fulfill({ response, json: { ...json, proof: json.proof.slice(0, -1) + last } });
      });
      await page.locator('#lc-prove button').click();
      await expect.poll(() => page.locator('#lc-proof').getAttribute('data-code')).toBe('MERKLE_PROOF_MISMATCH');
      expect(await page.locator('#lc-proof .verdict').textContent()).toContain(
        'does not lead from the txid to the txRoot',
      );
      await page.unroute('**/api/v1/transactions/*/proof');

      // ---- synthetic headers served in place of the node's: each fault named with its height ----
      const good = buildHeaders(regtest, 8);
      const badPow = [...good];
      for (let nonce = 0n; ; nonce++) {
        const candidate = { ...good[2]!, nonce };
        if (solveHeader(candidate).nonce !== nonce) {
          badPow[2] = candidate; // its hash misses the target
          break;
        }
      }
      const brokenLink = [...good];
      brokenLink[4] = solveHeader({ ...good[4]!, prevHash: new Uint8Array(32).fill(9) });
      const wrongRetarget = buildHeaders(regtest, 8, { tweak: (h, i) => (i === 5 ? { ...h, bits: 0x2000ffff } : h) });
      for (const [headers, code, height] of [
        [badPow, 'BLOCK_BAD_POW', 3],
        [brokenLink, 'HEADERS_BAD_LINK', 5],
        [wrongRetarget, 'BLOCK_BAD_TARGET', 6],
      ] as const) {
        await page.route('**/api/v1/headers?*', serveHeaders(encodeHeaders(headers)));
        await page.locator('#lc-reset').click();
        await waitStatus(page, 'invalid', new RegExp(`breaks ${code} at height ${height}:`));
        await page.unroute('**/api/v1/headers?*');
      }
      await shot(page, 'verify-chain-invalid');

      // ---- back to the real chain; then a second node with more work wins ----
      await page.locator('#lc-reset').click();
      await waitStatus(page, 'valid', /verified up to height 7$/);
      const heavier = encodeHeaders(buildHeaders(regtest, 12, { branch: 2 }));
      const cors = { 'access-control-allow-origin': '*' };
      await page.route(`${SECOND}/api/v1/status`, (route) => route.fulfill({ json: { height: 12 }, headers: cors }));
      await page.route(`${SECOND}/api/v1/headers?*`, serveHeaders(heavier, cors));
      await page.route(`${SECOND}/api/v1/events`, (route) =>
        route.fulfill({ status: 200, contentType: 'text/event-stream', body: '', headers: cors }),
      );
      await page.locator('#lc-second-url').fill(SECOND);
      await page.locator('#lc-second button').click();
      await waitStatus(page, 'valid', /verified up to height 12$/);
      await expect
        .poll(() => page.locator(`#lc-sources li[data-url="${SECOND}"]`).getAttribute('data-state'))
        .toBe('agrees');
      await expect
        .poll(() => page.locator(`#lc-sources li[data-url="${n.url}"]`).getAttribute('data-state'))
        .toBe('lighter');
      expect(await page.locator('#lc-disagree').isVisible()).toBe(true);
      expect(await page.locator('#lc-reorg').textContent()).toMatch(/left height 7 .* forking after height 0/);
      await shot(page, 'verify-chain-two-nodes');

      expect(pageErrors).toEqual([]);
      console.log(`light client browser checks took ${Date.now() - started} ms`);
    },
  );
});
