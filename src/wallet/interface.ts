/**
 * The wallet's public face: its error codes. The wallet keeps keys in EIP-2335 keystores
 * (crypto/keystore.ts) under a directory per wallet (walletStore.ts) and talks to a node over
 * the HTTP API (nodeClient.ts).
 */
import type { CodeOf } from '../errors.js';

/** Errors of the wallet's key store and derivation. */
export const WalletErrorCode = {
  badMnemonic: 'WALLET_BAD_MNEMONIC',
  badPath: 'WALLET_BAD_PATH',
  badName: 'WALLET_BAD_NAME',
  notFound: 'WALLET_NOT_FOUND',
  corrupt: 'WALLET_CORRUPT',
  exists: 'WALLET_EXISTS',
  badIndex: 'WALLET_BAD_INDEX',
  noMaster: 'WALLET_NO_MASTER',
  /** A new keystore's password is shorter than MIN_PASSWORD_LENGTH (existing ones still open). */
  passwordTooShort: 'PASSWORD_TOO_SHORT',
  /** Options that contradict each other, or an operand missing (send: an amount or --max). */
  badArguments: 'WALLET_BAD_ARGUMENTS',
  /** `bump`: the transaction is not from any wallet here. */
  notOurs: 'WALLET_TX_NOT_OURS',
  /** `bump`: the transaction is already in a block (only pending ones can be replaced). */
  notPending: 'WALLET_TX_NOT_PENDING',
} as const;

/** Characters a new keystore's password needs at least. */
export const MIN_PASSWORD_LENGTH = 8;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    wallet: CodeOf<typeof WalletErrorCode>;
  }
}
