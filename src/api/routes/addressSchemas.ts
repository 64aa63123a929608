/**
 * Schemas of GET /api/v1/addresses/:address/balance-history (kept beside the route, out of the
 * shared schemas.ts).
 */
import { EXAMPLE, addressString, amountString, field, integer, txid32 } from '../schemas.js';

/** Confirmed transactions one balance-history request reads at most (each from its block). */
export const MAX_BALANCE_SCAN = 500;
export const BALANCE_HISTORY_DEFAULT = 200;

export const balanceHistoryQuerySchema = {
  type: 'object',
  properties: {
    limit: field(
      { type: 'integer', minimum: 1, maximum: MAX_BALANCE_SCAN, default: BALANCE_HISTORY_DEFAULT } as const,
      `points returned, newest ones (at most ${MAX_BALANCE_SCAN})`,
      100,
    ),
  },
} as const;

const signedAmount = field(
  { type: 'string', pattern: '^-?[0-9]+$' } as const,
  'what the transaction did to the balance, base units (negative: out, amount and fee)',
  '150000000',
);

export const balanceHistorySchema = {
  type: 'object',
  required: ['address', 'balance', 'received', 'sent', 'transactions', 'complete', 'points'],
  properties: {
    address: addressString,
    balance: field(amountString, 'confirmed balance now, base units', '150000000'),
    received: field(amountString, 'sum received (coinbase and transfers in) over the transactions read', '150000000'),
    sent: field(amountString, 'sum sent, amounts and fees, over the transactions read', '0'),
    transactions: integer('confirmed transactions read (at most ' + MAX_BALANCE_SCAN + ')', 1),
    complete: field(
      { type: 'boolean' } as const,
      'whether those were all of them (then received - sent = balance)',
      true,
    ),
    points: {
      type: 'array',
      description: 'the balance after each transaction, oldest first',
      items: {
        type: 'object',
        required: ['height', 'timestamp', 'txid', 'delta', 'balance'],
        properties: {
          height: integer("its block's height", 3),
          timestamp: integer("its block's time, Unix seconds", 1796049815),
          txid: txid32,
          delta: signedAmount,
          balance: field(amountString, 'confirmed balance after it, base units', '150000000'),
        },
      },
    },
  },
  examples: [
    {
      address: EXAMPLE.recipient,
      balance: '150000000',
      received: '150000000',
      sent: '0',
      transactions: 1,
      complete: true,
      points: [{ height: 3, timestamp: 1796049815, txid: EXAMPLE.txid, delta: '150000000', balance: '150000000' }],
    },
  ],
} as const;
