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
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    wallet: CodeOf<typeof WalletErrorCode>;
  }
}
