/**
 * GET /api/v1/events: Server-Sent Events, one `tip` event each time the main chain's tip
 * moves (a new block, or the last block of a reorganisation), for the explorer's live pages:
 *
 *   event: tip
 *   id: <height>
 *   data: {"height":…,"hash":"0x…","transfers":…,"timestamp":…}
 *
 * and, when the client asks (`?transfers=all`, `?txid=0x…`, `?address=…`: any that match),
 * one `transfer` event per transfer accepted to the mempool, replaced (naming the replacement),
 * dropped (evicted, conflict, invalidated), confirmed in a main-chain block, or unconfirmed by
 * a reorg (see TransferEventJson). Without those parameters the stream is what it always was.
 *
 * Transfer events are bounded per stream: at most MAX_TRANSFER_EVENTS_PER_SECOND (a flood
 * of admissions costs each subscriber that much, not the flood); past it they are counted, and
 * once a second a `skipped` event { transfers } tells the client how many it missed, so it
 * reloads what it shows instead of trusting an incomplete stream.
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
import type { TransferEvent } from '../../mempool/interface.js';
import { decodeAddress, encodeAddress } from '../../protocol/address.js';
import { blockHash } from '../../protocol/block.js';
import { toHex } from '../../protocol/bytes.js';
import type { NetworkParams } from '../../protocol/networks.js';
import type { ApiContext } from '../context.js';
import { ApiError, ApiErrorCode } from '../errors.js';
import type { TipEvent, TransferEventJson } from '../json.js';
import { EXAMPLE, TIP_EVENT_EXAMPLE, addressString, field, responses } from '../schemas.js';
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

/** Transfer events one stream gets a second at most (about 20 KB/s); the rest are counted as skipped. */
export const MAX_TRANSFER_EVENTS_PER_SECOND = 50;

/** One transfer event as a stream sends it. */
export function transferEventJson(e: TransferEvent, network: NetworkParams): TransferEventJson {
  return {
    type: e.type,
    txid: toHex(e.txid),
    sender: encodeAddress(e.sender, network),
    recipient: encodeAddress(e.tx.recipient, network),
    amount: e.tx.amount.toString(),
    fee: e.tx.fee.toString(),
    nonce: e.tx.nonce,
    firstSeen: e.firstSeen,
    height: e.block?.height ?? null,
    blockHash: e.block ? toHex(e.block.hash) : null,
    reason: e.reason ?? null,
    replacedBy: e.replacedBy ? toHex(e.replacedBy) : null,
    pending: e.pending ?? null,
  };
}

export const TRANSFER_EVENT_EXAMPLE =
  'event: transfer\ndata: {"type":"confirmed","txid":"' +
  EXAMPLE.txid +
  `","sender":"${EXAMPLE.sender}","recipient":"${EXAMPLE.recipient}","amount":"150000000","fee":"1000","nonce":0,` +
  `"firstSeen":1796049801,"height":3,"blockHash":"${EXAMPLE.blockHash}","reason":null,"replacedBy":null,"pending":null}\n\n`;

/** Which transfer events a stream asked for (none: tip events only). */
interface TransferFilter {
  readonly all: boolean;
  readonly txid?: string;
  /** 20-byte address hash, hex. */
  readonly address?: string;
}

interface EventsQuery {
  transfers?: 'all';
  txid?: string;
  address?: string;
}

const eventsQuerySchema = {
  type: 'object',
  properties: {
    transfers: field(
      { type: 'string', enum: ['all'] } as const,
      'all: every transfer event (at most 50 a second, then `skipped` counts)',
      'all',
    ),
    txid: field(
      { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } as const,
      'transfer events of this txid (and of the transfer replacing it)',
      EXAMPLE.txid,
    ),
    address: { ...addressString, description: 'transfer events where this address sends or receives' },
  },
} as const;

/**
 * One transfer event fans out to every stream that asked for it: the JSON is made once per
 * event, not once per stream.
 */
