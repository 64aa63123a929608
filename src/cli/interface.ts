/**
 * The command line's public face: its error codes (each printed as one line, exit code 2).
 */
import type { CodeOf } from '../errors.js';

/** Errors of the command line: its options, prompts, the wallet and the mine commands. */
export const CliErrorCode = {
  networkMismatch: 'WALLET_NETWORK_MISMATCH',
  mnemonicFileUnreadable: 'WALLET_MNEMONIC_FILE_UNREADABLE',
  mnemonicRequired: 'WALLET_MNEMONIC_REQUIRED',
  noAccount: 'WALLET_NO_ACCOUNT',
  confirmRequired: 'WALLET_CONFIRM_REQUIRED',
  insufficientFunds: 'WALLET_INSUFFICIENT_FUNDS',
  cancelled: 'WALLET_CANCELLED',
  txDropped: 'WALLET_TX_DROPPED',
  waitTimeout: 'WALLET_WAIT_TIMEOUT',
  badTestScryptN: 'WALLET_BAD_TEST_SCRYPT_N',
  unknownCommand: 'WALLET_UNKNOWN_COMMAND',
  inputClosed: 'WALLET_INPUT_CLOSED',
  passwordFileUnreadable: 'PASSWORD_FILE_UNREADABLE',
  passwordEmpty: 'PASSWORD_EMPTY',
  passwordRequired: 'PASSWORD_REQUIRED',
  devnetBadOptions: 'DEVNET_BAD_OPTIONS',
  configUnreadable: 'CONFIG_UNREADABLE',
  configInvalid: 'CONFIG_INVALID',
  configUnknownKey: 'CONFIG_UNKNOWN_KEY',
  configSecret: 'CONFIG_SECRET',
  configBadValue: 'CONFIG_BAD_VALUE',
  logFileUnwritable: 'LOG_FILE_UNWRITABLE',
  /** A command line commander refuses: an unknown option or command, a missing or bad argument. */
  usage: 'CLI_USAGE',
  mineAddressRequired: 'MINE_ADDRESS_REQUIRED',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    cli: CodeOf<typeof CliErrorCode>;
  }
}
