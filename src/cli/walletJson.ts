/**
 * The JSON documents of `ourcoin --json wallet ...`: one per command, on stdout. Amounts are
 * decimal strings of base units, as the HTTP API writes them (src/api/json.ts), each with an
 * `...Our` field formatted in OUR. Never a password or a secret key; the recovery phrase only
 * from `new`, which shows it without --json too (it is the wallet's one backup).
 */
import { formatCoins } from '../protocol/amount.js';
import { toHex } from '../protocol/bytes.js';
import type { AccountInfo, WalletInfo } from '../wallet/walletStore.js';
import { addressText } from './walletActions.js';
import type { Balance, NewWalletResult, SendResult, Target, WalletContext, showHistory } from './walletActions.js';

const coins = (n: bigint): { value: string; our: string } => ({ value: n.toString(), our: formatCoins(n) });

export function accountJson(acct: AccountInfo, ctx: WalletContext): object {
  return { index: acct.index, path: acct.path, address: addressText(ctx, acct), publicKey: toHex(acct.publicKey) };
}

export function walletJson(wallet: WalletInfo, ctx: WalletContext): object {
  return {
    name: wallet.name,
    createdAt: wallet.createdAt,
    imported: !wallet.hasMaster,
    address: wallet.accounts[0] ? addressText(ctx, wallet.accounts[0]) : null,
    accounts: wallet.accounts.map((a) => accountJson(a, ctx)),
  };
}

export function newWalletJson(result: NewWalletResult, ctx: WalletContext): object {
  return { ...walletJson(result.wallet, ctx), directory: result.directory, mnemonic: result.mnemonic };
}

export function walletListJson(wallets: WalletInfo[] & { corrupt?: string[] }, ctx: WalletContext): object {
  return { wallets: wallets.map((w) => walletJson(w, ctx)), corrupt: wallets.corrupt ?? [] };
}

function targetJson(target: Target): object {
  return { address: target.address, wallet: target.wallet ?? null, index: target.index ?? null };
}

export function balanceJson(balance: Balance): object {
  const confirmed = coins(balance.confirmed);
  const pending = coins(balance.pending);
  return {
    ...targetJson(balance.target),
    confirmed: confirmed.value,
    confirmedOur: confirmed.our,
    pending: pending.value,
    pendingOur: pending.our,
    nextNonce: balance.nextNonce,
  };
}

export function historyJson(history: Awaited<ReturnType<typeof showHistory>>): object {
  return { ...targetJson(history.target), pending: history.pending, transactions: history.transactions };
}

export function sendJson(result: SendResult): object {
  const amount = coins(result.amount);
  const fee = coins(result.fee);
  return {
    txid: result.txid,
    ...(result.replaced ? { replaced: result.replaced } : {}),
    from: result.from,
    to: result.to,
    amount: amount.value,
    amountOur: amount.our,
    fee: fee.value,
    feeOur: fee.our,
    feeSource: result.feeSource,
    nonce: result.nonce,
    status: result.confirmed ? 'confirmed' : 'pending',
    block: result.confirmed
      ? {
          height: result.confirmed.height,
          hash: result.confirmed.blockHash,
          confirmations: result.confirmed.confirmations,
        }
      : null,
  };
}