interface TransferSubscriber {
  readonly filter: TransferFilter;
  send(frame: string): void;
}

function wants(filter: TransferFilter, keys: { txid: string; by?: string; from: string; to: string }): boolean {
  if (filter.all) return true;
  if (filter.txid !== undefined && (filter.txid === keys.txid || filter.txid === keys.by)) return true;
  return filter.address !== undefined && (filter.address === keys.from || filter.address === keys.to);
}

/**
 * Spends a stream's share of transfer events: true when `frame` may go now. Past the share,
 * events are counted and a `skipped` event follows at the end of the second.
 */
function transferBudget(write: (frame: string) => void): { take(): boolean; stop(): void } {
  let windowStart = 0;
  let sent = 0;
  let skipped = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    if (skipped > 0) write(`event: skipped\ndata: ${JSON.stringify({ transfers: skipped })}\n\n`);
    skipped = 0;
  };
  return {
    take: () => {
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        sent = 0;
      }
      if (sent < MAX_TRANSFER_EVENTS_PER_SECOND) {
        sent++;
        return true;
      }
      skipped++;
      timer ??= setTimeout(flush, 1000 - (now - windowStart));
      return false;
    },
    stop: () => clearTimeout(timer),
  };
}

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
  const transferSubscribers = new Set<TransferSubscriber>();
  const stopTransfers = ctx.transfers.onTransferEvents((events) => {
    if (transferSubscribers.size === 0) return;
    for (const e of events) {
      const keys = {
        txid: toHex(e.txid),
        by: e.replacedBy && toHex(e.replacedBy),
        from: toHex(e.sender),
        to: toHex(e.tx.recipient),
      };
      let frame: string | undefined;
      for (const sub of transferSubscribers) {
        if (!wants(sub.filter, keys)) continue;
        frame ??= `event: transfer\ndata: ${JSON.stringify(transferEventJson(e, ctx.network))}\n\n`;
        sub.send(frame);
      }
    }
  });
  app.addHook('preClose', (done) => {
    for (const end of [...open]) end();
    stopTransfers();
    done();
  });

  app.get<{ Querystring: EventsQuery }>(
    '/events',
    {
      schema: {
        tags: ['node'],
        summary:
          'Server-Sent Events: a `tip` event per new main-chain tip; `transfer` events for the transfers asked for',
        description:
          'Transfer events (type accepted, replaced, dropped, confirmed or unconfirmed) come only with ' +
          `transfers=all, txid or address, at most ${MAX_TRANSFER_EVENTS_PER_SECOND} a second per stream; ` +
          'past that a `skipped` event { transfers } each second counts the ones left out.',
        querystring: eventsQuerySchema,
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'OK: an event stream, with a `: keep-alive` comment every 15 s',
            content: {
              'text/event-stream': {
                schema: {
                  type: 'string',
                  description:
                    'one `tip` event a new main-chain tip: its data is JSON { height, hash, transfers, timestamp }; ' +
                    'one `transfer` event per transfer event asked for (its data: type, txid, sender, recipient, ' +
                    'amount, fee, nonce, firstSeen, height, blockHash, reason, replacedBy, pending)',
                  examples: [TIP_EVENT_EXAMPLE, TRANSFER_EVENT_EXAMPLE],
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
      // Before the stream starts, so a bad address is an ordinary 400.
      const { query } = request;
      const filter: TransferFilter = {
        all: query.transfers === 'all',
        txid: query.txid?.toLowerCase(),
        address: query.address === undefined ? undefined : toHex(decodeAddress(query.address, ctx.network)),
      };
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
      const budget = transferBudget((frame) => writeOrDrop(res, frame));
      const subscriber: TransferSubscriber = {
        filter,
        send: (frame) => {
          if (budget.take()) writeOrDrop(res, frame);
        },
      };
      if (filter.all || filter.txid !== undefined || filter.address !== undefined) transferSubscribers.add(subscriber);

      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        clearInterval(timer);
        budget.stop();
        transferSubscribers.delete(subscriber);
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
