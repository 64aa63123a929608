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
 *
 * Bounded: each stream holds a socket, a listener and a timer, so there are at most
 * `maxPerClient` per client IP (past it: 429 EVENTS_TOO_MANY_SUBSCRIBERS) and `maxTotal` in all
 * (past it: 503 EVENTS_FULL); and a subscriber that does not read is dropped once
 * MAX_BUFFERED_EVENT_BYTES wait for it, instead of the node buffering its events without end.
 */
import type { FastifyInstance } from 'fastify';
import type { Writable } from 'node:stream';
import { blockHash } from '../../protocol/block.js';
import { toHex } from '../../protocol/bytes.js';
import type { ApiContext } from '../context.js';
import { ApiError, ApiErrorCode } from '../errors.js';
import type { TipEvent } from '../json.js';
import { TIP_EVENT_EXAMPLE, responses } from '../schemas.js';
export type { TipEvent } from '../json.js';

export const KEEP_ALIVE_MS = 15_000;

export interface EventLimits {
  /** Open streams per client IP (an explorer tab holds one). */
  readonly maxPerClient: number;
  /** Open streams in all. */
  readonly maxTotal: number;
}

export const DEFAULT_EVENT_LIMITS: EventLimits = { maxPerClient: 16, maxTotal: 256 };

/** Bytes that may wait unsent for one subscriber (a few hundred tip events); past it, it is dropped. */
export const MAX_BUFFERED_EVENT_BYTES = 64 * 1024;

/** Seconds a client over its share of streams is told to wait (one of its streams may close by then). */
const SUBSCRIBER_RETRY_AFTER_SECONDS = 15;

/**
 * Writes `chunk` to a subscriber's stream; false (and the stream destroyed) when that would
 * leave more than `maxBuffered` bytes waiting for a client that is not reading.
 */
export function writeOrDrop(stream: Writable, chunk: string, maxBuffered = MAX_BUFFERED_EVENT_BYTES): boolean {
  if (stream.destroyed) return false;
  if (stream.writableLength + Buffer.byteLength(chunk) > maxBuffered) {
    stream.destroy();
    return false;
  }
  stream.write(chunk);
  return true;
}

export function registerEventRoutes(app: FastifyInstance, ctx: ApiContext, limits: EventLimits): void {
  const open = new Set<() => void>();
  const perClient = new Map<string, number>();
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
        response: {
          200: {
            description: 'OK: an event stream, with a `: keep-alive` comment every 15 s',
            content: {
              'text/event-stream': {
                schema: {
                  type: 'string',
                  description:
                    'one `tip` event a new main-chain tip: its data is JSON { height, hash, transfers, timestamp }',
                  examples: [TIP_EVENT_EXAMPLE],
                },
              },
            },
          },
          ...responses({}, [429, 503]),
        },
      },
      // Refused before the stream starts, so the refusal is an ordinary JSON error.
      preHandler: (request, _reply, done) => {
        if ((perClient.get(request.ip) ?? 0) >= limits.maxPerClient)
          return done(
            new ApiError(
              429,
              ApiErrorCode.eventsTooManySubscribers,
              `at most ${limits.maxPerClient} open event streams per client; close one first`,
              SUBSCRIBER_RETRY_AFTER_SECONDS,
            ),
          );
        if (open.size >= limits.maxTotal)
          return done(
            new ApiError(
              503,
              ApiErrorCode.eventsFull,
              `this node serves at most ${limits.maxTotal} event streams; try again later`,
              SUBSCRIBER_RETRY_AFTER_SECONDS,
            ),
          );
        done();
      },
    },
    (request, reply) => {
      const client = request.ip;
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
        writeOrDrop(res, `event: tip\nid: ${event.height}\ndata: ${JSON.stringify(event)}\n\n`);
      });
      const timer = setInterval(() => writeOrDrop(res, ': keep-alive\n\n'), KEEP_ALIVE_MS);
      timer.unref();

      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        clearInterval(timer);
        unsubscribe();
        open.delete(end);
        const left = (perClient.get(client) ?? 1) - 1;
        if (left > 0) perClient.set(client, left);
        else perClient.delete(client);
        res.end();
      };
      open.add(end);
      perClient.set(client, (perClient.get(client) ?? 0) + 1);
      request.raw.on('close', end);
      res.on('close', end);
      res.on('error', end);
    },
  );
}
