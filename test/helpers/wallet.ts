/**
 * A temp directory, fast scrypt settings, the all-"abandon" phrase and its addresses, and a
 * silent WalletIo, shared by the wallet tests in test/unit/wallet/ and test/unit/cli/.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { isOurCoinError } from '../../src/errors.js';
import type { WalletIo } from '../../src/cli/walletIo.js';
import { regtest } from '../../src/protocol/networks.js';
import type { Transfer } from '../../src/protocol/transaction.js';

export const dir = mkdtempSync(join(tmpdir(), 'ourcoin-wallet-'));
export const FAST = { scryptN: 2 ** 10 };
export const PHRASE = `${'abandon '.repeat(23)}art`;
export const PHRASE_ADDRESS_REGTEST = 'ourreg1q977cfspqwl9tap8jzx5atg0995ky6mfmqygvda';
export const PHRASE_ADDRESS_DEVNET = 'ourdev1q977cfspqwl9tap8jzx5atg0995ky6mfmp92vxv';

/** Throws unless `fn` fails with an OurCoinError of `code` (and, if given, a message matching `message`). */
export function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isOurCoinError(caught) ? caught.code : caught).toBe(code);
  if (message) expect((caught as Error).message).toMatch(message);
}

/** Throws unless `promise` rejects with an OurCoinError of `code`. */
export async function expectRejection(promise: Promise<unknown>, code: string): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(isOurCoinError(caught) ? caught.code : caught).toBe(code);
}

export function silentIo(): WalletIo & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    interactive: false,
    out: (t) => void lines.push(t),
    note: (t) => void lines.push(t),
    ask: () => Promise.reject(new Error('no questions in this test')),
    askSecret: () => Promise.reject(new Error('no questions in this test')),
    progress: () => ({ stop: () => undefined }),
    close: () => undefined,
  };
}

/** A regtest transfer of `amount` base units from a group's key (nonce 0, the minimum fee). */
export function groupTransfer(groupKey: Uint8Array, amount = 7n): Transfer {
  return {
    chainId: regtest.chainId,
    senderPublicKey: groupKey,
    recipient: new Uint8Array(20).fill(3),
    amount,
    fee: 1000n,
    nonce: 0,
  };
}
