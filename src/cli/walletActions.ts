/**
 * What `ourcoin wallet` does, as small functions that both the subcommands (walletCommand.ts)
 * and the interactive menu (walletMenu.ts) call: one implementation of every action.
 *
 * Keys live in the WalletStore (EIP-2335 keystores, see docs/decisions/0010-wallet.md); the
 * node is reached over its HTTP API (NodeClient) only by the actions that need it, and is
 * refused when it runs another network than --network. A secret key is unlocked only to sign
 * and wiped right after. Every refusal is an OurCoinError whose message names the problem and
 * what to do; nothing here ever overwrites a keystore.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { blstBls } from '../crypto/blst.js';
import { DEFAULT_MEMPOOL_LIMITS, MempoolErrorCode } from '../mempool/interface.js';
import { decodeAddress, encodeAddress } from '../protocol/address.js';
import { formatCoins, parseCoins } from '../protocol/amount.js';
import { bytesEqual } from '../protocol/bytes.js';
import { OurCoinError, isOurCoinError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { NetworkParams } from '../protocol/networks.js';
import { signTransfer } from '../protocol/signing.js';
import { transferToJson } from '../protocol/transaction.js';
import type { SignedTransfer, Transfer } from '../protocol/transaction.js';
import { normalizeMnemonic } from '../wallet/derivation.js';
import { KeystoreErrorCode, normalizePassword } from '../crypto/keystore.js';
import { readKeystoreFile, writeKeystoreFile } from '../crypto/keystoreFile.js';
import { NodeClient } from '../wallet/nodeClient.js';
import type { HistoryItem, TransactionInfo } from '../wallet/nodeClient.js';
import type { AccountInfo, WalletInfo, WalletStore } from '../wallet/walletStore.js';
import { PASSWORD_ENV, getPassword } from './password.js';
import type { WalletIo } from './walletIo.js';

/** The node's default minimum fee: 1000 base units, 0.00001 OUR. */
export const DEFAULT_FEE = DEFAULT_MEMPOOL_LIMITS.minFee;
export const MNEMONIC_ENV = 'OURCOIN_MNEMONIC';
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 300;
const POLL_MS = 500;

export interface WalletContext {
  readonly store: WalletStore;
  readonly network: NetworkParams;
  readonly nodeUrl: string;
  readonly passwordFile?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly io: WalletIo;
  /** The node, checked once to run `network` (WALLET_NETWORK_MISMATCH otherwise). */
  node(): Promise<NodeClient>;
}

export interface WalletContextOptions {
  readonly store: WalletStore;
  readonly network: NetworkParams;
  readonly nodeUrl: string;
  readonly passwordFile?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly io: WalletIo;
  readonly nodeTimeoutMs?: number;
}

export function createWalletContext(opts: WalletContextOptions): WalletContext {
  let connected: Promise<NodeClient> | undefined;
  const client = new NodeClient(opts.nodeUrl, { timeoutMs: opts.nodeTimeoutMs });
  return {
    store: opts.store,
    network: opts.network,
    nodeUrl: client.url,
    passwordFile: opts.passwordFile,
    env: opts.env ?? process.env,
    io: opts.io,
    node() {
      connected ??= client.status().then((status) => {
        if (status.network !== opts.network.name) {
          throw new OurCoinError(
            'WALLET_NETWORK_MISMATCH',
            `the node at ${client.url} runs ${status.network}, not ${opts.network.name}: pass --network ${status.network}, or --node with the URL of a ${opts.network.name} node`,
            'input',
          );
        }
        return client;
      });
      // A failed attempt is not remembered: the menu may try again once the node is up.
      connected.catch(() => (connected = undefined));
      return connected;
    },
  };
}

// ---------------------------------------------------------------- secrets in

/**
 * A wallet password: --password-file, then OURCOIN_PASSWORD, then a hidden prompt on a terminal
 * (twice with `confirm`). Without any of them, PASSWORD_REQUIRED (from getPassword).
 */
