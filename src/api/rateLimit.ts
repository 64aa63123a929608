/**
 * Cost-based rate limiting per client IP: every request costs 1 when it arrives, and a request
 * that carries more work pays for it once its size is known (a batch of n transfers costs n, a
 * block its transfers). A client may go into debt by one large request; its next requests are
 * then refused with 429 RATE_LIMITED and a `retry-after` that says when the debt is repaid.
 *
 * Each client has a bucket of `max` units that refills continuously at `max` per window, so a
 * client that stays within `max` a window never waits. Loopback clients (the node's own wallet,
 * the explorer in a local browser) are exempt unless `includeLoopback` is set.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLoopback } from './loopback.js';
import { ApiError, ApiErrorCode } from './errors.js';

export interface RateLimitOptions {
  /** Units of cost a client may spend per window (a request is 1, a transfer 1). */
  readonly max: number;
  readonly timeWindowMs: number;
  /** Count loopback clients too (they are exempt by default). */
  readonly includeLoopback?: boolean;
}

export const DEFAULT_RATE_LIMIT = { max: 600, timeWindowMs: 60_000 } as const;

/**
 * Clients tracked at once. Past it, clients whose bucket has refilled are forgotten first
 * (forgetting them changes nothing), then the least recently seen: the limiter's own memory
 * is bounded whatever the number of source addresses.
 */
export const MAX_TRACKED_CLIENTS = 50_000;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route is not rate limited (static files of the explorer). */
    rateLimit?: false;
  }
}

interface Bucket {
  balance: number;
  at: number;
}

export class CostLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly max: number,
    timeWindowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = max / timeWindowMs;
  }

  /** The client's balance now (refilled since its last charge), at most `max`. */
  balance(client: string): number {
    const bucket = this.buckets.get(client);
    if (!bucket) return this.max;
    return Math.min(this.max, bucket.balance + (this.now() - bucket.at) * this.perMs);
  }

  /** Seconds until `client` may send a request costing 1, or 0 if it may now. */
  retryAfterSeconds(client: string): number {
    const missing = 1 - this.balance(client);
    return missing <= 0 ? 0 : Math.ceil(missing / this.perMs / 1000);
  }

  /** Takes `cost` units from the client's balance; it may go below zero (a debt). */
  charge(client: string, cost: number): void {
    const balance = this.balance(client) - cost;
    this.buckets.delete(client); // re-inserted last: the map's order is least recently seen first
    this.buckets.set(client, { balance, at: this.now() });
    if (this.buckets.size > MAX_TRACKED_CLIENTS) this.forget();
  }

  /** Clients tracked now (for tests and the memory bound). */
  get size(): number {
    return this.buckets.size;
  }

  private forget(): void {
    for (const client of [...this.buckets.keys()]) {
      if (this.balance(client) >= this.max) this.buckets.delete(client);
    }
    for (const client of this.buckets.keys()) {
      if (this.buckets.size <= MAX_TRACKED_CLIENTS * 0.9) break;
      this.buckets.delete(client);
    }
  }
}

/** What a route handler charges a request for the work it turned out to carry. */
export type ChargeRequest = (request: FastifyRequest, cost: number) => void;

/**
 * Installs the limiter as an `onRequest` hook (so it runs before the body is read, and for
 * unknown routes too) and returns the function routes use to charge the rest of a request's cost.
 */
export function installRateLimit(app: FastifyInstance, opts: RateLimitOptions): ChargeRequest {
  const limiter = new CostLimiter(opts.max, opts.timeWindowMs);
  // Judged by the socket address (no proxy headers are trusted), like the admin routes.
  const exempt = (request: FastifyRequest): boolean =>
    opts.includeLoopback !== true && isLoopback(request.socket.remoteAddress);
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.config.rateLimit === false || exempt(request)) return done();
    const wait = limiter.retryAfterSeconds(request.ip);
    if (wait > 0) {
      return done(
        new ApiError(
          429,
          ApiErrorCode.rateLimited,
          `rate limit exceeded: ${opts.max} a ${opts.timeWindowMs / 1000} s window, a transfer costs 1; retry in ${wait} s`,
          wait,
        ),
      );
    }
    limiter.charge(request.ip, 1);
    done();
  });
  return (request, cost) => {
    if (cost > 0 && request.routeOptions.config.rateLimit !== false && !exempt(request))
      limiter.charge(request.ip, cost);
  };
}
