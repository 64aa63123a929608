/**
 * The explorer's view of the node API (/api/v1, same origin): the response types come from
 * src/api/json.ts, the same declarations the routes answer with.
 */
import type { CoinbaseJson, TransferJson } from '../protocol/transaction.js';
import type {
  AddressInfo,
  BalanceHistory,
  BlockDetail,
  BlockPage,
  BlockSummary,
  History,
  HistoryItem,
  MempoolJson,
  MempoolSummary,
  FeesJson,
  SearchResults,
  StatusJson,
  TipEvent,
  TransactionInfo,
  TransferEventJson,
} from '../api/json.js';
export type { AddressInfo, BlockDetail, BlockPage, BlockSummary, History, HistoryItem, TipEvent, TransactionInfo };
export type { BalanceHistory, FeesJson, MempoolSummary, SearchResults, TransferEventJson };

export const API = '/api/v1';

export type AnyTx = TransferJson | CoinbaseJson;
export type Status = StatusJson;
export type Mempool = MempoolJson;

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(API + path, { headers: { accept: 'application/json' } });
  const body = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiFailure(
      res.status,
      err?.code ?? 'HTTP_' + res.status,
      err?.message ?? `${res.status} ${res.statusText}`,
    );
  }
  return body as T;
}

/** Blocks by hash never change: details fetched once are kept (the charts reuse them). */
const blockCache = new Map<string, BlockDetail>();

export async function getBlock(hashOrHeight: string | number, useCache = false): Promise<BlockDetail> {
  const key = String(hashOrHeight);
  const cached = useCache ? blockCache.get(key) : undefined;
  if (cached) return cached;
  const block = await getJson<BlockDetail>(`/blocks/${encodeURIComponent(key)}`);
  // Confirmations change: only the charts (which read immutable fields) use the cache.
  if (blockCache.size > 2000) blockCache.clear();
  blockCache.set(block.hash, block);
  return block;
}
