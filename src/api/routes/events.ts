/**
 * GET /api/v1/events: Server-Sent Events, one `tip` event each time the main chain's tip
 * moves (a new block, or the last block of a reorganisation), for the explorer's live pages:
 *
 *   event: tip
 *   id: <height>
 *   data: {"height":…,"hash":"0x…","transfers":…,"timestamp":…}
 *
 * A comment line (`: keep-alive`) goes out every 15 s so proxies keep the stream open. The
 * chain listener is removed when the client goes away, and every stream is ended when the
 * server closes (an open stream would otherwise hold `app.close()` up).
 */
import type { FastifyInstance } from 'fastify';
import { blockHash } from '../../protocol/block.js';
import { toHex } from '../../protocol/bytes.js';
import type { ApiContext } from '../context.js';
import type { TipEvent } from '../json.js';
export type { TipEvent } from '../json.js';

export const KEEP_ALIVE_MS = 15_000;

export function registerEventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const open = new Set<() => void>();
  app.addHook('preClose', (done) => {
    for (const end of [...open]) end();
    done();
  });

  app.get(
    '/events',
    {
      schema: {
        tags: ['node'],
        summary: 'Server-Sent Events: a `tip` event { height, hash, transfers, timestamp } per new main-chain tip',
        produces: ['text/event-stream'],
      },
    },
    (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
      });
      res.write('retry: 2000\n: connected\n\n');

      const unsubscribe = ctx.chain.onTipChange((change) => {
        const block = change.connected.at(-1);
        if (!block) return;
        const event: TipEvent = {
          height: block.header.height,
          hash: toHex(blockHash(block.header)),
          transfers: block.transactions.length,
          timestamp: block.header.timestamp,
        };
        res.write(`event: tip\nid: ${event.height}\ndata: ${JSON.stringify(event)}\n\n`);
      });
      const timer = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      timer.unref();

      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        clearInterval(timer);
        unsubscribe();
        open.delete(end);
        res.end();
      };
      open.add(end);
      request.raw.on('close', end);
      res.on('close', end);
      res.on('error', end);
    },
  );
}
