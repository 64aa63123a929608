/**
 * A small typed client for the node's HTTP API (docs/decisions/0009-http-api.md), as far as a
 * wallet needs it: status, an address's balance and history, submitting a signed transfer,
 * looking a transaction up; and the operator routes `ourcoin admin` calls.
 *
 * Every failure is an `OurCoinError`:
 *   - no connection            WALLET_NODE_UNREACHABLE (the message says to start `ourcoin node`)
 *   - no answer in time        WALLET_NODE_TIMEOUT (AbortSignal.timeout, default 10 s)
 *   - an API error             the API's own code and message (MEMPOOL_*, ADDRESS_*, TX_NOT_FOUND...)
 *   - anything else answering  WALLET_NODE_BAD_RESPONSE (not JSON, or not the expected shape)
 * A 429 (RATE_LIMITED, MEMPOOL_BUSY: nothing was done) is retried after the node's `retry-after`,
 * a few times and only for short waits; then the node's code, saying how long it waited.
 * Uses the global `fetch`, so it runs in node and in browsers alike.
 */
import type { AddressInfo, History, StatusJson, SubmitAccepted, TransactionInfo } from '../api/json.js';
import type { BlockDetail, ChainChangeJson, FeesJson, MineResult } from '../api/json.js';
import { OurCoinError } from '../errors.js';
import type { TransferJson } from '../protocol/transaction.js';
import type { CodeOf, ErrorCode } from '../errors.js';

export type {
  AddressInfo,
  BlockDetail,
  FeesJson,
  History,
  HistoryItem,
  MineResult,
  StatusJson,
  SubmitAccepted,
  TransactionInfo,
} from '../api/json.js';

export const NodeClientErrorCode = {
  unreachable: 'WALLET_NODE_UNREACHABLE',
  timeout: 'WALLET_NODE_TIMEOUT',
  badResponse: 'WALLET_NODE_BAD_RESPONSE',
  badUrl: 'WALLET_BAD_NODE_URL',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    nodeClient: CodeOf<typeof NodeClientErrorCode>;
  }
}

export const DEFAULT_NODE_TIMEOUT_MS = 10_000;
/** Retries of a request the node answered 429. */
export const DEFAULT_RATE_LIMIT_RETRIES = 3;
/** The longest `retry-after` the client waits out; a longer one is an error at once. */
export const DEFAULT_MAX_RETRY_WAIT_MS = 30_000;

export interface NodeClientOptions {
  /** Per request, connection to last byte. */
  readonly timeoutMs?: number;
  /** Retries after a 429 (default DEFAULT_RATE_LIMIT_RETRIES; 0: none). */
  readonly rateLimitRetries?: number;
  /** The longest `retry-after` waited out (default DEFAULT_MAX_RETRY_WAIT_MS). */
  readonly maxRetryWaitMs?: number;
  /** For tests; the global fetch by default. */
  readonly fetch?: typeof fetch;
}

type FieldType = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'string|null' | 'number|null';

/** A shallow shape check: enough to turn a wrong server into a clear error instead of a TypeError later. */
function hasShape(value: unknown, fields: Record<string, FieldType>): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const o = value as Record<string, unknown>;
  return Object.entries(fields).every(([key, type]) => {
    const v = o[key];
    if (type === 'array') return Array.isArray(v);
    if (type === 'object') return typeof v === 'object' && v !== null && !Array.isArray(v);
    if (type === 'string|null') return v === null || typeof v === 'string';
    if (type === 'number|null') return v === null || typeof v === 'number';
    return typeof v === type;
  });
}

const isStatus = (v: unknown): v is StatusJson =>
  hasShape(v, { network: 'string', chainId: 'number', height: 'number', tipHash: 'string' });
const isAddressInfo = (v: unknown): v is AddressInfo =>
  hasShape(v, { address: 'string', balance: 'string', pendingBalance: 'string', nonce: 'number', nextNonce: 'number' });
const isTransactionJson = (v: unknown): boolean =>
  hasShape(v, { type: 'string', txid: 'string', recipient: 'string', amount: 'string' });
const isHistory = (v: unknown): v is History =>
  hasShape(v, { address: 'string', pending: 'number', transactions: 'array' }) &&
  (v as { transactions: unknown[] }).transactions.every(
    (item) =>
      hasShape(item, {
        status: 'string',
        txid: 'string',
        direction: 'string',
        transaction: 'object',
        height: 'number|null',
        blockHash: 'string|null',
        confirmations: 'number',
      }) && isTransactionJson((item as { transaction: unknown }).transaction),
  );