export async function askPassword(ctx: WalletContext, purpose: string, confirm = false): Promise<string> {
  if (ctx.passwordFile || ctx.env[PASSWORD_ENV]) {
    const given = await getPassword({ passwordFile: ctx.passwordFile, env: ctx.env }, purpose, confirm);
    if (isBlank(given))
      throw new OurCoinError(
        'PASSWORD_EMPTY',
        `${purpose}: the password given is empty once control characters are removed (EIP-2335)`,
        'input',
      );
    return given;
  }
  if (!ctx.io.interactive) {
    throw new OurCoinError(
      'PASSWORD_REQUIRED',
      `${purpose}: no password given; use --password-file FILE or ${PASSWORD_ENV}=..., or run in a terminal to be asked`,
      'input',
    );
  }
  for (;;) {
    const first = await ctx.io.askSecret(`${purpose} password: `);
    if (isBlank(first)) {
      ctx.io.note('The password must not be empty.');
      continue;
    }
    if (!confirm) return first;
    if ((await ctx.io.askSecret('Repeat the password: ')) === first) return first;
    ctx.io.note('The passwords differ; try again.');
  }
}

/** Empty as EIP-2335 sees it: nothing left after control characters are removed. */
function isBlank(password: string): boolean {
  const bytes = normalizePassword(password);
  bytes.fill(0);
  return bytes.length === 0;
}

/** The recovery phrase: --mnemonic-file, then OURCOIN_MNEMONIC, then a hidden prompt on a terminal. */
export async function readMnemonic(ctx: WalletContext, mnemonicFile?: string): Promise<string> {
  if (mnemonicFile) {
    try {
      return readFileSync(mnemonicFile, 'utf8');
    } catch (err) {
      throw new OurCoinError(
        'WALLET_MNEMONIC_FILE_UNREADABLE',
        `cannot read ${mnemonicFile}: ${(err as Error).message}`,
        'input',
      );
    }
  }
  const fromEnv = ctx.env[MNEMONIC_ENV];
  if (fromEnv) return fromEnv;
  if (!ctx.io.interactive) {
    throw new OurCoinError(
      'WALLET_MNEMONIC_REQUIRED',
      `no recovery phrase given; use --mnemonic-file FILE or ${MNEMONIC_ENV}=..., or run in a terminal to be asked`,
      'input',
    );
  }
  return ctx.io.askSecret('Recovery phrase (24 words, not shown as you type): ');
}

/** Runs `fn` with the wallet's password; a wrong one reads as what it is, for this wallet. */
async function withPassword<T>(ctx: WalletContext, name: string, fn: (password: string) => T): Promise<T> {
  const password = await askPassword(ctx, `Wallet "${name}"`);
  try {
    return fn(password);
  } catch (err) {
    if (isOurCoinError(err, KeystoreErrorCode.wrongPassword)) {
      throw new OurCoinError(
        err.code,
        `wrong password for wallet "${name}" (nothing was changed); try again`,
        'input',
        { cause: err },
      );
    }
    throw err;
  }
}

// ---------------------------------------------------------------- wallets

function ensureFree(ctx: WalletContext, name: string): void {
  if (ctx.store.has(name)) {
    throw new OurCoinError(
      'WALLET_EXISTS',
      `a wallet named "${name}" already exists in ${ctx.store.dir}; choose another name (nothing was changed)`,
      'input',
    );
  }
}

function account(wallet: WalletInfo, index: number): AccountInfo {
  const found = wallet.accounts.find((a) => a.index === index);
  if (!found) {
    throw new OurCoinError(
      'WALLET_NO_ACCOUNT',
      `wallet "${wallet.name}" has no account ${index} yet (create it with: ourcoin wallet address ${wallet.name} --index ${index})`,
      'input',
    );
  }
  return found;
}

export function addressText(ctx: WalletContext, acct: AccountInfo): string {
  return encodeAddress(acct.address, ctx.network);
}

function showMnemonic(ctx: WalletContext, mnemonic: string): void {
  const words = mnemonic.split(' ');
  const rows: string[] = [];
  for (let r = 0; r < words.length / 4; r++) {
    rows.push(
      '   ' +
        [0, 1, 2, 3]
          .map((c) => r + c * (words.length / 4))
          .map((i) => `${String(i + 1).padStart(2)}. ${words[i]!.padEnd(10)}`)
          .join(' ')
          .trimEnd(),
    );
  }
  ctx.io.out(
    [
      '',
      'Your recovery phrase (24 words). Write it down on paper now, in this order:',
      '',
      ...rows,
      '',
      '  ! It is shown only this once: it is NOT stored anywhere in plain text.',
      "  ! Anyone who has it can spend this wallet's coins: never share it, never type it into a website.",
      '  ! With it, `ourcoin wallet restore` rebuilds this wallet if this computer or its password is lost.',
      '',
    ].join('\n'),
  );
}

