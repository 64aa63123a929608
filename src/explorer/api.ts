/**
 * The explorer's view of the node API (/api/v1, same origin). Only the fields the pages use
 * are declared; the protocol's own JSON types describe blocks and transactions.
 */
import type { BlockJson } from '../protocol/block.js';
import type { CoinbaseJson, TransferJson } from '../protocol/transaction.js';

export const API = '/api/v1';

export interface Status {
  network: string;
  chainId: number;
  height: number;
  tipHash: string;
  bits: string;
  difficulty: number;
  peers: number;
  mempool: number;
  orphans: number;
  mining: boolean;
  hashRate: number;
  minerAddress: string | null;
  p2p: { peerId: string; multiaddrs: readonly string[] } | null;
}

export interface BlockSummary {
  hash: string;
  height: number;
  prevHash: string;
  timestamp: number;
  transfers: number;
  size: number;
  aggregateSignature: string;
}

export interface BlockPage {
  tipHeight: number;
  blocks: BlockSummary[];
  next: number | null;
}

export interface BlockDetail extends BlockJson {
  height: number;
  confirmations: number;
  onMainChain: boolean;
  cumulativeWork: string;
}

export type AnyTx = TransferJson | CoinbaseJson;

export interface TransactionInfo {
  status: 'pending' | 'confirmed';
  transaction: AnyTx;
  blockHash: string | null;
  height: number | null;
  confirmations: number;
  position: number | null;
}

export interface AddressInfo {
  address: string;
  balance: string;
  pendingBalance: string;
  nonce: number;
  nextNonce: number;
}

export interface HistoryItem extends TransactionInfo {
  txid: string;
  direction: 'in' | 'out' | 'self';
}

export interface History {
  address: string;
  pending: number;
  transactions: HistoryItem[];
}

export interface Mempool {
  count: number;
  transactions: TransferJson[];
}

export interface TipEvent {
  height: number;
  hash: string;
  transfers: number;
  timestamp: number;
}

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
    throw new ApiFailure(res.status, err?.code ?? 'HTTP_' + res.status, err?.message ?? `${res.status} ${res.statusText}`);
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
