/**
 * The node's HTTP API (Fastify): JSON routes under /api/v1, SimpleCoin's /blocks and /txion
 * as aliases, an OpenAPI 3 document at /docs/json and its UI at /docs.
 *
 * Cross-cutting: every error is `{ error: { code, message } }` (errors.ts); clients are rate
 * limited by cost per IP (rateLimit.ts); CORS is off unless origins are given; bodies are capped
 * (1 MiB by default); server timeouts cut off slow or idle sockets. `buildApiServer` does not listen: the caller does (`app.listen({ host, port })`).
 * See docs/decisions/0009-http-api.md.
 */
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { LogController, fastify } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ApiContext, ApiPorts, P2PInfo } from './context.js';
import { ApiError, ApiErrorCode, installErrorHandlers, sendError } from './errors.js';
import { registerAddressRoutes } from './routes/addresses.js';
import { registerBlockRoutes } from './routes/blocks.js';
import { registerEventRoutes } from './routes/events.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerExplorerRoutes } from './routes/explorer.js';
import { registerFeeRoutes } from './routes/fees.js';
import { registerHeaderRoutes } from './routes/headers.js';
import { registerLegacyRoutes } from './routes/legacy.js';
import { registerMempoolRoutes } from './routes/mempool.js';
import { registerMetricsRoutes } from './routes/metrics.js';
import { registerMineRoutes } from './routes/mine.js';
import { registerSearchRoutes } from './routes/search.js';
import { registerStatusRoutes } from './routes/status.js';
import { registerTransactionRoutes } from './routes/transactions.js';
import { DEFAULT_EVENT_LIMITS } from './routes/events.js';
import type { EventLimits } from './routes/events.js';
import { DEFAULT_RATE_LIMIT, installRateLimit } from './rateLimit.js';
import type { RateLimitOptions } from './rateLimit.js';

export const API_PREFIX = '/api/v1';
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export { DEFAULT_RATE_LIMIT } from './rateLimit.js';
export type { RateLimitOptions } from './rateLimit.js';

/**
 * Server timeouts, so no client holds a socket (and its descriptor and buffers) for as long as
 * it likes. Node checks the headers and request deadlines every CONNECTIONS_CHECK_INTERVAL_MS.
 */
/** All request headers must arrive within this (slowloris). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** The whole request, body included, must arrive within this: a client trickling a byte every
 * few seconds is cut off here. 8 MB of hex (the largest block) needs ~270 kB/s. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** An idle keep-alive connection between two requests is closed after this. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** A socket with no bytes either way for this long is closed: a backstop for a client that
 * never reads its answer. Long, because a request may rightly be silent for minutes while the
 * node works (POST /mine of 1000 blocks, a large block on a loaded machine); /events streams
 * send a keep-alive every 15 s. */
export const IDLE_SOCKET_TIMEOUT_MS = 10 * 60_000;
export const CONNECTIONS_CHECK_INTERVAL_MS = 1_000;

export interface ApiServerOptions {
  readonly logger: Logger;
  /** Browser origins allowed to call the API (exact match); CORS is off without them. */
  readonly corsOrigins?: readonly string[];
  /** Cost per client IP per window (default 600 a minute; a request is 1, a transfer 1; loopback exempt). */
  readonly rateLimit?: RateLimitOptions;
  /** Caps on /events subscribers (default DEFAULT_EVENT_LIMITS). */
  readonly events?: EventLimits;
  /** Largest request body in bytes (default 1 MiB); larger ones get 413 BODY_TOO_LARGE. */
  readonly bodyLimit?: number;
  /** Connected peers, JSON-ready (empty without networking). */
  readonly peers?: () => unknown[];
  /** This node's peer id and listen addresses (null without networking). */
  readonly p2p?: () => P2PInfo | null;
  /** Connects to a peer (POST /api/v1/peers); absent without networking. */
  readonly connect?: (multiaddr: string) => Promise<void>;
}

