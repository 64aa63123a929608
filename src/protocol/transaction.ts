/**
 * Transactions (account model): transfers, signed by their sender, and the coinbase.
 *
 * Canonical encodings are fixed-size (see docs/protocol.md, "Transactions"):
 *   transfer (97 B) = 0x01 | chainId u32 | senderPublicKey 48 | recipient 20 | amount u64 | fee u64 | nonce u64
 *   coinbase (37 B) = 0x00 | chainId u32 | height u32 | recipient 20 | amount u64
 *   txid = sha256(encoding)
 *
 * A transfer's signature is NOT part of its encoding or txid: in a block, all signatures are
 * replaced by one aggregate. The sender signs
 *   signingMessage = len(tag) u8 | tag "OURCOIN-TRANSFER-V1" | senderPublicKey 48 | txid 32
 * which commits to the chain id and the sender's key (message augmentation by construction:
 * two different signers never sign the same message), and whose length-prefixed tag keeps it
 * apart from anything else the protocol will ever sign.
 */
import { ByteReader, ByteWriter, EncodingErrorCode, checkLength, fromHex, toHex, uintFromJson } from './bytes.js';
import { OurCoinError } from '../errors.js';
import { sha256 } from './hash.js';
import { ADDRESS_HASH_LENGTH, addressHashOf, decodeAddress, encodeAddress } from './address.js';
import { parseBaseUnits } from './amount.js';
import type { NetworkParams } from './networks.js';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from '../crypto/interface.js';
import type { CodeOf } from '../errors.js';

/** Errors of transfers given as JSON (fields are checked by the encoding and amount codes). */
export const TransactionErrorCode = {
  badJson: 'TX_JSON_INVALID',
} as const;

declare module '../errors.js' {
  interface ErrorCodeRegistry {
    transaction: CodeOf<typeof TransactionErrorCode>;
  }
}

export const TX_TYPE_COINBASE = 0x00;
export const TX_TYPE_TRANSFER = 0x01;
export const TRANSFER_LENGTH = 97;
export const COINBASE_LENGTH = 37;
/** Nonces are u64 on the wire but must stay below 2^53 so every client can hold them exactly. */
export const MAX_NONCE = Number.MAX_SAFE_INTEGER;

export const TRANSFER_SIGNING_TAG = new TextEncoder().encode('OURCOIN-TRANSFER-V1');

export interface Transfer {
  readonly chainId: number;
  readonly senderPublicKey: Uint8Array;
  /** 20-byte address hash. */
  readonly recipient: Uint8Array;
  readonly amount: bigint;
  readonly fee: bigint;
  /** The sender's sequence number, from 0. */
  readonly nonce: number;
}

export interface SignedTransfer {
  readonly tx: Transfer;
  readonly signature: Uint8Array;
}

export interface Coinbase {
  readonly chainId: number;
  /** Height of the block it pays for: makes every coinbase txid unique. */
  readonly height: number;
  readonly recipient: Uint8Array;
  readonly amount: bigint;
}

export function encodeTransfer(tx: Transfer): Uint8Array {
  return new ByteWriter(TRANSFER_LENGTH)
    .u8(TX_TYPE_TRANSFER)
    .u32(tx.chainId)
    .bytes(checkLength(tx.senderPublicKey, PUBLIC_KEY_LENGTH, 'senderPublicKey'))
    .bytes(checkLength(tx.recipient, ADDRESS_HASH_LENGTH, 'recipient'))
    .u64(tx.amount)
    .u64(tx.fee)
    .u64(BigInt(checkNonce(tx.nonce)))
    .finish();
}

export function encodeCoinbase(cb: Coinbase): Uint8Array {
  return new ByteWriter(COINBASE_LENGTH)
    .u8(TX_TYPE_COINBASE)
    .u32(cb.chainId)
    .u32(cb.height)
    .bytes(checkLength(cb.recipient, ADDRESS_HASH_LENGTH, 'recipient'))
    .u64(cb.amount)
    .finish();
}

