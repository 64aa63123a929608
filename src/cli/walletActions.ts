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
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { blstBls } from '../crypto/blst.js';
import { DEFAULT_MEMPOOL_LIMITS, MempoolErrorCode, minReplacementFee } from '../mempool/interface.js';
import { AddressErrorCode, decodeAddress, encodeAddress } from '../protocol/address.js';
import { formatCoins, parseCoins } from '../protocol/amount.js';
import { bytesEqual, toHex } from '../protocol/bytes.js';
import { OurCoinError, isOurCoinError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { networks } from '../protocol/networks.js';
import type { NetworkParams } from '../protocol/networks.js';
import { signTransfer } from '../protocol/signing.js';
import { transferToJson } from '../protocol/transaction.js';
import type { SignedTransfer, Transfer, TransferJson } from '../protocol/transaction.js';
import { newMnemonic, normalizeMnemonic } from '../wallet/derivation.js';
import { MIN_PASSWORD_LENGTH, WalletErrorCode } from '../wallet/interface.js';
import { KeystoreErrorCode, normalizePassword } from '../crypto/keystore.js';
import type { Keystore } from '../crypto/keystore.js';
import { readKeystoreFile, writeKeystoreFile } from '../crypto/keystoreFile.js';
import { NodeClient } from '../wallet/nodeClient.js';
import type { FeesJson, HistoryItem, TransactionInfo } from '../wallet/nodeClient.js';
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
    const short = confirm ? tooShort(given) : undefined;
    if (short) throw new OurCoinError(WalletErrorCode.passwordTooShort, `${purpose}: ${short}`, 'input');
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
    const short = tooShort(first);
    if (short) {
      ctx.io.note(`${short[0]!.toUpperCase()}${short.slice(1)}; try again.`);
      continue;
    }
    if ((await ctx.io.askSecret('Repeat the password: ')) === first) return first;
    ctx.io.note('The passwords differ; try again.');
  }
}

/**
 * Why a password for a new keystore is refused: under MIN_PASSWORD_LENGTH characters (after
 * EIP-2335's normalization). Keystores made before the rule still open with their password.
 */
