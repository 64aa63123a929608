/**
 * The consensus rules' error codes, one per rule, in one place.
 *
 * `kind` decides what the chain remembers: a `consensus` failure marks the block invalid
 * forever; a `mutated` one (data that does not match the header's commitments, which any
 * relayer can cause) and a `transient` one (may pass later) never do.
 */
import { OurCoinError } from '../../errors.js';
import type { ErrorKind } from '../../errors.js';
import type { CodeOf } from '../../errors.js';

export const RuleCode = {
  // header
  badVersion: 'BLOCK_BAD_VERSION',
  badPow: 'BLOCK_BAD_POW',
  badBits: 'POW_BAD_BITS',
  badTarget: 'BLOCK_BAD_TARGET',
  badHeight: 'BLOCK_BAD_HEIGHT',
  timeTooOld: 'BLOCK_TIME_TOO_OLD',
  timeTooNew: 'BLOCK_TIME_TOO_NEW',
  parentInvalid: 'BLOCK_PARENT_INVALID',
  // body: commitments (mutated, not remembered)
  badTxRoot: 'BLOCK_BAD_TX_ROOT',
  badSignatureHash: 'BLOCK_BAD_SIGNATURE_HASH',
  // body: consensus
  tooLarge: 'BLOCK_TOO_LARGE',
  coinbaseBadChainId: 'COINBASE_BAD_CHAIN_ID',
  coinbaseBadHeight: 'COINBASE_BAD_HEIGHT',
  coinbaseTooLarge: 'COINBASE_TOO_LARGE',
  txBadChainId: 'TX_BAD_CHAIN_ID',
  txBadAmount: 'TX_BAD_AMOUNT',
  txBadFee: 'TX_BAD_FEE',
  txDuplicate: 'TX_DUPLICATE',
  txBadNonce: 'TX_BAD_NONCE',
  txInsufficientBalance: 'TX_INSUFFICIENT_BALANCE',
  txBadPublicKey: 'TX_BAD_PUBLIC_KEY',
  badEmptySignature: 'BLOCK_BAD_EMPTY_SIGNATURE',
  badAggregateSignature: 'BLOCK_BAD_AGGREGATE_SIGNATURE',
} as const;

declare module '../../errors.js' {
  interface ErrorCodeRegistry {
    rule: CodeOf<typeof RuleCode>;
  }
}

export type RuleCodeValue = (typeof RuleCode)[keyof typeof RuleCode];

export function ruleError(code: RuleCodeValue, message: string, kind: ErrorKind = 'consensus'): OurCoinError {
  return new OurCoinError(code, message, kind);
}
