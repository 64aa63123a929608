/**
 * Every API error is `{ error: { code, message } }` with a stable `code`. This module maps
 * whatever was thrown (an `OurCoinError`, a Fastify error, a rate-limit refusal, a bug) to
 * an HTTP status and a code, and installs the error and not-found handlers. Client input
 * never yields a 500; a 500 says only INTERNAL, never a stack trace or an inner message.
 * The mapping is documented in docs/decisions/0009-http-api.md.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { OurCoinError } from '../errors.js';
import type { CodeOf } from '../errors.js';
import { plainValidationMessage } from './validationMessage.js';

export interface ErrorBody {
  error: { code: string; message: string };
}

/** An error the API raises itself (not found, wrong network...), with its HTTP status. */
export class ApiError extends Error {
  readonly code: string;
  readonly statusCode: number;
  /** Sent as `retry-after` (429 and 503 refusals that say when to come back). */
  readonly retryAfterSeconds?: number;

  constructor(statusCode: number, code: string, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = statusCode;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export const ApiErrorCode = {
  badJson: 'BAD_JSON',
  badRequest: 'BAD_REQUEST',
  bodyTooLarge: 'BODY_TOO_LARGE',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  notFound: 'NOT_FOUND',
  rateLimited: 'RATE_LIMITED',
  internal: 'INTERNAL',
  blockNotFound: 'BLOCK_NOT_FOUND',
  txNotFound: 'TX_NOT_FOUND',
  /** In the mempool, so no block proves it yet (GET /transactions/:txid/proof). */
  txNotConfirmed: 'TX_NOT_CONFIRMED',
  notRegtest: 'NOT_REGTEST',
  mineBusy: 'MINE_BUSY',
  p2pOff: 'P2P_OFF',
  peerDialFailed: 'PEER_DIAL_FAILED',
  explorerNotBuilt: 'EXPLORER_NOT_BUILT',
  adminLocalOnly: 'ADMIN_LOCAL_ONLY',
  metricsLocalOnly: 'METRICS_LOCAL_ONLY',
  forbidden: 'FORBIDDEN',
  requestTimeout: 'REQUEST_TIMEOUT',
  uriTooLong: 'URI_TOO_LONG',
  headersTooLarge: 'HEADERS_TOO_LARGE',
  eventsTooManySubscribers: 'EVENTS_TOO_MANY_SUBSCRIBERS',
  eventsFull: 'EVENTS_FULL',
  searchTooShort: 'SEARCH_PREFIX_TOO_SHORT',
  searchBadQuery: 'SEARCH_BAD_QUERY',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    api: CodeOf<typeof ApiErrorCode>;
  }
}

export interface Classified {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/**
 * HTTP status of an `OurCoinError`, from its verdict alone: a well-formed, correctly signed
 * transfer that clashes with the chain state or the pool, or that this node's policy refuses,
 * is 409; what may pass later (a full pool, an unknown parent) is 503; a client with too
 * much already waiting (MEMPOOL_BUSY) is 429 with Retry-After; anything else a client sent is
 * 400; only the node's own storage failing is a 500.
 */
export function statusOfOurCoinError(err: OurCoinError): number {
  switch (err.kind) {
    case 'conflict':
    case 'policy':
      return 409;
    case 'input':
    case 'encoding':
    case 'consensus':
    case 'crypto':
    case 'mutated':
      return 400;
    case 'transient':
      return 503;
    case 'busy':
      return 429;
    case 'store':
      return 500;
  }
}

const INTERNAL: Classified = { status: 500, code: ApiErrorCode.internal, message: 'internal error' };

/** The 4xx status an error carries (`statusCode`, or `status` as http-errors sets it), if any. */
function clientErrorStatus(err: Error): number | undefined {
  const { statusCode, status } = err as { statusCode?: unknown; status?: unknown };
  const value = typeof statusCode === 'number' ? statusCode : status;
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value < 500 ? value : undefined;
}

function isFastifyError(err: unknown): err is FastifyError {
  return err instanceof Error && typeof (err as Partial<FastifyError>).code === 'string';
}

/** Generic code for a client error (Fastify's or a plugin's) that has no more specific mapping. */
function codeForStatus(status: number): string {
  switch (status) {
    case 403:
      return ApiErrorCode.forbidden;
    case 404:
      return ApiErrorCode.notFound;
    case 413:
      return ApiErrorCode.bodyTooLarge;
    case 408:
      return ApiErrorCode.requestTimeout;
    case 414:
      return ApiErrorCode.uriTooLong;
    case 415:
      return ApiErrorCode.unsupportedMediaType;
    case 431:
      return ApiErrorCode.headersTooLarge;
    case 429:
      return ApiErrorCode.rateLimited;
    default:
      return ApiErrorCode.badRequest;
  }
}

export function classifyError(err: unknown): Classified {
  if (err instanceof ApiError) return { status: err.statusCode, code: err.code, message: err.message };
  if (err instanceof OurCoinError) {
    const status = statusOfOurCoinError(err);
    return status >= 500 && status !== 503 ? INTERNAL : { status, code: err.code, message: err.message };
  }
  if (!(err instanceof Error)) return INTERNAL;
  const statusCode = (err as { statusCode?: unknown }).statusCode;
  if (statusCode === 429) return { status: 429, code: ApiErrorCode.rateLimited, message: err.message };
  if (isFastifyError(err)) {
    if (err.validation || err.code === 'FST_ERR_VALIDATION')
      return { status: 400, code: ApiErrorCode.badRequest, message: plainValidationMessage(err.message) };
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return { status: 400, code: ApiErrorCode.badJson, message: 'the request body is not valid JSON' };
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return { status: 413, code: ApiErrorCode.bodyTooLarge, message: err.message };
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return { status: 415, code: ApiErrorCode.unsupportedMediaType, message: 'send the body as application/json' };
    }
  }
  // Any other error that carries a 4xx status is about the request itself, whoever raised it:
  // Fastify (bad URL escape, content length), the static file server (`..`, `%00`: 400 or
  // 403), the body reader (a client that went away mid-body). Fastify's own messages are
  // safe to show; a plugin's may name files, so those get the status's generic text.
  const status = clientErrorStatus(err);
  if (status !== undefined) {
    const own = isFastifyError(err) && err.code.startsWith('FST_');
    return {
      status,
      code: codeForStatus(status),
      message: own ? err.message : (STATUS_CODES[status] ?? 'bad request'),
    };
  }
  return INTERNAL;
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * Seconds a client told MEMPOOL_BUSY should wait: about what the signature service needs to
 * work through a full queue's share of one client (a few jobs on each thread).
 */
export const BUSY_RETRY_AFTER_SECONDS = 1;

/** Answers `err` as `{ error: { code, message } }`; 5xx errors are logged with their details. */
export function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // A client that went away mid-request is routine, not a fault of the node: no stack trace.
  if (request.raw.socket?.destroyed) {
    request.log.debug({ method: request.method, url: request.url }, 'client closed the connection mid-request');
    return reply.code(400).send(errorBody(ApiErrorCode.badRequest, 'the client closed the connection'));
  }
  const c = classifyError(err);
  if (c.status >= 500 && c.status !== 503) request.log.error({ err }, 'request failed');
  else request.log.debug({ code: c.code, status: c.status }, c.message);
  if (err instanceof OurCoinError && err.kind === 'busy') void reply.header('retry-after', BUSY_RETRY_AFTER_SECONDS);
  if (err instanceof ApiError && err.retryAfterSeconds !== undefined)
    void reply.header('retry-after', err.retryAfterSeconds);
  return reply.code(c.status).send(errorBody(c.code, c.message));
}

/** Installs the error handler and the not-found handler (rate limited too, when given). */
export function installErrorHandlers(app: FastifyInstance, notFoundPreHandler?: preHandlerAsyncHookHandler): void {
  app.setErrorHandler(sendError);
  const notFound = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = request.url.length > 200 ? `${request.url.slice(0, 200)}…` : request.url;
    return reply.code(404).send(errorBody(ApiErrorCode.notFound, `no route ${request.method} ${path}`));
  };
  if (notFoundPreHandler) app.setNotFoundHandler({ preHandler: notFoundPreHandler }, notFound);
  else app.setNotFoundHandler(notFound);
}
