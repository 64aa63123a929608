/**
 * A deliberately plain model of the ledger, written independently of src/protocol/rules:
 * used to generate valid transfer sequences and to check the chain's state by replay.
 */
import { addressHashOf } from '../../src/protocol/address.js';
import type { Block } from '../../src/protocol/block.js';
import { toHex } from '../../src/protocol/bytes.js';
import type { SignedTransfer } from '../../src/protocol/transaction.js';
import type { TestKey } from './builder.js';
import { transfer } from './builder.js';

export type Ledger = Map<string, { balance: bigint; nonce: number }>;

export function replay(blocks: readonly Block[]): Ledger {
  const ledger: Ledger = new Map();
  const get = (a: Uint8Array) => ledger.get(toHex(a)) ?? { balance: 0n, nonce: 0 };
  for (const b of blocks) {
    for (const tx of b.transactions) {
      const from = addressHashOf(tx.senderPublicKey);
      const s = get(from);
      ledger.set(toHex(from), { balance: s.balance - tx.amount - tx.fee, nonce: s.nonce + 1 });
      const r = get(tx.recipient);
      ledger.set(toHex(tx.recipient), { balance: r.balance + tx.amount, nonce: r.nonce });
    }
    const m = get(b.coinbase.recipient);
    ledger.set(toHex(b.coinbase.recipient), { balance: m.balance + b.coinbase.amount, nonce: m.nonce });
  }
  return ledger;
}

/** Deterministic PRNG (mulberry32) so generated chains are the same every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` valid signed transfers among `keys`, advancing `ledger` as they would apply. */
export function randomTransfers(
  keys: readonly TestKey[],
  ledger: Ledger,
  count: number,
  rand: () => number,
): SignedTransfer[] {
  const out: SignedTransfer[] = [];
  while (out.length < count) {
    const from = keys[Math.floor(rand() * keys.length)]!;
    const to = keys[Math.floor(rand() * keys.length)]!;
    const s = ledger.get(toHex(from.address)) ?? { balance: 0n, nonce: 0 };
    const amount = BigInt(1 + Math.floor(rand() * 1_000_000));
    const fee = BigInt(Math.floor(rand() * 3000));
    if (s.balance < amount + fee) continue;
    out.push(transfer(from, to.address, amount, s.nonce, fee));
    ledger.set(toHex(from.address), { balance: s.balance - amount - fee, nonce: s.nonce + 1 });
    const r = ledger.get(toHex(to.address)) ?? { balance: 0n, nonce: 0 };
    ledger.set(toHex(to.address), { balance: r.balance + amount, nonce: r.nonce });
  }
  return out;
}
