/**
 * Undo data: the accounts a connected block changed, as they were before it.
 *
 *   undo = count u32 | count x (address 20 | balance u64 | nonce u64)
 *
 * Disconnecting a block writes these values back (deleting accounts that were empty), so
 * state after a disconnect is byte-for-byte the state before the connect.
 */
import { ByteReader, ByteWriter, EncodingErrorCode } from '../protocol/bytes.js';
import { ADDRESS_HASH_LENGTH } from '../protocol/address.js';
import { OurCoinError } from '../errors.js';
import { MAX_NONCE } from '../protocol/transaction.js';
import type { Account } from '../protocol/rules/state.js';

export interface UndoEntry {
  readonly address: Uint8Array;
  readonly before: Account;
}

export function encodeUndo(entries: readonly UndoEntry[]): Uint8Array {
  const w = new ByteWriter(4 + entries.length * 36).u32(entries.length);
  for (const e of entries) w.bytes(e.address).u64(e.before.balance).u64(BigInt(e.before.nonce));
  return w.finish();
}

export function decodeUndo(bytes: Uint8Array): UndoEntry[] {
  const r = new ByteReader(bytes, 'undo');
  const n = r.u32('count');
  const out: UndoEntry[] = [];
  for (let i = 0; i < n; i++) {
    const address = r.bytesN(ADDRESS_HASH_LENGTH, 'address');
    const balance = r.u64('balance');
    const nonce = r.u64('nonce');
    // As in transfers: a nonce past 2^53-1 would be silently rounded by Number().
    if (nonce > BigInt(MAX_NONCE))
      throw new OurCoinError(EncodingErrorCode.outOfRange, `undo: nonce ${nonce} exceeds 2^53-1`, 'encoding');
    out.push({ address, before: { balance, nonce: Number(nonce) } });
  }
  r.finish();
  return out;
}
