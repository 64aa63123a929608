/**
 * The explorer in a real browser: Debian's chromium driven by playwright-core, against a real
 * regtest node process on loopback. Checks live blocks on the home page (Server-Sent Events),
 * search for each kind of object (full ids, prefixes, the shortened forms it shows, a list for
 * an ambiguous prefix), "Verify in browser" (valid for a real block, invalid for one whose block
 * JSON is tampered with in flight), a transfer page counting confirmations up without a reload,
 * the live mempool page, the address page's QR code (decoded with jsQR from the canvas), and
 * the block-interval chart's scale leaving out the genesis gap. Saves a screenshot of every
 * page at 1280 and 390 px to test-artifacts/explorer/ (docs/images/explorer-block.png is a
 * copy of block-verified.png, docs/images/explorer-address.png of address.png, made by hand).
 *
 * Finds Chromium with test/helpers/browser.ts (CHROMIUM_PATH, system paths, playwright's own):
 * without one the suite is skipped with a line on stderr, or FAILS when `CI` is set (`.ci/run`
 * installs Debian's chromium and sets CI).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import jsQRModule from 'jsqr';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeAddress } from '../../src/protocol/address.js';
import { regtest } from '../../src/protocol/networks.js';
import { toHex } from '../../src/protocol/bytes.js';
import { transferToJson, transferTxid } from '../../src/protocol/transaction.js';
import type { BlockJson } from '../../src/protocol/block.js';
import { EXPLORER_ARTIFACTS, explorerSuite, findChromium, launchChromium, shot } from '../helpers/browser.js';
import { testKey, transfer } from '../helpers/builder.js';
import { sharedTxidPrefix } from '../helpers/prefix.js';

// jsqr is CommonJS whose types declare an ES default export: the function is both the module and its `default`.
const jsQR = jsQRModule.default;
const CHROMIUM = findChromium();
const ARTIFACTS = EXPLORER_ARTIFACTS;

const pageErrors: string[] = [];

const addr = (a: Uint8Array): string => encodeAddress(a, regtest);
const alice = testKey(800);
const bob = testKey(801);
const carol = testKey(802);
const miner = testKey(803);

describe.skipIf(CHROMIUM === undefined)('explorer in chromium (regtest node process)', () => {
  // Inside the describe, so a skipped suite starts no node and builds nothing.
  const suite = explorerSuite('explorer-browser');
  beforeAll(() => mkdirSync(ARTIFACTS, { recursive: true }));

  it(
    'shows live blocks, finds every kind of object, and verifies aggregates in the browser',
    { timeout: 180_000 },
    async () => {
      const n = suite.node!;
      const tmp = suite.tmp;

      // Activity: fund two senders, then three transfers in one block.
      for (const who of [alice, bob])
        expect((await n.post('/api/v1/mine', { blocks: 1, address: addr(who.address) })).status).toBe(200);
      const sent = [
        transfer(alice, carol.address, 1_000_000n, 0),
        transfer(bob, carol.address, 2_000_000n, 0),
        transfer(alice, bob.address, 3_000_000n, 1),
      ];
      for (const s of sent)
        expect((await n.post('/api/v1/transactions', transferToJson(s.tx, regtest, s.signature))).status).toBe(202);
      expect((await n.post('/api/v1/mine', { blocks: 1, address: addr(miner.address) })).status).toBe(200);
      const full = (await n.get<BlockJson & { height: number }>('/api/v1/blocks/3')).body;
      expect(full.transactions).toHaveLength(3);
      const txid = full.transactions[0]!.txid;

      const context = (suite.context = await launchChromium(CHROMIUM!, join(tmp, 'chromium-profile')));
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
      // Search probes a 0x-hash as a block, then as a transaction: those 404s are expected
      // (Chromium logs each as "Failed to load resource"); any other failed request is not.
      page.on('console', (msg) => {
        if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
          pageErrors.push(`console: ${msg.text()}`);
      });
      page.on('response', (res) => {
        const probe = res.status() === 404 && /\/api\/v1\/(blocks|transactions)\/0x[0-9a-f]{64}$/.test(res.url());
        if (res.status() >= 400 && !probe) pageErrors.push(`HTTP ${res.status()} ${res.url()}`);
      });
      const started = Date.now();

      // ---- home: live blocks without a reload ----
      await page.goto(`${n.url}/`);
      const latest = page.locator('#latest-blocks');
      await expect.poll(() => latest.locator('a', { hasText: '#3' }).count()).toBeGreaterThan(0);
      await page.locator('#live.on').waitFor();
      await expect.poll(() => page.locator('[data-chart="Transfers per block"] rect.bar').count()).toBe(4); // heights 0..3
      const navigations: string[] = [];
      page.on('framenavigated', (f) => navigations.push(f.url()));
      expect((await n.post('/api/v1/mine', { blocks: 1, address: addr(miner.address) })).status).toBe(200);
      await latest.locator('a', { hasText: '#4' }).first().waitFor({ timeout: 10_000 });
      await expect.poll(() => page.locator('#tip').textContent()).toBe('tip #4');
      expect(navigations).toEqual([]); // it arrived by SSE, not by a reload
      await expect.poll(() => page.locator('#latest-txs tbody tr').count()).toBeGreaterThanOrEqual(3);
      await shot(page, 'home');
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'home-dark');
      await page.emulateMedia({ colorScheme: 'light' });

      // ---- search: height, block hash, txid, address ----
      const search = async (q: string): Promise<void> => {
        await page.locator('#q').fill(q);
        await page.locator('#q').press('Enter');
      };
      await search('2');
      await page.waitForURL(/#\/block\/2$/);
      await page.locator('h1', { hasText: 'Block #2' }).waitFor();

      await search(full.hash);
      await page.waitForURL(new RegExp(`#/block/${full.hash}$`));
      await expect.poll(() => page.locator('#block-hash').textContent()).toBe(full.hash);

      await search(txid);
      await page.waitForURL(new RegExp(`#/tx/${txid}$`));
      await expect.poll(() => page.locator('#txid').textContent()).toBe(txid);
      await expect.poll(() => page.locator('#tx-status').textContent()).toBe('confirmed');
      await shot(page, 'transaction');

      await search(addr(carol.address));
      await page.waitForURL(new RegExp(`#/address/${addr(carol.address)}$`));
      await expect.poll(() => page.locator('#balance').textContent()).toBe('0.03 OUR');
      await expect.poll(() => page.locator('#history tbody tr').count()).toBe(2);

      await search('0x' + 'ab'.repeat(32));
      await expect.poll(() => page.locator('#search-msg').textContent()).toContain('no block, transaction or address');

      // The shortened forms the explorer itself shows, and prefixes.
      await search(`${txid.slice(0, 10)}…${txid.slice(-6)}`);
      await page.waitForURL(new RegExp(`#/tx/${txid}$`));
      await search(full.hash.slice(0, 12));
      await page.waitForURL(new RegExp(`#/block/${full.hash}$`));
      const carolAddress = addr(carol.address);
      await search(`${carolAddress.slice(0, 12)}…${carolAddress.slice(-6)}`);
      await page.waitForURL(new RegExp(`#/address/${carolAddress}$`));

      // ---- block page: verify the real block in the browser ----
      await page.goto(`${n.url}/#/block/3`);
      await page.locator('#block-hash').waitFor();
      expect(await page.locator('#bytes-saved').textContent()).toMatch(/^192 bytes/);
      expect(await page.locator('#total-fees').textContent()).toBe('0.00003 OUR');
      expect(await page.locator('#value-moved').textContent()).toBe('0.06 OUR');
      expect(await page.locator('#coinbase-split').textContent()).toMatch(
        / reward \(new coins\) \+ 0\.00003 OUR fees$/,
      );
      await page.locator('#q').fill('');
      await page.locator('#verify').click();
      await page.locator('#verify-result[data-valid]').waitFor({ timeout: 60_000 });
      expect(await page.locator('#verify-result').getAttribute('data-valid')).toBe('true');
      expect(await page.locator('#verify-verdict').textContent()).toMatch(/^✔ valid \(3 transfers, \d+ ms/);
      await shot(page, 'block-verified');

      // ---- the same block, one amount changed in flight: invalid ----
      await page.route('**/api/v1/blocks/3', async (route) => {
        const response = await route.fetch();
        const json = (await response.json()) as BlockJson;
        const tx = json.transactions[1]!;
        tx.amount = (BigInt(tx.amount) + 1n).toString();
        await route.fulfill({ response, json });
      });
      await page.goto(`${n.url}/#/block/3`);
      await page.reload(); // a fresh document, so nothing is served from the earlier render
      await page.locator('#verify').click();
      await page.locator('#verify-result[data-valid]').waitFor({ timeout: 60_000 });
      expect(await page.locator('#verify-result').getAttribute('data-valid')).toBe('false');
      expect(await page.locator('#verify-verdict').textContent()).toMatch(/^✘ invalid/);
      expect(await page.locator('#verify-result').textContent()).toContain(
        'Aggregate signature covers every transferNO',
      );
      await shot(page, 'block-tampered');
      await page.unroute('**/api/v1/blocks/3');

      // ---- mempool (one transfer left pending) and peers ----
      const pending = transfer(bob, alice.address, 500_000n, 1);
      expect(
        (await n.post('/api/v1/transactions', transferToJson(pending.tx, regtest, pending.signature))).status,
      ).toBe(202);
      await page.goto(`${n.url}/#/mempool`);
      await expect.poll(() => page.locator('#mempool-count').textContent()).toBe('1 pending transfer');
      expect(await page.locator('#mempool-bytes').textContent()).toBe('97 bytes');
      await expect.poll(() => page.locator('#fee-estimate').textContent()).toMatch(/^next block [\d.]+ OUR/);
      expect(await page.locator('[data-chart="Fee rates"] rect.bar').count()).toBe(10);
      // Live: a new transfer shows up without a reload.
      const reloads: string[] = [];
      const onNavigate = (f: { url(): string }): number => reloads.push(f.url());
      page.on('framenavigated', onNavigate);
      const live = transfer(carol, alice.address, 10_000n, 0);
      expect((await n.post('/api/v1/transactions', transferToJson(live.tx, regtest, live.signature))).status).toBe(202);
      await expect.poll(() => page.locator('#mempool-count').textContent()).toBe('2 pending transfers');
      expect(reloads).toEqual([]);
      await shot(page, 'mempool');

      // ---- a pending transfer's page counts its confirmations up, live ----
      const liveTxid = toHex(transferTxid(live.tx));
      await page.goto(`${n.url}/#/tx/${liveTxid}`);
      await expect.poll(() => page.locator('#tx-status').textContent()).toBe('pending');
      expect(await page.locator('#tx-confirmations').textContent()).toBe('0');
      expect(await page.locator('#tx-first-seen').textContent()).toMatch(/ago|just now/);
      await shot(page, 'transaction-pending');
      reloads.length = 0;
      for (const confirmations of ['1', '2', '3']) {
        expect((await n.post('/api/v1/mine', { blocks: 1, address: addr(miner.address) })).status).toBe(200);
        await expect.poll(() => page.locator('#tx-confirmations').textContent()).toBe(confirmations);
        expect(await page.locator('#tx-status').textContent()).toBe('confirmed');
      }
      expect(reloads).toEqual([]); // by the event stream, not by reloads
      page.off('framenavigated', onNavigate);
      expect(await page.locator('#tx-first-seen').textContent()).toMatch(/ago|just now/);

      // ---- an ambiguous prefix: two pending transfers whose txids start alike, listed ----
      const aliceNonce = (await n.get<{ nextNonce: number }>(`/api/v1/addresses/${addr(alice.address)}`)).body
        .nextNonce;
      const { amounts, prefix } = sharedTxidPrefix(alice, bob.address, aliceNonce, 1000n);
      for (const [i, amount] of amounts.entries()) {
        const t = transfer(alice, bob.address, amount, aliceNonce + i);
        expect((await n.post('/api/v1/transactions', transferToJson(t.tx, regtest, t.signature))).status).toBe(202);
      }
      await search(prefix);
      await expect.poll(() => page.locator('#search-results li[data-kind="transaction"]').count()).toBe(2);
      expect(await page.locator('#search-msg').textContent()).toMatch(/^\d+ matches:$/);
      await shot(page, 'search-list');

      // ---- the address page: totals, balance chart, and a QR code that decodes to it ----
      await page.locator('#q').fill('');
      await page.goto(`${n.url}/#/address/${addr(carol.address)}`);
      await page.locator('#address-qr').waitFor();
      await expect.poll(() => page.locator('#received').textContent()).toBe('0.03 OUR');
      expect(await page.locator('#sent').textContent()).toBe('0.00011 OUR'); // 10,000 and the fee, 1,000
      expect(await page.locator('[data-chart="Balance"] circle.dot').count()).toBe(3);
      const qr = await page.evaluate<{ width: number; height: number; data: number[] }>(`(() => {
        const canvas = document.getElementById('address-qr');
        const image = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        return { width: image.width, height: image.height, data: [...image.data] };
      })()`);
      expect(jsQR(new Uint8ClampedArray(qr.data), qr.width, qr.height)?.data).toBe(addr(carol.address));
      await shot(page, 'address');

      // ---- the block-interval chart: scaled to the real intervals, not the genesis gap ----
      await page.goto(`${n.url}/`);
      const interval = page.locator('[data-chart="Block interval"]');
      await interval.locator('circle.dot').first().waitFor();
      const axisMax = Number(await interval.getAttribute('data-axis-max'));
      const tipHeight = (await n.get<{ height: number }>('/api/v1/status')).body.height;
      const times: number[] = [];
      for (let height = 0; height <= tipHeight; height++)
        times.push((await n.get<BlockJson>(`/api/v1/blocks/${height}`)).body.header.timestamp);
      const real = times.slice(2).map((t, i) => t - times[i + 1]!);
      const genesisGap = times[1]! - times[0]!;
      expect(axisMax).toBeGreaterThanOrEqual(Math.max(...real));
      expect(axisMax).toBeLessThanOrEqual(Math.max(...real) * 1.2 + 1);
      expect(genesisGap).toBeGreaterThan(100 * axisMax);

      await page.goto(`${n.url}/#/peers`);
      await page.locator('h1', { hasText: 'Peers' }).waitFor();
      await shot(page, 'peers');

      // ---- every page on a phone-sized screen, light and dark ----
      await page.setViewportSize({ width: 390, height: 844 });
      for (const [name, route, ready] of [
        ['home', '', '#latest-blocks'],
        ['block', 'block/3', '#block-hash'],
        ['transaction', `tx/${liveTxid}`, '#tx-status'],
        ['address', `address/${addr(carol.address)}`, '#address-qr'],
        ['mempool', 'mempool', '#mempool-count'],
        ['peers', 'peers', 'h1'],
      ] as const) {
        await page.goto(`${n.url}/#/${route}`);
        await page.locator(ready).first().waitFor();
        // Nothing sticks out sideways: the page does not scroll horizontally on a phone.
        // (A string, evaluated in the page: this test is type-checked without the DOM lib.)
        const wider = await page.evaluate<string[]>(`(() => {
          const width = document.documentElement.clientWidth;
          return [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > width + 1)
            .map((el) => el.tagName.toLowerCase() + '#' + el.id + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))
            .slice(0, 5);
        })()`);
        expect(wider, `${name}: elements wider than the phone screen: ${wider.join(', ')}`).toEqual([]);
        await shot(page, `${name}-phone`);
      }
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'peers-phone-dark');
      await page.goto(`${n.url}/#/address/${addr(carol.address)}`);
      await page.locator('#address-qr').waitFor();
      await shot(page, 'address-phone-dark');

      expect(pageErrors).toEqual([]);
      console.log(`explorer browser checks took ${Date.now() - started} ms; screenshots in ${ARTIFACTS}`);
    },
  );
});
