/**
 * Two transfers whose txids share their first hex digits (amounts ground until they do), for
 * tests of an ambiguous prefix search: a few hundred hashes, no signing.
 */
import { toHex } from '../../src/protocol/bytes.js';
import { regtest } from '../../src/protocol/networks.js';
import { transferTxid } from '../../src/protocol/transaction.js';
import type { TestKey } from './builder.js';

/**
 * Amounts for `from`'s transfers to `to` with nonces `nonce` and `nonce + 1` (fee `fee`)
 * whose txids start with the same `digits` hex digits, and that prefix (0x-hex).
 */
export function sharedTxidPrefix(
  from: TestKey,
  to: Uint8Array,
  nonce: number,
  fee: bigint,
  digits = 4,
): { amounts: [bigint, bigint]; prefix: string } {
  const head = (amount: bigint, n: number): string =>
    toHex(
      transferTxid({
        chainId: regtest.chainId,
        senderPublicKey: from.publicKey,
        recipient: to,
        amount,
        fee,
        nonce: n,
      }),
    ).slice(0, 2 + digits);
  const first = new Map<string, bigint>();
  for (let amount = 1_000n; ; amount++) {
    first.set(head(amount, nonce), amount);
    const match = first.get(head(amount, nonce + 1));
    if (match !== undefined) return { amounts: [match, amount], prefix: head(amount, nonce + 1) };
  }
}