function noteSameKey(ctx: WalletContext, wallet: WalletInfo): void {
  const first = wallet.accounts[0];
  if (!first) return;
  for (const other of ctx.store.list()) {
    if (other.name !== wallet.name && other.accounts.some((a) => bytesEqual(a.publicKey, first.publicKey))) {
      ctx.io.note(`note: wallet "${other.name}" holds the same address`);
    }
  }
}

/** `new <name>`: a fresh 24-word wallet; shows the phrase once and the address of account 0. */
export async function newWallet(ctx: WalletContext, name: string): Promise<WalletInfo> {
  ensureFree(ctx, name);
  const password = await askPassword(ctx, `New wallet "${name}"`, true);
  const { wallet, mnemonic } = ctx.store.create(name, password);
  ctx.io.out(`Created wallet "${name}" in ${resolve(ctx.store.dir, name)}`);
  showMnemonic(ctx, mnemonic);
  ctx.io.out(`Address (account 0): ${addressText(ctx, wallet.accounts[0]!)}`);
  return wallet;
}

/** `restore <name>`: the same wallet (same addresses) from its recovery phrase. */
export async function restoreWallet(ctx: WalletContext, name: string, mnemonicFile?: string): Promise<WalletInfo> {
  ensureFree(ctx, name);
  const mnemonic = normalizeMnemonic(await readMnemonic(ctx, mnemonicFile));
  const password = await askPassword(ctx, `New wallet "${name}"`, true);
  const { wallet } = ctx.store.create(name, password, mnemonic);
  ctx.io.out(`Restored wallet "${name}" in ${resolve(ctx.store.dir, name)}`);
  ctx.io.out(`Address (account 0): ${addressText(ctx, wallet.accounts[0]!)}`);
  noteSameKey(ctx, wallet);
  return wallet;
}

/** `list`: every wallet with the address of its account 0. */
export function listWallets(ctx: WalletContext): WalletInfo[] {
  const wallets = ctx.store.list();
  if (wallets.length === 0) {
    ctx.io.out(`No wallets in ${ctx.store.dir} (create one with: ourcoin wallet new <name>)`);
    return wallets;
  }
  const width = Math.max(...wallets.map((w) => w.name.length));
  for (const w of wallets) {
    const first = w.accounts.find((a) => a.index === 0) ?? w.accounts[0];
    const extra = [w.accounts.length > 1 ? `${w.accounts.length} accounts` : '', w.hasMaster ? '' : 'imported keystore']
      .filter(Boolean)
      .join(', ');
    ctx.io.out(
      `${w.name.padEnd(width)}  ${first ? addressText(ctx, first) : '(no account)'}${extra ? `  (${extra})` : ''}`,
    );
  }
  return wallets;
}

/** `address <name> [--index i]`: the address of account i, derived and stored first if new. */
export async function showAddress(ctx: WalletContext, name: string, index: number): Promise<string> {
  const wallet = ctx.store.get(name);
  let acct = wallet.accounts.find((a) => a.index === index);
  if (!acct) {
    if (!wallet.hasMaster) {
      throw new OurCoinError(
        'WALLET_NO_MASTER',
        `wallet "${name}" was imported from a single keystore and has only account 0`,
        'input',
      );
    }
    acct = await withPassword(ctx, name, (password) => ctx.store.addAccount(name, index, password));
    ctx.io.note(`Added account ${index} (${acct.path}) to wallet "${name}"`);
  }
  const text = addressText(ctx, acct);
  ctx.io.out(text);
  return text;
}