/** Reads one transfer from `r`; used alone and inside block decoding. */
export function readTransfer(r: ByteReader): Transfer {
  const type = r.u8('type');
  if (type !== TX_TYPE_TRANSFER) {
    throw new OurCoinError(
      EncodingErrorCode.badType,
      type === TX_TYPE_COINBASE
        ? 'a coinbase may only stand first in a block'
        : `unknown transaction type 0x${type.toString(16)}`,
      'encoding',
    );
  }
  const chainId = r.u32('chainId');
  const senderPublicKey = r.bytesN(PUBLIC_KEY_LENGTH, 'senderPublicKey');
  const recipient = r.bytesN(ADDRESS_HASH_LENGTH, 'recipient');
  const amount = r.u64('amount');
  const fee = r.u64('fee');
  const nonce = r.u64('nonce');
  if (nonce > BigInt(MAX_NONCE))
    throw new OurCoinError(EncodingErrorCode.outOfRange, `nonce ${nonce} exceeds 2^53-1`, 'encoding');
  return { chainId, senderPublicKey, recipient, amount, fee, nonce: Number(nonce) };
}

export function readCoinbase(r: ByteReader): Coinbase {
  const type = r.u8('type');
  if (type !== TX_TYPE_COINBASE) {
    throw new OurCoinError(EncodingErrorCode.badType, 'a block must start with its coinbase (type 0x00)', 'encoding');
  }
  return {
    chainId: r.u32('chainId'),
    height: r.u32('height'),
    recipient: r.bytesN(ADDRESS_HASH_LENGTH, 'recipient'),
    amount: r.u64('amount'),
  };
}

export function decodeTransfer(bytes: Uint8Array): Transfer {
  const r = new ByteReader(bytes, 'transfer');
  const tx = readTransfer(r);
  r.finish();
  return tx;
}

/** Signed transfer on the wire (mempool, gossip): transfer encoding (97 B) | signature (96 B). */
export function encodeSignedTransfer(stx: SignedTransfer): Uint8Array {
  return new ByteWriter(TRANSFER_LENGTH + SIGNATURE_LENGTH)
    .bytes(encodeTransfer(stx.tx))
    .bytes(checkLength(stx.signature, SIGNATURE_LENGTH, 'signature'))
    .finish();
}

export function decodeSignedTransfer(bytes: Uint8Array): SignedTransfer {
  const r = new ByteReader(bytes, 'signed transfer');
  const tx = readTransfer(r);
  const signature = r.bytesN(SIGNATURE_LENGTH, 'signature');
  r.finish();
  return { tx, signature };
}

export function transferTxid(tx: Transfer): Uint8Array {
  return sha256(encodeTransfer(tx));
}

export function coinbaseTxid(cb: Coinbase): Uint8Array {
  return sha256(encodeCoinbase(cb));
}

/** The exact bytes a sender signs for `tx`; pass `txid` when it is already known. */
export function signingMessage(tx: Transfer, txid: Uint8Array = transferTxid(tx)): Uint8Array {
  return new ByteWriter(1 + TRANSFER_SIGNING_TAG.length + PUBLIC_KEY_LENGTH + 32)
    .u8(TRANSFER_SIGNING_TAG.length)
    .bytes(TRANSFER_SIGNING_TAG)
    .bytes(tx.senderPublicKey)
    .bytes(txid)
    .finish();
}

function checkNonce(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new OurCoinError(EncodingErrorCode.outOfRange, `nonce ${n} is not an integer in [0, 2^53-1]`, 'encoding');
  return n;
}

// ---- JSON forms (API): bytes as 0x-hex, amounts as decimal strings, addresses bech32m ----

export interface TransferJson {
  type: 'transfer';
  txid: string;
  chainId: number;
  senderPublicKey: string;
  sender: string;
  recipient: string;
  amount: string;
  fee: string;
  nonce: number;
  signature?: string;
}