export async function buildApiServer(ports: ApiPorts, opts: ApiServerOptions): Promise<FastifyInstance> {
  // Typed as Fastify's base logger so the instance is a plain FastifyInstance (pino's Logger is one).
  const logger: FastifyBaseLogger = opts.logger;
  const app = fastify({
    loggerInstance: logger,
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    connectionTimeout: IDLE_SOCKET_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: { headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS },
    // Per-request lines would drown the node's own log; onResponse below logs them at debug.
    logController: new LogController({ disableRequestLogging: true }),
    // Errors the router raises before any route runs (a malformed %-escape in the URL).
    frameworkErrors: (error, request, reply) => {
      void sendError(error, request, reply);
    },
    // The rate limit keys on the socket address: a reverse proxy in front would need trustProxy.
    trustProxy: false,
    return503OnClosing: true,
  });
  // JSON bodies only: anything else is 415 UNSUPPORTED_MEDIA_TYPE (and no "simple" cross-site POSTs).
  app.removeContentTypeParser('text/plain');

  app.addHook('onResponse', (request, reply, done) => {
    request.log.debug(
      { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'api request',
    );
    done();
  });
  // Fastify's Ajv coerces "Infinity" or "1e400" in a query string or path to Infinity for an
  // integer field and then skips its minimum and maximum; such a value reached SQLite as a
  // LIMIT (a 500). Validation has run by now, so every number left here must be finite.
  app.addHook('preHandler', (request, _reply, done) => {
    const parts = { querystring: request.query, params: request.params };
    for (const [part, values] of Object.entries(parts)) {
      if (typeof values !== 'object' || values === null) continue;
      for (const [name, value] of Object.entries(values)) {
        if (typeof value === 'number' && !Number.isFinite(value)) {
          return done(new ApiError(400, ApiErrorCode.badRequest, `${part}/${name} must be a finite number`));
        }
      }
    }
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    void reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });

  if (opts.corsOrigins && opts.corsOrigins.length > 0) {
    await app.register(cors, { origin: [...opts.corsOrigins], methods: ['GET', 'POST'] });
  }
  // Before every other hook and route (unknown routes count too); routes charge the rest of a cost.
  const chargeRequest = installRateLimit(app, opts.rateLimit ?? DEFAULT_RATE_LIMIT);
  installErrorHandlers(app);
  const ctx: ApiContext = {
    network: ports.network,
    chain: ports.chain,
    admin: ports.admin,
    pool: ports.pool,
    transfers: ports.transfers,
    admission: ports.admission,
    mining: ports.mining,
    eventLoopDelay: ports.eventLoopDelay,
    metrics: ports.metrics,
    peers: opts.peers ?? (() => []),
    p2p: opts.p2p ?? (() => null),
    connect: opts.connect,
    chargeRequest,
  };

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OurCoin node API',
        version: '1',
        description:
          'Bytes are 0x-hex, amounts decimal strings of base units (1 OUR = 10^8), addresses bech32m. ' +
          'Every error is { error: { code, message } } with a stable code.',
      },
      tags: [
        { name: 'node', description: 'Node status, peers, regtest mining' },
        { name: 'blocks', description: 'Main-chain blocks' },
        { name: 'transactions', description: 'Submitting and looking up transfers; the mempool' },
        { name: 'addresses', description: 'Balances, nonces and history' },
        { name: 'legacy', description: "SimpleCoin's routes, kept as aliases" },
        { name: 'admin', description: 'Operator routes, loopback clients only' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(
    (api, _opts, done) => {
      registerStatusRoutes(api, ctx);
      registerBlockRoutes(api, ctx);
      registerHeaderRoutes(api, ctx);
      registerTransactionRoutes(api, ctx);
      registerAddressRoutes(api, ctx);
      registerMempoolRoutes(api, ctx);
      registerSearchRoutes(api, ctx);
      registerFeeRoutes(api, ctx);
      registerMineRoutes(api, ctx);
      registerEventRoutes(api, ctx, opts.events ?? DEFAULT_EVENT_LIMITS);
      registerAdminRoutes(api, ctx);
      done();
    },
    { prefix: API_PREFIX },
  );
  registerLegacyRoutes(app, ctx);
  registerMetricsRoutes(app, ctx);
  registerExplorerRoutes(app);

  await app.ready();
  return app;
}