const isSubmitAccepted = (v: unknown): v is SubmitAccepted => hasShape(v, { txid: 'string' });
const isTransactionInfo = (v: unknown): v is TransactionInfo =>
  hasShape(v, {
    status: 'string',
    transaction: 'object',
    blockHash: 'string|null',
    height: 'number|null',
    confirmations: 'number',
  }) && isTransactionJson((v as { transaction: unknown }).transaction);

const isFeeTarget = (v: unknown): boolean => hasShape(v, { blocks: 'number', fee: 'string', feeOur: 'string' });
const isFees = (v: unknown): v is FeesJson =>
  hasShape(v, { fast: 'object', normal: 'object', slow: 'object', minimumFee: 'string' }) &&
  ['fast', 'normal', 'slow'].every((k) => isFeeTarget((v as Record<string, unknown>)[k]));
const isBlockDetail = (v: unknown): v is BlockDetail =>
  hasShape(v, {
    hash: 'string',
    height: 'number',
    header: 'object',
    coinbase: 'object',
    transactions: 'array',
    confirmations: 'number',
    onMainChain: 'boolean',
    size: 'number',
  });
const isMineResult = (v: unknown): v is MineResult => hasShape(v, { hashes: 'array', height: 'number' });

const isChainChange = (v: unknown): v is ChainChangeJson =>
  hasShape(v, { height: 'number', tipHash: 'string', disconnected: 'array', connected: 'array' });

function apiError(body: unknown): { code: string; message: string } | undefined {
  if (!hasShape(body, { error: 'object' })) return undefined;
  const e = (body as { error: unknown }).error;
  return hasShape(e, { code: 'string', message: 'string' }) ? (e as { code: string; message: string }) : undefined;
}

/** `retry-after` in milliseconds (seconds or an HTTP date); 1 s when absent or unreadable. */
function retryAfterMs(res: Response): number {
  const value = res.headers.get('retry-after');
  if (value === null) return 1000;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - Date.now());
}

function isTimeout(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.name === 'TimeoutError' || (err.cause instanceof Error && err.cause.name === 'TimeoutError'))
  );
}

export class NodeClient {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:8330. */
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly rateLimitRetries: number;
  private readonly maxRetryWaitMs: number;

  constructor(url: string, opts: NodeClientOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OurCoinError(
        NodeClientErrorCode.badUrl,
        `--node "${url}" is not a URL; expected something like http://127.0.0.1:8330`,
        'input',
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new OurCoinError(
        NodeClientErrorCode.badUrl,
        `--node "${url}": only http:// and https:// URLs are supported`,
        'input',
      );
    }
    this.url = url.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_NODE_TIMEOUT_MS;
    this.fetchFn = opts.fetch ?? fetch;
    this.rateLimitRetries = opts.rateLimitRetries ?? DEFAULT_RATE_LIMIT_RETRIES;
    this.maxRetryWaitMs = opts.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS;
  }

  status(): Promise<StatusJson> {
    return this.request('GET', '/api/v1/status', undefined, isStatus);
  }

  /** Confirmed and pending balance and the nonces of `address` (bech32m). */
  address(address: string): Promise<AddressInfo> {
    return this.request('GET', `/api/v1/addresses/${encodeURIComponent(address)}`, undefined, isAddressInfo);
  }

  /** Pending transactions first, then confirmed ones, each newest first. */
  history(address: string, page: { limit?: number; offset?: number } = {}): Promise<History> {
    const query = new URLSearchParams();
    if (page.limit !== undefined) query.set('limit', String(page.limit));
    if (page.offset !== undefined) query.set('offset', String(page.offset));
    const qs = query.toString() ? `?${query.toString()}` : '';
    return this.request(
      'GET',
      `/api/v1/addresses/${encodeURIComponent(address)}/transactions${qs}`,
      undefined,
      isHistory,
    );
  }

  /** Submits one signed transfer; resolves to the node's txid when it enters the mempool. */
  submit(tx: TransferJson): Promise<SubmitAccepted> {
    return this.request('POST', '/api/v1/transactions', tx, isSubmitAccepted);
  }

  /** A pending or confirmed transaction; TX_NOT_FOUND when the node knows neither. */
  getTransaction(txid: string): Promise<TransactionInfo> {
    return this.request('GET', `/api/v1/transactions/${encodeURIComponent(txid)}`, undefined, isTransactionInfo);
  }