export interface CoinbaseJson {
  type: 'coinbase';
  txid: string;
  chainId: number;
  height: number;
  recipient: string;
  amount: string;
}

export function transferToJson(tx: Transfer, network: NetworkParams, signature?: Uint8Array): TransferJson {
  const json: TransferJson = {
    type: 'transfer',
    txid: toHex(transferTxid(tx)),
    chainId: tx.chainId,
    senderPublicKey: toHex(tx.senderPublicKey),
    sender: senderAddress(tx, network),
    recipient: encodeAddress(tx.recipient, network),
    amount: tx.amount.toString(),
    fee: tx.fee.toString(),
    nonce: tx.nonce,
  };
  if (signature) json.signature = toHex(signature);
  return json;
}

export function coinbaseToJson(cb: Coinbase, network: NetworkParams): CoinbaseJson {
  return {
    type: 'coinbase',
    txid: toHex(coinbaseTxid(cb)),
    chainId: cb.chainId,
    height: cb.height,
    recipient: encodeAddress(cb.recipient, network),
    amount: cb.amount.toString(),
  };
}

const TX_JSON_INVALID = 'TX_JSON_INVALID';

function jsonObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    throw new OurCoinError(TX_JSON_INVALID, `${what}: expected a JSON object`, 'input');
  }
  return value as Record<string, unknown>;
}

/**
 * Rebuilds a transfer from its JSON form, each field checked and named in the error; the
 * read-only fields (txid, sender, type, signature) are ignored.
 */
export function transferFromJson(value: unknown, network: NetworkParams): Transfer {
  const o = jsonObject(value, 'transaction');
  // The integers first, so a transfer with several bad fields names the same one it always did.
  const chainId = uintFromJson(o.chainId, 'chainId', 'u32', TX_JSON_INVALID);
  const nonce = uintFromJson(o.nonce, 'nonce', 'safe', TX_JSON_INVALID);
  return {
    chainId,
    senderPublicKey: fromHex(o.senderPublicKey, 'senderPublicKey', PUBLIC_KEY_LENGTH),
    recipient: decodeAddress(o.recipient, network),
    amount: parseBaseUnits(o.amount, 'amount'),
    fee: parseBaseUnits(o.fee, 'fee'),
    nonce,
  };
}

/** Parses a signed transfer from API JSON; extra read-only fields (txid, sender, type) are ignored. */
export function signedTransferFromJson(value: unknown, network: NetworkParams): SignedTransfer {
  const tx = transferFromJson(value, network);
  return { tx, signature: fromHex((value as Record<string, unknown>).signature, 'signature', SIGNATURE_LENGTH) };
}

/** Rebuilds a coinbase from its JSON form (txid and type are ignored). */
export function coinbaseFromJson(value: unknown, network: NetworkParams): Coinbase {
  const o = jsonObject(value, 'coinbase');
  return {
    chainId: uintFromJson(o.chainId, 'chainId', 'u32', TX_JSON_INVALID),
    height: uintFromJson(o.height, 'height', 'u32', TX_JSON_INVALID),
    recipient: decodeAddress(o.recipient, network),
    amount: parseBaseUnits(o.amount, 'amount'),
  };
}

export function senderAddress(tx: Transfer, network: NetworkParams): string {
  return encodeAddress(transferSender(tx), network);
}

/** Sender address hashes, once per transfer: state rules, store indexes and mempool all ask. */
const senderOf = new WeakMap<Transfer, Uint8Array>();

/** The 20-byte address hash of the sender. The array is shared: do not modify it. */
export function transferSender(tx: Transfer): Uint8Array {
  let sender = senderOf.get(tx);
  if (!sender) {
    sender = addressHashOf(tx.senderPublicKey);
    senderOf.set(tx, sender);
  }
  return sender;
}
