/**
 * The state transition: apply a block's transfers, then its coinbase, to account state.
 *
 * For each transfer in block order: sender = address of its public key; its nonce must equal
 * the sender's next nonce; its balance must cover amount + fee; the sender is debited
 * amount + fee and its nonce incremented; the recipient is credited amount. Then the
 * coinbase recipient is credited, and the coinbase may claim at most subsidy(height) + fees.
 * The coinbase is credited last, so no transfer in the same block can spend it.
 *
 * Pure: reads through `AccountReader`, returns the changed accounts (with their previous
 * values, which are the undo data) and changes nothing on failure.
 */
import type { Block } from '../block.js';
import { toHex } from '../bytes.js';
import type { NetworkParams } from '../networks.js';
import { transferSender } from '../transaction.js';
import { RuleCode, ruleError } from './codes.js';
import { blockSubsidy } from './subsidy.js';

export interface Account {
  readonly balance: bigint;
  readonly nonce: number;
}

export const EMPTY_ACCOUNT: Account = { balance: 0n, nonce: 0 };

export interface AccountReader {
  /** The account at `address` (20 bytes); EMPTY_ACCOUNT when it has never been touched. */
  getAccount(address: Uint8Array): Account;
}

export interface AccountChange {
  readonly address: Uint8Array;
  readonly before: Account;
  readonly after: Account;
}

export interface StateTransition {
  /** Every account the block touched, in first-touched order. */
  readonly changes: AccountChange[];
  readonly fees: bigint;
}

/** Working copy of the accounts a block or a mempool sequence touches. */
export class AccountOverlay implements AccountReader {
  private readonly entries = new Map<string, { address: Uint8Array; before: Account; after: Account }>();
  /** Base reads, once per address: a transfer reads then writes each account it touches. */
  private readonly read = new Map<string, Account>();
  constructor(private readonly base: AccountReader) {}

  getAccount(address: Uint8Array): Account {
    const key = toHex(address);
    return this.entries.get(key)?.after ?? this.baseAccount(key, address);
  }

  setAccount(address: Uint8Array, after: Account): void {
    const key = toHex(address);
    const entry = this.entries.get(key);
    if (entry) entry.after = after;
    else this.entries.set(key, { address, before: this.baseAccount(key, address), after });
  }

  changes(): AccountChange[] {
    return [...this.entries.values()].map(({ address, before, after }) => ({ address, before, after }));
  }

  private baseAccount(key: string, address: Uint8Array): Account {
    let account = this.read.get(key);
    if (!account) {
      account = this.base.getAccount(address);
      this.read.set(key, account);
    }
    return account;
  }
}

export function applyBlockState(block: Block, state: AccountReader, network: NetworkParams): StateTransition {
  const overlay = new AccountOverlay(state);
  let fees = 0n;
  for (const tx of block.transactions) {
    const sender = transferSender(tx);
    const from = overlay.getAccount(sender);
    if (tx.nonce !== from.nonce) {
      throw ruleError(RuleCode.txBadNonce, `sender ${toHex(sender)} nonce ${tx.nonce}, expected ${from.nonce}`);
    }
    const cost = tx.amount + tx.fee;
    if (from.balance < cost) {
      throw ruleError(RuleCode.txInsufficientBalance, `sender ${toHex(sender)} has ${from.balance}, needs ${cost}`);
    }
    overlay.setAccount(sender, { balance: from.balance - cost, nonce: from.nonce + 1 });
    const to = overlay.getAccount(tx.recipient);
    overlay.setAccount(tx.recipient, { balance: to.balance + tx.amount, nonce: to.nonce });
    fees += tx.fee;
  }
  const allowed = blockSubsidy(block.header.height, network) + fees;
  if (block.coinbase.amount > allowed) {
    throw ruleError(
      RuleCode.coinbaseTooLarge,
      `coinbase claims ${block.coinbase.amount}, subsidy + fees is ${allowed}`,
    );
  }
  const miner = overlay.getAccount(block.coinbase.recipient);
  overlay.setAccount(block.coinbase.recipient, { balance: miner.balance + block.coinbase.amount, nonce: miner.nonce });
  return { changes: overlay.changes(), fees };
}