  /** Fee estimates for the next block, 3 and 6 blocks (policy: docs/protocol.md 13.6). */
  fees(): Promise<FeesJson> {
    return this.request('GET', '/api/v1/fees', undefined, isFees);
  }

  /** A block by 0x-hash (any stored block) or main-chain height; BLOCK_NOT_FOUND when there is none. */
  block(hashOrHeight: string): Promise<BlockDetail> {
    return this.request('GET', `/api/v1/blocks/${encodeURIComponent(hashOrHeight)}`, undefined, isBlockDetail);
  }

  /** Regtest, loopback clients only: mines `blocks` blocks now, paying their coinbases to `address`. */
  mine(blocks: number, address: string): Promise<MineResult> {
    return this.request('POST', '/api/v1/mine', { blocks, address }, isMineResult);
  }

  /** Operator route (the node answers loopback clients only): invalidate a block by hash. */
  invalidateBlock(hash: string): Promise<ChainChangeJson> {
    return this.request('POST', '/api/v1/admin/invalidate-block', { hash }, isChainChange);
  }

  /** Operator route: forget the invalid marks of a block, its descendants and ancestors. */
  reconsiderBlock(hash: string): Promise<ChainChangeJson> {
    return this.request('POST', '/api/v1/admin/reconsider-block', { hash }, isChainChange);
  }

  /**
   * Sends the request, and again after the node's `retry-after` while it answers 429 (the node
   * did nothing with it, so sending it again is safe), at most `rateLimitRetries` times.
   */
  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    check: (v: unknown) => v is T,
  ): Promise<T> {
    let waitedMs = 0;
    for (let attempt = 0; ; attempt++) {
      const answer = await this.attempt(method, path, body, check);
      if (!(answer instanceof Response)) return answer;
      const waitMs = retryAfterMs(answer);
      if (attempt < this.rateLimitRetries && waitMs <= this.maxRetryWaitMs) {
        await answer.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        waitedMs += waitMs;
        continue;
      }
      const e = apiError(await answer.json().catch(() => undefined));
      const why =
        waitMs > this.maxRetryWaitMs
          ? `the node asks to wait ${Math.ceil(waitMs / 1000)} s; try again then`
          : `gave up after ${attempt} retries over ${Math.round(waitedMs / 1000)} s; try again later`;
      throw new OurCoinError(
        (e?.code ?? NodeClientErrorCode.badResponse) as ErrorCode,
        `${e?.message ?? `${this.url} answered HTTP 429`} (${why})`,
        'transient',
      );
    }
  }

  /** One request: its checked answer, or the response itself when the node answered 429. */
  private async attempt<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    check: (v: unknown) => v is T,
  ): Promise<T | Response> {
    const what = `${method} ${path.replace(/\?.*$/, '')}`;
    const signal = AbortSignal.timeout(this.timeoutMs);
    let text: string;
    let res: Response;
    try {
      res = await this.fetchFn(this.url + path, {
        method,
        headers:
          body === undefined
            ? { accept: 'application/json' }
            : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'error',
        signal,
      });
      if (res.status === 429) return res;
      text = await res.text();
    } catch (err) {
      if (isTimeout(err) || signal.aborted) {
        throw new OurCoinError(
          NodeClientErrorCode.timeout,
          `the node at ${this.url} did not answer ${what} within ${this.timeoutMs / 1000} s; is it overloaded? try again, or use --node to choose another`,
          'transient',
          { cause: err },
        );
      }
      throw new OurCoinError(
        NodeClientErrorCode.unreachable,
        `cannot reach the node at ${this.url}: is \`ourcoin node\` running? (--node to choose another)`,
        'transient',
        {
          cause: err,
        },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = apiError(json);
      // The node's own stable code, passed on unchanged (the wallet's exit codes and messages key on it).
      if (e)
        throw new OurCoinError(
          e.code as ErrorCode,
          e.message,
          res.status >= 500 || res.status === 429 ? 'transient' : 'input',
        );
      throw new OurCoinError(
        NodeClientErrorCode.badResponse,
        `${this.url} answered ${what} with HTTP ${res.status} and no OurCoin error: is --node the URL of an OurCoin node?`,
        'transient',
      );
    }
    if (!check(json)) {
      throw new OurCoinError(
        NodeClientErrorCode.badResponse,
        `${this.url} gave an unexpected answer to ${what}: is --node the URL of an OurCoin node?`,
        'transient',
      );
    }
    return json;
  }
}
