/**
 * NodeClient (src/wallet/nodeClient.ts): the wallet's HTTP client to a node.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { rmSync } from 'node:fs';
import type { AddressInfo as NetAddress } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isOurCoinError } from '../../../src/errors.js';
import { devnet, regtest } from '../../../src/protocol/networks.js';
import { NodeClient } from '../../../src/wallet/nodeClient.js';
import { WalletStore } from '../../../src/wallet/walletStore.js';
import { createWalletContext } from '../../../src/cli/walletActions.js';
import { FAST, dir, expectCode, silentIo } from '../../helpers/wallet.js';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expectCodeAsync(promise: Promise<unknown>, code: string): Promise<string> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isOurCoinError(err) ? err.code : err).toBe(code);
  return (err as Error).message;
}

// ---------------------------------------------------------------- node client

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as NetAddress).port}`, server }),
    ),
  );
}

describe('NodeClient', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('a node that is not there: WALLET_NODE_UNREACHABLE, saying what to do', async () => {
    const { url, server } = await listen(() => undefined);
    await new Promise((r) => server.close(r));
    const message = await expectCodeAsync(new NodeClient(url).status(), 'WALLET_NODE_UNREACHABLE');
    expect(message).toBe(`cannot reach the node at ${url}: is \`ourcoin node\` running? (--node to choose another)`);
  });

  it('a node that does not answer in time: WALLET_NODE_TIMEOUT', async () => {
    const { url, server } = await listen(() => undefined); // never responds
    servers.push(server);
    await expectCodeAsync(new NodeClient(url, { timeoutMs: 200 }).status(), 'WALLET_NODE_TIMEOUT');
    server.closeAllConnections();
  });

  it("an API error keeps the API's code and message; other servers are WALLET_NODE_BAD_RESPONSE", async () => {
    const { url, server } = await listen((req, res) => {
      if (req.url?.startsWith('/api/v1/addresses/')) {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'ADDRESS_BAD_CHECKSUM', message: 'address x: checksum' } }));
      } else if (req.url === '/api/v1/status') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hello: 'world' }));
      } else {
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
      }
    });
    servers.push(server);
    const client = new NodeClient(`${url}/`);
    expect(client.url).toBe(url);
    expect(await expectCodeAsync(client.address('x'), 'ADDRESS_BAD_CHECKSUM')).toBe('address x: checksum');
    await expectCodeAsync(client.status(), 'WALLET_NODE_BAD_RESPONSE');
    await expectCodeAsync(client.getTransaction(`0x${'00'.repeat(32)}`), 'WALLET_NODE_BAD_RESPONSE');
    expectCode(() => new NodeClient('localhost:8330'), 'WALLET_BAD_NODE_URL');
    expectCode(() => new NodeClient('ftp://127.0.0.1/'), 'WALLET_BAD_NODE_URL');
  });

  it('the wallet refuses a node of another network', async () => {
    const { url, server } = await listen((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ network: 'devnet', chainId: devnet.chainId, height: 0, tipHash: '0x00' }));
    });
    servers.push(server);
    const store = new WalletStore(join(dir, 'net'), FAST);
    const ctx = createWalletContext({ store, network: regtest, nodeUrl: url, io: silentIo(), env: {} });
    const message = await expectCodeAsync(ctx.node(), 'WALLET_NETWORK_MISMATCH');
    expect(message).toContain('--network devnet');
    const same = createWalletContext({ store, network: devnet, nodeUrl: url, io: silentIo(), env: {} });
    expect((await same.node()).url).toBe(url);
  });

  /** A node that answers 429 with `retryAfter` to the first `refusals` requests, then a status. */
  async function limitedNode(refusals: number, retryAfter: string): Promise<{ url: string; requests: () => number }> {
    let requests = 0;
    const { url, server } = await listen((_req, res) => {
      requests++;
      if (requests <= refusals) {
        res
          .writeHead(429, { 'content-type': 'application/json', 'retry-after': retryAfter })
          .end(JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'rate limit exceeded' } }));
      } else {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ network: 'regtest', chainId: regtest.chainId, height: 7, tipHash: '0x00' }));
      }
    });
    servers.push(server);
    return { url, requests: () => requests };
  }

  it('waits out retry-after on 429 and sends again, a bounded number of times', async () => {
    const recovers = await limitedNode(2, '0');
    expect((await new NodeClient(recovers.url, { rateLimitRetries: 2 }).status()).height).toBe(7);
    expect(recovers.requests()).toBe(3);

    const never = await limitedNode(Infinity, '0');
    const message = await expectCodeAsync(new NodeClient(never.url, { rateLimitRetries: 2 }).status(), 'RATE_LIMITED');
    expect(never.requests()).toBe(3);
    expect(message).toBe('rate limit exceeded (gave up after 2 retries over 0 s; try again later)');
  });

  it('gives up at once when retry-after is longer than it waits, saying how long', async () => {
    const slow = await limitedNode(Infinity, '120');
    const client = new NodeClient(slow.url, { maxRetryWaitMs: 30_000 });
    const message = await expectCodeAsync(client.status(), 'RATE_LIMITED');
    expect(slow.requests()).toBe(1);
    expect(message).toBe('rate limit exceeded (the node asks to wait 120 s; try again then)');
  });
});