/** `export-keystore`: the account's EIP-2335 keystore, to stdout or a new file (never overwritten). */
export function exportKeystore(ctx: WalletContext, name: string, index: number, out?: string): void {
  account(ctx.store.get(name), index);
  const keystore = ctx.store.exportKeystore(name, index);
  if (out === undefined) {
    ctx.io.out(JSON.stringify(keystore, null, 2));
    return;
  }
  writeKeystoreFile(out, keystore);
  ctx.io.out(
    `Wrote ${resolve(out)}: account ${index} of "${name}" (${keystore.path}), encrypted with this wallet's password`,
  );
}

/** `import-keystore <name> <file>`: a one-account wallet from an EIP-2335 keystore, checked with its password. */
export async function importKeystore(ctx: WalletContext, name: string, file: string): Promise<WalletInfo> {
  ensureFree(ctx, name);
  const keystore = readKeystoreFile(file);
  const password = await askPassword(ctx, `Keystore ${file}`);
  let wallet: WalletInfo;
  try {
    wallet = ctx.store.importKeystore(name, keystore, password);
  } catch (err) {
    if (isOurCoinError(err, KeystoreErrorCode.wrongPassword)) {
      throw new OurCoinError(
        err.code,
        `wrong password for keystore ${file} (nothing was imported); try again`,
        'input',
        { cause: err },
      );
    }
    throw err;
  }
  ctx.io.out(`Imported ${file} as wallet "${name}"`);
  ctx.io.out(`Address: ${addressText(ctx, wallet.accounts[0]!)}`);
  noteSameKey(ctx, wallet);
  return wallet;
}

// ---------------------------------------------------------------- reading the chain

export interface Target {
  /** bech32m address on ctx.network. */
  readonly address: string;
  /** How to name it: `alice (account 0)` or the address itself. */
  readonly label: string;
}

const ADDRESS_LIKE = /^[a-z0-9]{1,83}1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{6,}$/i;

/** A wallet name (its account `index`) or an address; an address is checked for checksum and network. */
export function resolveTarget(ctx: WalletContext, nameOrAddress: string, index: number): Target {
  const text = nameOrAddress.trim();
  const isWallet = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(text) && ctx.store.has(text);
  if (!isWallet && ADDRESS_LIKE.test(text)) {
    const address = encodeAddress(decodeAddress(text, ctx.network), ctx.network);
    return { address, label: address };
  }
  const acct = account(ctx.store.get(text), index);
  return { address: addressText(ctx, acct), label: `${text} (account ${index})` };
}

export interface Balance {
  readonly address: string;
  readonly confirmed: bigint;
  readonly pending: bigint;
  readonly nextNonce: number;
}

/** `balance`: confirmed and pending balance in OUR. */
export async function showBalance(ctx: WalletContext, nameOrAddress: string, index: number): Promise<Balance> {
  const target = resolveTarget(ctx, nameOrAddress, index);
  const info = await (await ctx.node()).address(target.address);
  const balance = {
    address: info.address,
    confirmed: BigInt(info.balance),
    pending: BigInt(info.pendingBalance),
    nextNonce: info.nextNonce,
  };
  ctx.io.out(
    [
      target.label === target.address ? target.address : `${target.label}  ${target.address}`,
      `  confirmed  ${formatCoins(balance.confirmed)} OUR`,
      `  pending    ${formatCoins(balance.pending)} OUR${balance.pending === balance.confirmed ? '' : '  (with unconfirmed transfers)'}`,
    ].join('\n'),
  );
  return balance;
}

/** One history line: status, confirmations, direction, amount, fee, the other side, txid. */
export function formatHistoryItem(item: HistoryItem): string {
  const tx = item.transaction;
  const amount = BigInt(tx.amount);
  const fee = tx.type === 'transfer' ? BigInt(tx.fee) : 0n;
  const status =
    item.status === 'confirmed'
      ? `confirmed  ${String(item.confirmations).padStart(4)} conf  block ${String(item.height).padEnd(6)}`
      : `pending       0 conf  ${''.padEnd(12)}`;
  let moved: string;
  let other: string;
  if (tx.type === 'coinbase') {
    moved = `+${formatCoins(amount)}`;
    other = 'mined (coinbase)';
  } else if (item.direction === 'out') {
    moved = `-${formatCoins(amount)}`;
    other = `to ${tx.recipient}`;
  } else if (item.direction === 'in') {
    moved = `+${formatCoins(amount)}`;
    other = `from ${tx.sender}`;
  } else {
    moved = `±${formatCoins(amount)}`;
    other = 'to itself';
  }
  const feeText = tx.type === 'transfer' ? `fee ${formatCoins(fee)}` : '';
  return `${status}  ${item.direction.padEnd(4)}  ${(moved + ' OUR').padStart(18)}  ${feeText.padEnd(16)}  ${other}  ${item.txid}`;
}

