/**
 * Addresses: GET /api/v1/addresses/:address (balances and nonces) and
 * GET /api/v1/addresses/:address/transactions (history: pending first, then confirmed,
 * each newest first). A mistyped or other-network address is a 400 with its ADDRESS_* code.
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
import { confirmationsAt, directionFor, transactionAt, transactionToJson } from '../views.js';
import type { AddressInfo, HistoryItem, History } from '../json.js';

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
    });
  }
  return { address: encodeAddress(address, ctx.network), pending: pending.length, transactions: items };
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
}
