/**
 * Addresses: GET /api/v1/addresses/:address (balances and nonces),
 * GET /api/v1/addresses/:address/transactions (history: pending first, then confirmed,
 * each newest first) and GET /api/v1/addresses/:address/balance-history (totals received and
 * sent, and the confirmed balance after each of its newest transactions, for a chart).
 * A mistyped or other-network address is a 400 with its ADDRESS_* code.
 */
import type { FastifyInstance } from 'fastify';
import { decodeAddress, encodeAddress } from '../../protocol/address.js';
import { bytesEqual, toHex } from '../../protocol/bytes.js';

import type { MempoolEntry } from '../../mempool/interface.js';
import type { ApiContext } from '../context.js';
import {
  DEFAULT_PAGE,
  addressInfoSchema,
  addressParamsSchema,
  historySchema,
  pageQuerySchema,
  responses,
} from '../schemas.js';
import { confirmationsAt, directionFor, isTransfer, transactionAt, transactionToJson } from '../views.js';
import type { AddressInfo, BalanceHistory, BalancePoint, HistoryItem, History } from '../json.js';
import type { Block } from '../../protocol/block.js';
import { transferSender } from '../../protocol/transaction.js';
import {
  BALANCE_HISTORY_DEFAULT,
  MAX_BALANCE_SCAN,
  balanceHistoryQuerySchema,
  balanceHistorySchema,
} from './addressSchemas.js';

/** Pending transfers from or to `address`, newest first. */
function pendingFor(ctx: ApiContext, address: Uint8Array): MempoolEntry[] {
  const mempool = ctx.pool;
  const outgoing = mempool.pendingFrom(address);
  const incoming = mempool
    .entries()
    .filter((e) => bytesEqual(e.tx.recipient, address) && !bytesEqual(e.sender, address));
  return [...outgoing, ...incoming].sort((a, b) => b.seq - a.seq);
}

function addressInfo(ctx: ApiContext, addressText: string): AddressInfo {
  const address = decodeAddress(addressText, ctx.network);
  const account = ctx.chain.getAccount(address);
  let pending = account.balance;
  for (const e of ctx.pool.pendingFrom(address)) pending -= e.tx.amount + e.tx.fee;
  for (const e of ctx.pool.entries()) if (bytesEqual(e.tx.recipient, address)) pending += e.tx.amount;
  return {
    address: encodeAddress(address, ctx.network),
    balance: account.balance.toString(),
    pendingBalance: pending.toString(),
    nonce: account.nonce,
    nextNonce: ctx.pool.nextNonce(address),
  };
}

function history(ctx: ApiContext, addressText: string, limit: number, offset: number): History {
  const address = decodeAddress(addressText, ctx.network);
  const tipHeight = ctx.chain.tip.height;
  const pending = pendingFor(ctx, address);
  const items: HistoryItem[] = pending.slice(offset, offset + limit).map((e) => ({
    status: 'pending',
    txid: toHex(e.txid),
    direction: directionFor(e.tx, address),
    transaction: transactionToJson(e.tx, ctx.network, e.signature),
    height: null,
    blockHash: null,
    confirmations: 0,
    position: null,
    firstSeen: ctx.transfers.firstSeen(e.txid) ?? null,
  }));
  const confirmedOffset = Math.max(0, offset - pending.length);
  const want = limit - items.length;
  const entries = want > 0 ? ctx.chain.getAddressTxs(address, want, confirmedOffset) : [];
  for (const loc of entries) {
    const block = ctx.chain.getBlock(loc.blockHash);
    const tx = block && transactionAt(block, loc.position);
    if (!tx) continue;
    items.push({
      status: 'confirmed',
      txid: toHex(loc.txid),
      direction: directionFor(tx, address),
      transaction: transactionToJson(tx, ctx.network),
      height: loc.height,
      blockHash: toHex(loc.blockHash),
      confirmations: confirmationsAt(loc.height, tipHeight),
      position: loc.position,
      firstSeen: ctx.transfers.firstSeen(loc.txid) ?? null,
    });
  }
  return { address: encodeAddress(address, ctx.network), pending: pending.length, transactions: items };
}

/**
 * Totals and the running balance over the address's newest MAX_BALANCE_SCAN confirmed
 * transactions (each read from its block: the bound keeps one request's work bounded), walked
 * back from the confirmed balance; `complete` says whether that was all of them.
 */
function balanceHistory(ctx: ApiContext, addressText: string, limit: number): BalanceHistory {
  const address = decodeAddress(addressText, ctx.network);
  const entries = ctx.chain.getAddressTxs(address, MAX_BALANCE_SCAN + 1, 0);
  const complete = entries.length <= MAX_BALANCE_SCAN;
  let balance = ctx.chain.getAccount(address).balance;
  let received = 0n;
  let sent = 0n;
  let block: Block | undefined;
  const points: BalancePoint[] = [];
  for (const loc of entries.slice(0, MAX_BALANCE_SCAN)) {
    // Newest first, so one address's entries in one block come together.
    if (block?.header.height !== loc.height) block = ctx.chain.getBlock(loc.blockHash);
    const tx = block && transactionAt(block, loc.position);
    if (!block || !tx) continue;
    let delta = 0n;
    if (bytesEqual(tx.recipient, address)) {
      received += tx.amount;
      delta += tx.amount;
    }
    if (isTransfer(tx) && bytesEqual(transferSender(tx), address)) {
      sent += tx.amount + tx.fee;
      delta -= tx.amount + tx.fee;
    }
    if (points.length < limit)
      points.push({
        height: loc.height,
        timestamp: block.header.timestamp,
        txid: toHex(loc.txid),
        delta: delta.toString(),
        balance: balance.toString(),
      });
    balance -= delta;
  }
  return {
    address: encodeAddress(address, ctx.network),
    balance: ctx.chain.getAccount(address).balance.toString(),
    received: received.toString(),
    sent: sent.toString(),
    transactions: Math.min(entries.length, MAX_BALANCE_SCAN),
    complete,
    points: points.reverse(),
  };
}

export function registerAddressRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { address: string } }>(
    '/addresses/:address',
    {
      schema: {
        tags: ['addresses'],
        summary: 'Balance (confirmed and pending) and nonces of an address',
        params: addressParamsSchema,
        response: responses({ 200: addressInfoSchema }),
      },
    },
    (request) => addressInfo(ctx, request.params.address),
  );
  app.get<{ Params: { address: string }; Querystring: { limit?: number; offset?: number } }>(
    '/addresses/:address/transactions',
    {
      schema: {
        tags: ['addresses'],
        summary: "An address's transactions: pending first, then confirmed; each newest first",
        params: addressParamsSchema,
        querystring: pageQuerySchema,
        response: responses({ 200: historySchema }),
      },
    },
    (request) => history(ctx, request.params.address, request.query.limit ?? DEFAULT_PAGE, request.query.offset ?? 0),
  );
  app.get<{ Params: { address: string }; Querystring: { limit?: number } }>(
    '/addresses/:address/balance-history',
    {
      schema: {
        tags: ['addresses'],
        summary: 'Totals received and sent, and the confirmed balance after each of the newest transactions',
        description:
          `Reads at most the newest ${MAX_BALANCE_SCAN} confirmed transactions: totals cover those, and ` +
          '`complete` says whether that was all. `points` (oldest first) are the newest `limit` of them.',
        params: addressParamsSchema,
        querystring: balanceHistoryQuerySchema,
        response: responses({ 200: balanceHistorySchema }),
      },
    },
    (request) => balanceHistory(ctx, request.params.address, request.query.limit ?? BALANCE_HISTORY_DEFAULT),
  );
}