/** `history`: incoming and outgoing transactions, pending first, then confirmed, newest first. */
export async function showHistory(
  ctx: WalletContext,
  nameOrAddress: string,
  index: number,
  limit: number,
): Promise<HistoryItem[]> {
  const target = resolveTarget(ctx, nameOrAddress, index);
  const history = await (await ctx.node()).history(target.address, { limit });
  const header = target.label === target.address ? target.address : `${target.label}  ${target.address}`;
  if (history.transactions.length === 0) {
    ctx.io.out(`${header}\n  no transactions yet`);
    return [];
  }
  ctx.io.out(`${header}\n  ${history.transactions.length} most recent (${history.pending} pending):`);
  for (const item of history.transactions) ctx.io.out(`  ${formatHistoryItem(item)}`);
  return history.transactions;
}

// ---------------------------------------------------------------- sending

export interface SendRequest {
  readonly name: string;
  readonly to: string;
  /** OUR, up to 8 decimals. */
  readonly amount: string;
  /** OUR; DEFAULT_FEE when absent. */
  readonly fee?: string;
  readonly index: number;
  /** Send without asking. */
  readonly yes: boolean;
  /** Wait until the transfer is in a block. */
  readonly wait: boolean;
  readonly timeoutSeconds?: number;
}

export interface SendResult {
  readonly txid: string;
  readonly confirmed?: TransactionInfo;
}

/** Unlocks the account, signs `tx`, wipes the key. The key must match the account's public key. */
function signWithAccount(
  ctx: WalletContext,
  name: string,
  acct: AccountInfo,
  password: string,
  tx: Transfer,
): SignedTransfer {
  const secret = ctx.store.unlock(name, acct.index, password);
  try {
    if (!bytesEqual(blstBls.secretKeyToPublicKey(secret), acct.publicKey)) {
      throw new OurCoinError(
        'WALLET_CORRUPT',
        `the keystore of account ${acct.index} of "${name}" does not hold the key listed in its wallet.json`,
        'input',
      );
    }
    return signTransfer(tx, secret, blstBls);
  } finally {
    secret.fill(0);
  }
}

/** Mempool refusals with what to do about them. */
function explainRefusal(err: OurCoinError, ctx: WalletContext, from: string): OurCoinError {
  const hint: Partial<Record<ErrorCode, string>> = {
    [MempoolErrorCode.insufficientBalance]: `not enough coins at ${from} for this transfer and its pending ones; check: ourcoin wallet balance ${from}`,
    [MempoolErrorCode.feeTooLow]: `the fee is below what the node accepts; raise --fee (default ${formatCoins(DEFAULT_FEE)} OUR)`,
    [MempoolErrorCode.nonceTooLow]: 'another transfer from this account got in first; send again',
    [MempoolErrorCode.full]: 'the node is busy; try again later or raise --fee',
  };
  const extra = hint[err.code];
  return extra
    ? new OurCoinError(err.code, `the node refused the transfer: ${err.message} (${extra})`, err.kind, { cause: err })
    : err;
}

/**
 * `send`: builds, shows, confirms, signs and submits a transfer; with `wait`, follows it into a
 * block. Input is checked before anything is asked or sent: the recipient's checksum and
 * network, the amount (positive, at most 8 decimals), the balance.
 */