function tooShort(password: string): string | undefined {
  const bytes = normalizePassword(password);
  const length = [...new TextDecoder().decode(bytes)].length;
  bytes.fill(0);
  return length < MIN_PASSWORD_LENGTH
    ? `a new password needs at least ${MIN_PASSWORD_LENGTH} characters (this one has ${length})`
    : undefined;
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
async function withPassword<T>(ctx: WalletContext, name: string, fn: (password: string) => T | Promise<T>): Promise<T> {
  const password = await askPassword(ctx, `Wallet "${name}"`);
  try {
    return await whileSpinning(ctx, 'opening the keystore', () => fn(password));
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

/** Runs `fn` with a spinner on a terminal's stderr: scrypt takes a second or two. */
export async function whileSpinning<T>(ctx: WalletContext, text: string, fn: () => T | Promise<T>): Promise<T> {
  const spinner = ctx.io.progress(text);
  try {
    return await fn();
  } finally {
    spinner.stop();
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

export interface NewWalletResult {
  readonly wallet: WalletInfo;
  readonly directory: string;
  readonly address: string;
  /** The recovery phrase: shown (and returned for --json) once, stored nowhere in clear. */
  readonly mnemonic: string;
}

/**
 * `new <name>`: a fresh 24-word wallet. Shows the phrase once; on a terminal, unless
 * `confirmPhrase` is false, asks for three of its words back before anything is written (so a
 * wallet is never created from a phrase nobody wrote down); then the address of account 0.
 */
export async function newWallet(ctx: WalletContext, name: string, confirmPhrase = true): Promise<NewWalletResult> {
  ensureFree(ctx, name);
  const password = await askPassword(ctx, `New wallet "${name}"`, true);
  const phrase = newMnemonic();
  ctx.io.out(`New wallet "${name}"`);
  showMnemonic(ctx, phrase);
  if (confirmPhrase && ctx.io.interactive) await checkPhraseWritten(ctx, phrase);
  const { wallet, mnemonic } = await whileSpinning(ctx, 'encrypting the keys', () =>
    ctx.store.create(name, password, phrase),
  );
  const directory = resolve(ctx.store.dir, name);
  const address = addressText(ctx, wallet.accounts[0]!);
  ctx.io.out(`Created wallet "${name}" in ${directory}`);
  ctx.io.out(`Address (account 0): ${address}`);
  return { wallet, directory, address, mnemonic };
}

/** How many words of a new phrase are asked back. */
export const PHRASE_CHECK_WORDS = 3;

/** Asks for three words of the phrase, at random places, until each is right (Ctrl-D gives up). */
async function checkPhraseWritten(ctx: WalletContext, phrase: string): Promise<void> {
  const words = phrase.split(' ');
  const places = new Set<number>();
  while (places.size < PHRASE_CHECK_WORDS) places.add(randomInt(words.length));
  ctx.io.note(`To be sure it is written down, type ${PHRASE_CHECK_WORDS} of its words (nothing is saved before).`);
  for (const i of [...places].sort((a, b) => a - b)) {
    while ((await ctx.io.ask(`Word #${i + 1}: `)).trim().toLowerCase() !== words[i]) {
      ctx.io.note(`That is not word #${i + 1}; look at what you wrote down (Ctrl-D stops, nothing is saved).`);
    }
  }
}

/** `restore <name>`: the same wallet (same addresses) from its recovery phrase. */
export async function restoreWallet(ctx: WalletContext, name: string, mnemonicFile?: string): Promise<WalletInfo> {
  ensureFree(ctx, name);
  const mnemonic = normalizeMnemonic(await readMnemonic(ctx, mnemonicFile));
  const password = await askPassword(ctx, `New wallet "${name}"`, true);
  const { wallet } = await whileSpinning(ctx, 'encrypting the keys', () => ctx.store.create(name, password, mnemonic));
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
export async function showAddress(ctx: WalletContext, name: string, index: number): Promise<AccountInfo> {
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
  ctx.io.out(addressText(ctx, acct));
  return acct;
}

/** `export-keystore`: the account's EIP-2335 keystore, to stdout or a new file (never overwritten). */
export function exportKeystore(ctx: WalletContext, name: string, index: number, out?: string): Keystore {
  account(ctx.store.get(name), index);
  const keystore = ctx.store.exportKeystore(name, index);
  if (out === undefined) {
    ctx.io.out(JSON.stringify(keystore, null, 2));
    return keystore;
  }
  writeKeystoreFile(out, keystore);
  ctx.io.out(
    `Wrote ${resolve(out)}: account ${index} of "${name}" (${keystore.path}), encrypted with this wallet's password`,
  );
  return keystore;
}

/** `import-keystore <name> <file>`: a one-account wallet from an EIP-2335 keystore, checked with its password. */
export async function importKeystore(ctx: WalletContext, name: string, file: string): Promise<WalletInfo> {
  ensureFree(ctx, name);
  const keystore = readKeystoreFile(file);
  const password = await askPassword(ctx, `Keystore ${file}`);
  let wallet: WalletInfo;
  try {
    wallet = await whileSpinning(ctx, 'checking the password', () =>
      ctx.store.importKeystore(name, keystore, password),
    );
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
  /** The wallet and account, when named by a wallet. */
  readonly wallet?: string;
  readonly index?: number;
}

const ADDRESS_LIKE = /^[a-z0-9]{1,83}1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{6,}$/i;

/** Bitcoin's address forms: bech32 (bc1, tb1, bcrt1) and base58 (1..., 3..., and testnet's m, n, 2). */
const BITCOIN_ADDRESS = /^(?:(?:bc|tb|bcrt)1[02-9ac-hj-np-z]{6,87}|[13mn2][1-9A-HJ-NP-Za-km-z]{25,34})$/i;

/**
 * An address of `ctx.network`, or a refusal that says what the text is instead: a Bitcoin
 * address, or an OurCoin address of another network (checked there, so a typo still reads as one).
 */
export function decodeRecipient(ctx: WalletContext, text: string): Uint8Array {
  const { network } = ctx;
  const expected = `${network.name} addresses start with "${network.addressPrefix}1"`;
  if (BITCOIN_ADDRESS.test(text)) {
    throw new OurCoinError(
      AddressErrorCode.wrongNetwork,
      `address ${text} is a Bitcoin address, not an OurCoin one (${expected})`,
      'input',
    );
  }
  for (const other of Object.values(networks)) {
    if (other === network || !text.toLowerCase().startsWith(`${other.addressPrefix}1`)) continue;
    decodeAddress(text, other);
    throw new OurCoinError(
      AddressErrorCode.wrongNetwork,
      `address ${text} is for ${other.name}, this wallet is on ${network.name} (${expected}; --network ${other.name} to use ${other.name})`,
      'input',
    );
  }
  return decodeAddress(text, network);
}

/** A wallet name (its account `index`) or an address; an address is checked for checksum and network. */
export function resolveTarget(ctx: WalletContext, nameOrAddress: string, index: number): Target {
  const text = nameOrAddress.trim();
  const isWallet = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(text) && ctx.store.has(text);
  if (!isWallet && (ADDRESS_LIKE.test(text) || BITCOIN_ADDRESS.test(text))) {
    const address = encodeAddress(decodeRecipient(ctx, text), ctx.network);
    return { address, label: address };
  }
  const acct = account(ctx.store.get(text), index);
  return { address: addressText(ctx, acct), label: `${text} (account ${index})`, wallet: text, index };
}

export interface Balance {
  readonly target: Target;
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
    target,
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
): Promise<{ target: Target; pending: number; transactions: HistoryItem[] }> {
  const target = resolveTarget(ctx, nameOrAddress, index);
  const history = await (await ctx.node()).history(target.address, { limit });
  const header = target.label === target.address ? target.address : `${target.label}  ${target.address}`;
  if (history.transactions.length === 0) {
    ctx.io.out(`${header}\n  no transactions yet`);
  } else {
    ctx.io.out(`${header}\n  ${history.transactions.length} most recent (${history.pending} pending):`);
    for (const item of history.transactions) ctx.io.out(`  ${formatHistoryItem(item)}`);
  }
  return { target, pending: history.pending, transactions: history.transactions };
}

// ---------------------------------------------------------------- sending

export interface SendRequest {
  readonly name: string;
  /** An address, or a wallet's name (its account 0). */
  readonly to: string;
  /** OUR, up to 8 decimals; absent with `max`. */
  readonly amount?: string;
  /** Send everything spendable minus the fee. */
  readonly max?: boolean;
  /** OUR; the node's estimate for within 3 blocks when absent. */
  readonly fee?: string;
  readonly index: number;
  /** Send without asking. */
  readonly yes: boolean;
  /** Wait until the transfer is in a block. */
  readonly wait: boolean;
  readonly timeoutSeconds?: number;
}

/** Where a transfer's fee came from: --fee, the node's estimate, or the minimum (a node without /fees). */
export type FeeSource = 'given' | 'estimate' | 'minimum';

export interface SendResult {
  readonly txid: string;
  readonly from: string;
  readonly to: string;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly feeSource: FeeSource;
  readonly nonce: number;
  /** `bump`: the transfer this one replaced. */
  readonly replaced?: string;
  readonly confirmed?: TransactionInfo;
}

/** Unlocks the account, signs `tx`, wipes the key. The key must match the account's public key. */
async function signWithAccount(
  ctx: WalletContext,
  name: string,
  acct: AccountInfo,
  password: string,
  tx: Transfer,
): Promise<SignedTransfer> {
  const secret = await ctx.store.unlock(name, acct.index, password);
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
export function explainRefusal(err: OurCoinError, from: string): OurCoinError {
  const hint: Partial<Record<ErrorCode, string>> = {
    [MempoolErrorCode.insufficientBalance]: `not enough coins at ${from} for this transfer and its pending ones; check: ourcoin wallet balance ${from}`,
    [MempoolErrorCode.feeTooLow]: `the fee is below what the node accepts; raise --fee (the minimum is ${formatCoins(DEFAULT_FEE)} OUR)`,
    [MempoolErrorCode.nonceTooLow]: 'another transfer from this account got in first; send again',
    [MempoolErrorCode.full]: 'the node is busy; try again later or raise --fee',
    [MempoolErrorCode.replacementFeeTooLow]: 'raise --fee to at least the fee named',
  };
  const extra = hint[err.code];
  return extra
    ? new OurCoinError(err.code, `the node refused the transfer: ${err.message} (${extra})`, err.kind, { cause: err })
    : err;
}

/** The node's fee estimates; undefined from a node without GET /api/v1/fees (older than this wallet). */
async function feeEstimates(client: NodeClient): Promise<FeesJson | undefined> {
  try {
    return await client.fees();
  } catch (err) {
    if (isOurCoinError(err) && err.kind === 'input') return undefined;
    throw err;
  }
}

/** `--fee`, else the node's estimate for `priority`, else the minimum fee. */
async function chooseFee(
  ctx: WalletContext,
  client: NodeClient,
  given: string | undefined,
  priority: 'fast' | 'normal',
): Promise<{ fee: bigint; source: FeeSource }> {
  if (given !== undefined) return { fee: parseCoins(given, 'fee'), source: 'given' };
  const estimates = await feeEstimates(client);
  if (!estimates) {
    ctx.io.note(`note: the node gives no fee estimates; paying the minimum fee ${formatCoins(DEFAULT_FEE)} OUR`);
    return { fee: DEFAULT_FEE, source: 'minimum' };
  }
  return { fee: BigInt(estimates[priority].fee), source: 'estimate' };
}

export const FEE_NOTE: Record<FeeSource, string> = {
  given: '',
  estimate: "  (the node's estimate: mined within 3 blocks)",
  minimum: '  (the minimum: the node gives no estimate)',
};

/** The spendable balance: the confirmed balance, less what pending transfers already take. */
function spendable(info: { balance: string; pendingBalance: string }): bigint {
  const confirmed = BigInt(info.balance);
  const pending = BigInt(info.pendingBalance);
  return pending < confirmed ? pending : confirmed;
}

export function refuseWithoutTerminal(ctx: WalletContext, yes: boolean): void {
  if (!yes && !ctx.io.interactive) {
    throw new OurCoinError(
      'WALLET_CONFIRM_REQUIRED',
      'not sending: there is no terminal to confirm on; add --yes to send without asking',
      'input',
    );
  }
}

/**
 * Shows the summary (on stderr when a question follows, so --json's stdout stays one document),
 * asks "Send it?" unless `yes`, signs with the account's key and submits.
 */
async function confirmSignSubmit(
  ctx: WalletContext,
  client: NodeClient,
  req: { name: string; acct: AccountInfo; yes: boolean; summary: string[] },
  tx: Transfer,
): Promise<{ txid: string; replaced?: string }> {
  const summary = req.summary.join('\n');
  if (req.yes) ctx.io.out(summary);
  else ctx.io.note(summary);
  if (!req.yes) {
    const answer = await ctx.io.ask('Send it? [y/N] ');
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new OurCoinError('WALLET_CANCELLED', 'not sent: not confirmed', 'input');
  }
  const signed = await withPassword(ctx, req.name, (password) =>
    signWithAccount(ctx, req.name, req.acct, password, tx),
  );
  const json = transferToJson(signed.tx, ctx.network, signed.signature);
  try {
    return await client.submit(json);
  } catch (err) {
    if (isOurCoinError(err, MempoolErrorCode.duplicate)) return { txid: json.txid };
    if (isOurCoinError(err)) throw explainRefusal(err, addressText(ctx, req.acct));
    throw err;
  }
}

/**
 * The amount asked for (0 with `max`, which the balance fixes later), with --fee checked too:
 * one of an amount and `max`, a positive amount, well-formed numbers.
 */
export function requestedAmount(req: {
  readonly amount?: string;
  readonly max?: boolean;
  readonly fee?: string;
}): bigint {
  if (req.max === (req.amount !== undefined)) {
    throw new OurCoinError(
      WalletErrorCode.badArguments,
      req.max ? 'give an amount or --max, not both' : 'no amount: give one (OUR) or --max to send everything',
      'input',
    );
  }
  const amount = req.amount === undefined ? 0n : parseCoins(req.amount, 'amount');
  if (!req.max && amount === 0n) throw new OurCoinError('AMOUNT_INVALID', 'amount: must be more than 0', 'input');
  if (req.fee !== undefined) parseCoins(req.fee, 'fee');
  return amount;
}

/**
 * What a transfer from `from` (named `label` in errors) pays: the amount asked (or, with
 * `max`, everything spendable less the fee), the fee (--fee or the node's estimate), and the
 * next nonce; WALLET_INSUFFICIENT_FUNDS when the spendable balance does not cover both.
 */
export async function fundTransfer(
  ctx: WalletContext,
  client: NodeClient,
  from: string,
  label: string,
  req: { readonly amount?: string; readonly max?: boolean; readonly fee?: string },
): Promise<{ amount: bigint; fee: bigint; source: FeeSource; nonce: number }> {
  let amount = requestedAmount(req);
  const info = await client.address(from);
  const available = spendable(info);
  const { fee, source } = await chooseFee(ctx, client, req.fee, 'normal');
  if (req.max) amount = available - fee;
  if (amount <= 0n || amount + fee > available) {
    throw new OurCoinError(
      'WALLET_INSUFFICIENT_FUNDS',
      req.max
        ? `${label} has ${formatCoins(available)} OUR available: nothing left after the fee ${formatCoins(fee)} OUR`
        : `${label} has ${formatCoins(available)} OUR available; ${formatCoins(amount)} OUR plus the fee ${formatCoins(fee)} OUR needs ${formatCoins(amount + fee)} OUR`,
      'input',
    );
  }
  return { amount, fee, source, nonce: info.nextNonce };
}

/**
 * `send`: builds, shows, confirms, signs and submits a transfer; with `wait`, follows it into a
 * block. Input is checked before anything is asked or sent: the recipient (an address of this
 * network, or a wallet's name), the amount (positive, at most 8 decimals; or `max`), the balance.
 */
export async function sendCoins(ctx: WalletContext, req: SendRequest): Promise<SendResult> {
  const { network, io } = ctx;
  const acct = account(ctx.store.get(req.name), req.index);
  const recipientTarget = resolveRecipient(ctx, req.to);
  requestedAmount(req);
  refuseWithoutTerminal(ctx, req.yes);
  const client = await ctx.node();
  const from = addressText(ctx, acct);
  const { amount, fee, source, nonce } = await fundTransfer(
    ctx,
    client,
    from,
    `${req.name} (account ${req.index})`,
    req,
  );
  const tx: Transfer = {
    chainId: network.chainId,
    senderPublicKey: acct.publicKey,
    recipient: recipientTarget.hash,
    amount,
    fee,
    nonce,
  };
  const to = recipientTarget.address;
  const { txid } = await confirmSignSubmit(
    ctx,
    client,
    {
      name: req.name,
      acct,
      yes: req.yes,
      summary: [
        `Send from wallet "${req.name}" (account ${req.index})`,
        `  from     ${from}`,
        `  to       ${to}${recipientTarget.wallet ? `  (wallet ${recipientTarget.wallet})` : ''}`,
        `  amount   ${formatCoins(amount)} OUR${req.max ? '  (everything spendable, less the fee)' : ''}`,
        `  fee      ${formatCoins(fee)} OUR${FEE_NOTE[source]}`,
        `  total    ${formatCoins(amount + fee)} OUR`,
        `  nonce    ${tx.nonce}`,
        `  network  ${network.name} (node ${client.url})`,
      ],
    },
    tx,
  );
  io.out(`Sent ${formatCoins(amount)} OUR to ${to}\ntxid ${txid}`);
  return followIfAsked(ctx, client, req, { txid, from, to, amount, fee, feeSource: source, nonce: tx.nonce });
}

/** With `wait`, follows the transfer into a block and adds it to the result. */
export async function followIfAsked(
  ctx: WalletContext,
  client: NodeClient,
  req: { readonly wait: boolean; readonly timeoutSeconds?: number },
  result: SendResult,
): Promise<SendResult> {
  if (!req.wait) return result;
  const timeoutMs = (req.timeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS) * 1000;
  const done = await waitForConfirmation(ctx, client, result.txid, timeoutMs);
  reportConfirmed(ctx, done);
  return { ...result, confirmed: done };
}

/** A recipient: a wallet's name (its account 0) or an address of this network. */
export function resolveRecipient(
  ctx: WalletContext,
  text: string,
): { hash: Uint8Array; address: string; wallet?: string } {
  const trimmed = text.trim();
  if (!ADDRESS_LIKE.test(trimmed) && /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(trimmed) && ctx.store.has(trimmed)) {
    const acct = account(ctx.store.get(trimmed), 0);
    return { hash: acct.address, address: addressText(ctx, acct), wallet: trimmed };
  }
  const hash = decodeRecipient(ctx, trimmed);
  return { hash, address: encodeAddress(hash, ctx.network) };
}

export interface BumpRequest {
  readonly txid: string;
  /** OUR; default: the larger of the replacement minimum and the node's next-block estimate. */
  readonly fee?: string;
  readonly yes: boolean;
  readonly wait: boolean;
  readonly timeoutSeconds?: number;
}

/** The wallet account that holds the key `senderPublicKey` (hex), if any. */
function ownerOf(ctx: WalletContext, senderPublicKey: string): { name: string; acct: AccountInfo } | undefined {
  const key = senderPublicKey.replace(/^0x/, '');
  for (const w of ctx.store.list()) {
    const acct = w.accounts.find((a) => toHex(a.publicKey).replace(/^0x/, '') === key);
    if (acct) return { name: w.name, acct };
  }
  return undefined;
}

/**
 * `bump <txid>`: replace-by-fee (docs/protocol.md 13.3). The same transfer (sender, nonce,
 * recipient, amount) again with a higher fee: at least the pending fee plus the replacement
 * increment, and by default what the node estimates for the next block.
 */
export async function bumpFee(ctx: WalletContext, req: BumpRequest): Promise<SendResult> {
  if (req.fee !== undefined) parseCoins(req.fee, 'fee');
  refuseWithoutTerminal(ctx, req.yes);
  const client = await ctx.node();
  const info = await client.getTransaction(req.txid);
  const old = info.transaction;
  if (old.type !== 'transfer') {
    throw new OurCoinError(WalletErrorCode.notOurs, `${req.txid} is a coinbase, not a transfer`, 'input');
  }
  if (info.status !== 'pending') {
    throw new OurCoinError(
      WalletErrorCode.notPending,
      `${old.txid} is already in block ${info.height}: only a pending transfer can be replaced`,
      'input',
    );
  }
  const owner = ownerOf(ctx, old.senderPublicKey);
  if (!owner) {
    throw new OurCoinError(
      WalletErrorCode.notOurs,
      `${old.txid} is from ${old.sender}, which is no wallet in ${ctx.store.dir}: only its sender can replace it`,
      'input',
    );
  }
  const oldFee = BigInt(old.fee);
  const least = minReplacementFee(oldFee, DEFAULT_FEE);
  const chosen = await chooseFee(ctx, client, req.fee, 'fast');
  const { source } = chosen;
  const fee = req.fee === undefined && chosen.fee < least ? least : chosen.fee;
  if (fee < least) {
    throw new OurCoinError(
      MempoolErrorCode.replacementFeeTooLow,
      `--fee ${formatCoins(fee)} OUR: a replacement of a transfer paying ${formatCoins(oldFee)} OUR must pay at least ${formatCoins(least)} OUR`,
      'input',
    );
  }
  const tx = replacementOf(ctx, old, owner.acct, fee);
  const from = addressText(ctx, owner.acct);
  const { txid, replaced } = await confirmSignSubmit(
    ctx,
    client,
    {
      name: owner.name,
      acct: owner.acct,
      yes: req.yes,
      summary: [
        `Replace ${old.txid} (wallet "${owner.name}", account ${owner.acct.index})`,
        `  to       ${old.recipient}`,
        `  amount   ${formatCoins(tx.amount)} OUR`,
        `  fee      ${formatCoins(fee)} OUR, was ${formatCoins(oldFee)} OUR${source === 'estimate' ? "  (at least the node's next-block estimate)" : ''}`,
        `  nonce    ${tx.nonce}`,
      ],
    },
    tx,
  );
  ctx.io.out(`Replaced ${old.txid}\ntxid ${txid}`);
  return followIfAsked(ctx, client, req, {
    txid,
    from,
    to: old.recipient,
    amount: tx.amount,
    fee,
    feeSource: source,
    nonce: tx.nonce,
    replaced: replaced ?? old.txid,
  });
}

/** The transfer `old` again with `fee`: same chain, sender, recipient, amount and nonce. */
function replacementOf(ctx: WalletContext, old: TransferJson, acct: AccountInfo, fee: bigint): Transfer {
  return {
    chainId: ctx.network.chainId,
    senderPublicKey: acct.publicKey,
    recipient: decodeAddress(old.recipient, ctx.network),
    amount: BigInt(old.amount),
    fee,
    nonce: old.nonce,
  };
}

/** `tx <txid>`: a pending or confirmed transaction, naming the wallets on either side. */
export async function showTransaction(
  ctx: WalletContext,
  txid: string,
): Promise<TransactionInfo & { wallets: Record<string, string> }> {
  const info = await (await ctx.node()).getTransaction(txid.trim());
  const tx = info.transaction;
  const mine = new Map<string, string>();
  for (const w of ctx.store.list())
    for (const a of w.accounts) {
      // Several wallets may hold one key (restored twice): the first by name tells.
      const address = addressText(ctx, a);
      if (!mine.has(address)) mine.set(address, `${w.name} (account ${a.index})`);
    }
  const named = (address: string): string => (mine.has(address) ? `${address}  (${mine.get(address)})` : address);
  const wallets: Record<string, string> = {};
  const lines = [`txid ${tx.txid}`];
  lines.push(
    info.status === 'confirmed'
      ? `  status         confirmed in block ${info.height} (${info.blockHash}), ${info.confirmations} confirmation${info.confirmations === 1 ? '' : 's'}`
      : '  status         pending (in the mempool)',
  );
  if (tx.type === 'transfer') {
    lines.push(`  from           ${named(tx.sender)}`);
    if (mine.has(tx.sender)) wallets.sender = mine.get(tx.sender)!;
  } else {
    lines.push('  from           mined (coinbase)');
  }
  lines.push(`  to             ${named(tx.recipient)}`);
  if (mine.has(tx.recipient)) wallets.recipient = mine.get(tx.recipient)!;
  lines.push(`  amount         ${formatCoins(BigInt(tx.amount))} OUR`);
  if (tx.type === 'transfer') {
    lines.push(`  fee            ${formatCoins(BigInt(tx.fee))} OUR`);
    lines.push(`  nonce          ${tx.nonce}`);
  }
  ctx.io.out(lines.join('\n'));
  return { ...info, wallets };
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
