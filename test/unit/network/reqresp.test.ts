/**
 * Request/response deadlines: a peer that opens the stream and never answers is cut off at
 * the deadline, with a RequestTimeout (a slow peer is not blamed like a lying one).
 */
import '../../../src/network/polyfills.js';
import { createLibp2p } from 'libp2p';
import type { Libp2p } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { afterAll, describe, expect, it } from 'vitest';
import { RequestTimeout, request, respond } from '../../../src/network/reqresp.js';

const hosts: Libp2p[] = [];
afterAll(async () => {
  for (const h of hosts) await h.stop();
});

async function host(): Promise<Libp2p> {
  const h = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  });
  hosts.push(h);
  return h;
}

describe('request/response', () => {
  it('answers, and cuts off a responder that never answers at the deadline', async () => {
    const server = await host();
    const client = await host();
    await respond(server, '/test/echo/1', 1024, (payload) => [payload, payload]);
    // Reads the request, then keeps the stream open without answering.
    await server.handle('/test/silent/1', ({ stream }) => {
      void (async () => {
        for await (const chunk of stream.source) void chunk;
      })();
    });
    await client.dial(server.getMultiaddrs()[0]!);
    const frames = await request(client, server.peerId, '/test/echo/1', Uint8Array.of(1, 2, 3), {
      maxResponseBytes: 1024,
      maxFrames: 4,
      timeoutMs: 5000,
    });
    expect(frames.map((f) => [...f])).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);

    const started = Date.now();
    await expect(
      request(client, server.peerId, '/test/silent/1', Uint8Array.of(9), {
        maxResponseBytes: 1024,
        maxFrames: 1,
        timeoutMs: 500,
      }),
    ).rejects.toBeInstanceOf(RequestTimeout);
    expect(Date.now() - started).toBeLessThan(5000);

    // A response larger than allowed is refused too.
    await expect(
      request(client, server.peerId, '/test/echo/1', new Uint8Array(600), {
        maxResponseBytes: 100,
        maxFrames: 4,
        timeoutMs: 5000,
      }),
    ).rejects.toThrow();
  });
});