export async function sendCoins(ctx: WalletContext, req: SendRequest): Promise<SendResult> {
  const { network, io } = ctx;
  const acct = account(ctx.store.get(req.name), req.index);
  const recipient = decodeAddress(req.to.trim(), network);
  const amount = parseCoins(req.amount, 'amount');
  if (amount === 0n) throw new OurCoinError('AMOUNT_INVALID', 'amount: must be more than 0', 'input');
  const fee = req.fee === undefined ? DEFAULT_FEE : parseCoins(req.fee, 'fee');
  if (!req.yes && !io.interactive) {
    throw new OurCoinError(
      'WALLET_CONFIRM_REQUIRED',
      'not sending: there is no terminal to confirm on; add --yes to send without asking',
      'input',
    );
  }
  const client = await ctx.node();
  const from = addressText(ctx, acct);
  const info = await client.address(from);
  const confirmed = BigInt(info.balance);
  const available = BigInt(info.pendingBalance) < confirmed ? BigInt(info.pendingBalance) : confirmed;
  if (amount + fee > available) {
    throw new OurCoinError(
      'WALLET_INSUFFICIENT_FUNDS',
      `${req.name} (account ${req.index}) has ${formatCoins(available)} OUR available; ${formatCoins(amount)} OUR plus the fee ${formatCoins(fee)} OUR needs ${formatCoins(amount + fee)} OUR`,
      'input',
    );
  }
  const tx: Transfer = {
    chainId: network.chainId,
    senderPublicKey: acct.publicKey,
    recipient,
    amount,
    fee,
    nonce: info.nextNonce,
  };
  const to = encodeAddress(recipient, network);
  io.out(
    [
      `Send from wallet "${req.name}" (account ${req.index})`,
      `  from     ${from}`,
      `  to       ${to}`,
      `  amount   ${formatCoins(amount)} OUR`,
      `  fee      ${formatCoins(fee)} OUR`,
      `  total    ${formatCoins(amount + fee)} OUR`,
      `  nonce    ${tx.nonce}`,
      `  network  ${network.name} (node ${client.url})`,
    ].join('\n'),
  );
  if (!req.yes) {
    const answer = await io.ask('Send it? [y/N] ');
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new OurCoinError('WALLET_CANCELLED', 'not sent: not confirmed', 'input');
  }
  const signed = await withPassword(ctx, req.name, (password) => signWithAccount(ctx, req.name, acct, password, tx));
  const json = transferToJson(signed.tx, network, signed.signature);
  let txid: string;
  try {
    txid = (await client.submit(json)).txid;
  } catch (err) {
    if (isOurCoinError(err, MempoolErrorCode.duplicate)) txid = json.txid;
    else if (isOurCoinError(err)) throw explainRefusal(err, ctx, from);
    else throw err;
  }
  io.out(`Sent ${formatCoins(amount)} OUR to ${to}\ntxid ${txid}`);
  if (!req.wait) return { txid };
  const done = await waitForConfirmation(
    ctx,
    client,
    txid,
    (req.timeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS) * 1000,
  );
  reportConfirmed(ctx, done);
  return { txid, confirmed: done };
}

export function reportConfirmed(ctx: WalletContext, info: TransactionInfo): void {
  ctx.io.out(
    `Confirmed in block ${info.height} (${info.blockHash}), ${info.confirmations} confirmation${info.confirmations === 1 ? '' : 's'}`,
  );
}

/** Polls the node until `txid` is in a block; a spinner on a terminal meanwhile. */
export async function waitForConfirmation(
  ctx: WalletContext,
  client: NodeClient,
  txid: string,
  timeoutMs: number,
): Promise<TransactionInfo> {
  const deadline = Date.now() + timeoutMs;
  const spinner = ctx.io.progress('waiting for a block');
  let missing = 0;
  try {
    for (;;) {
      try {
        const info = await client.getTransaction(txid);
        missing = 0;
        if (info.status === 'confirmed') return info;
      } catch (err) {
        if (!isOurCoinError(err, 'TX_NOT_FOUND')) throw err;
        // Three misses in a row: neither in the mempool nor in a block (replaced or evicted).
        if (++missing >= 3) {
          throw new OurCoinError(
            'WALLET_TX_DROPPED',
            `the node no longer knows ${txid}: it left the mempool without being mined (replaced or evicted); check the balance and send again`,
            'transient',
          );
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new OurCoinError(
          'WALLET_WAIT_TIMEOUT',
          `${txid} is still not in a block after ${Math.round(timeoutMs / 1000)} s; it was sent and stays in the mempool: follow it with \`ourcoin wallet history\``,
          'transient',
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, left)));
    }
  } finally {
    spinner.stop();
  }
}
