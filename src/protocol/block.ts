/**
 * Blocks (protocol v2): a fixed 120-byte header, the coinbase, transfers WITHOUT signatures,
 * and ONE aggregate BLS signature over all transfers.
 *
 *   header (120 B) = version u32 (2) | height u32 | prevHash 32 | txRoot 32 | signatureHash 32
 *                    | timestamp u32 | bits u32 | nonce u64
 *   block          = header | coinbase (37 B) | count u32 | count x transfer (97 B) | aggregateSignature (96 B)
 *   blockHash      = sha256(nonce | sha256(header without nonce) | tag)   (pow.ts)
 *   txRoot         = merkleRoot([coinbaseTxid, txid_1, ..., txid_n])
 *   signatureHash  = sha256(aggregateSignature)
 *
 * The header commits to the transactions and to the aggregate signature, so a relayed block
 * cannot have either swapped without changing its hash. A block without transfers carries
 * the G2 point at infinity (0xc0 followed by 95 zero bytes), the aggregate of zero signatures.
 */
import {
  ByteReader,
  ByteWriter,
  EncodingErrorCode,
  checkLength,
  fromHex,
  toHex,
  u64FromJson,
  uintFromJson,
} from './bytes.js';
import { OurCoinError } from '../errors.js';
import { merkleRoot, sha256 } from './hash.js';
import { headerCommitment, powMessage } from './pow.js';
import {
  COINBASE_LENGTH,
  TRANSFER_LENGTH,
  coinbaseFromJson,
  coinbaseToJson,
  coinbaseTxid,
  encodeCoinbase,
  encodeTransfer,
  readCoinbase,
  readTransfer,
  transferFromJson,
  transferToJson,
  transferTxid,
} from './transaction.js';
import type { Coinbase, CoinbaseJson, Transfer, TransferJson } from './transaction.js';
import { SIGNATURE_LENGTH } from '../crypto/interface.js';
import type { NetworkParams } from './networks.js';

export const HEADER_LENGTH = 120;
export const BLOCK_VERSION = 2;
/** Bytes of a block that are not transfers: header, coinbase, count, aggregate signature. */
export const BLOCK_OVERHEAD = HEADER_LENGTH + COINBASE_LENGTH + 4 + SIGNATURE_LENGTH;

/**
 * Decoders refuse inputs above this before parsing anything: a guard against memory abuse,
 * set well above every network's consensus limit (maxBlockBytes) so that the consensus rule,
 * not the decoder, decides whether a block is too large.
 */
export const MAX_BLOCK_ENCODING_BYTES = 4_000_000;
/** Where the first transfer starts in a block's encoding (after the header, coinbase and count). */
const TRANSFERS_OFFSET = HEADER_LENGTH + COINBASE_LENGTH + 4;

export interface BlockHeader {
  readonly version: number;
  readonly height: number;
  readonly prevHash: Uint8Array;
  readonly txRoot: Uint8Array;
  readonly signatureHash: Uint8Array;
  /** Unix seconds. */
  readonly timestamp: number;
  /** Compact target, see pow.ts. */
  readonly bits: number;
  /** u64: any value the miner likes. */
  readonly nonce: bigint;
}

export interface Block {
  readonly header: BlockHeader;
  readonly coinbase: Coinbase;
  readonly transactions: readonly Transfer[];
  readonly aggregateSignature: Uint8Array;
}

export function encodeHeader(h: BlockHeader): Uint8Array {
  return new ByteWriter(HEADER_LENGTH)
    .u32(h.version)
    .u32(h.height)
    .bytes(checkLength(h.prevHash, 32, 'prevHash'))
    .bytes(checkLength(h.txRoot, 32, 'txRoot'))
    .bytes(checkLength(h.signatureHash, 32, 'signatureHash'))
    .u32(h.timestamp)
    .u32(h.bits)
    .u64(h.nonce)
    .finish();
}

export function readHeader(r: ByteReader): BlockHeader {
  return {
    version: r.u32('version'),
    height: r.u32('height'),
    prevHash: r.bytesN(32, 'prevHash'),
    txRoot: r.bytesN(32, 'txRoot'),
    signatureHash: r.bytesN(32, 'signatureHash'),
    timestamp: r.u32('timestamp'),
    bits: r.u32('bits'),
    nonce: r.u64('nonce'),
  };
}

export function decodeHeader(bytes: Uint8Array): BlockHeader {
  if (bytes.length !== HEADER_LENGTH) {
    // The reader names what is missing or left over.
    const r = new ByteReader(bytes, 'header');
    const h = readHeader(r);
    r.finish();
    return h;
  }
  // Exactly one header: one view and three copies, no reader (a light client decodes 100,000
  // in a row, and the reader's per-field allocations were a quarter of that time in GC).
  const v = new DataView(bytes.buffer, bytes.byteOffset, HEADER_LENGTH);
  return {
    version: v.getUint32(0, false),
    height: v.getUint32(4, false),
    prevHash: bytes.slice(8, 40),
    txRoot: bytes.slice(40, 72),
    signatureHash: bytes.slice(72, 104),
    timestamp: v.getUint32(104, false),
    bits: v.getUint32(108, false),
    nonce: v.getBigUint64(112, false),
  };
}

/** `encoding` may be passed when the caller has the header's bytes already (a light client's download). */
export function blockHash(header: BlockHeader, encoding: Uint8Array = encodeHeader(header)): Uint8Array {
  return sha256(powMessage(headerCommitment(encoding), header.nonce));
}

export function encodeBlock(block: Block): Uint8Array {
  const w = new ByteWriter(BLOCK_OVERHEAD + block.transactions.length * TRANSFER_LENGTH)
    .bytes(encodeHeader(block.header))
    .bytes(encodeCoinbase(block.coinbase))
    .u32(block.transactions.length);
  for (const tx of block.transactions) w.bytes(encodeTransfer(tx));
  return w.bytes(checkLength(block.aggregateSignature, SIGNATURE_LENGTH, 'aggregateSignature')).finish();
}

export function decodeBlock(bytes: Uint8Array): Block {
  if (bytes.length > MAX_BLOCK_ENCODING_BYTES) {
    throw new OurCoinError(
      EncodingErrorCode.tooLarge,
      `block: ${bytes.length} bytes is over the ${MAX_BLOCK_ENCODING_BYTES}-byte decoding limit`,
      'encoding',
    );
  }
  const r = new ByteReader(bytes, 'block');
  const header = readHeader(r);
  const coinbase = readCoinbase(r);
  const count = r.u32('transaction count');
  // Fixed-size transfers: the count must match the bytes present exactly, so a lying count
  // fails here before anything is allocated for it.
  const need = count * TRANSFER_LENGTH + SIGNATURE_LENGTH;
  if (r.remaining < need) {
    throw new OurCoinError(
      EncodingErrorCode.truncated,
      `block: ${count} transfers and the aggregate signature need ${need} bytes, ${r.remaining} left`,
      'encoding',
    );
  }
  if (r.remaining > need) {
    throw new OurCoinError(
      EncodingErrorCode.trailingBytes,
      `block: ${r.remaining - need} trailing bytes after ${count} transfers and the aggregate signature`,
      'encoding',
    );
  }
  const transactions: Transfer[] = [];
  for (let i = 0; i < count; i++) transactions.push(readTransfer(r));
  const aggregateSignature = r.bytesN(SIGNATURE_LENGTH, 'aggregateSignature');
  r.finish();
  const block = { header, coinbase, transactions, aggregateSignature };
  txidsOf.set(block, encodedTxids(bytes, count));
  return block;
}

/**
 * The txids of a block's transactions (coinbase first) hashed from its encoding. Every field
 * has one encoding, so a transaction's bytes in a block ARE its canonical encoding: no need
 * to decode and encode each transfer again (a third of a large block's import). The caller
 * has checked the layout (`peekBlock` or `decodeBlock`).
 */
export function encodedTxids(bytes: Uint8Array, transferCount: number): Uint8Array[] {
  const txids = [sha256(bytes.subarray(HEADER_LENGTH, HEADER_LENGTH + COINBASE_LENGTH))];
  for (let at = TRANSFERS_OFFSET, i = 0; i < transferCount; i++, at += TRANSFER_LENGTH)
    txids.push(sha256(bytes.subarray(at, at + TRANSFER_LENGTH)));
  return txids;
}

/**
 * A block encoding's header and transfer count, without decoding its transactions; undefined
 * when the header does not decode or the length does not match the count (`decodeBlock` then
 * names the problem). Lets a node judge a large block before spending time on its body.
 */
export function peekBlock(bytes: Uint8Array): { header: BlockHeader; transferCount: number } | undefined {
  if (bytes.length < BLOCK_OVERHEAD || bytes.length > MAX_BLOCK_ENCODING_BYTES) return undefined;
  const transferCount = new DataView(bytes.buffer, bytes.byteOffset).getUint32(TRANSFERS_OFFSET - 4);
  if (bytes.length !== BLOCK_OVERHEAD + transferCount * TRANSFER_LENGTH) return undefined;
  try {
    return { header: decodeHeader(bytes.subarray(0, HEADER_LENGTH)), transferCount };
  } catch {
    return undefined;
  }
}

export function blockSize(block: Block): number {
  return BLOCK_OVERHEAD + block.transactions.length * TRANSFER_LENGTH;
}

/**
 * Each block's txids, computed once: the body checks, the connect, the store's indexes, the
 * mempool and relay all need them, and hashing every transfer again costs more than the
 * rest of a fast-path import. Blocks are immutable, so the object is the key.
 */
const txidsOf = new WeakMap<Block, readonly Uint8Array[]>();

/** txids in commitment order: coinbase first. The array is shared: do not modify it. */
export function blockTxids(block: Block): readonly Uint8Array[] {
  let txids = txidsOf.get(block);
  if (!txids) {
    txids = [coinbaseTxid(block.coinbase), ...block.transactions.map(transferTxid)];
    txidsOf.set(block, txids);
  }
  return txids;
}

export function computeTxRoot(txids: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(txids);
}

export function signatureHashOf(aggregateSignature: Uint8Array): Uint8Array {
  return sha256(aggregateSignature);
}

// ---- JSON form (API) ----

export interface BlockHeaderJson {
  version: number;
  height: number;
  prevHash: string;
  txRoot: string;
  signatureHash: string;
  timestamp: number;
  bits: string;
  /** u64 as a decimal string, like amounts: a JSON number cannot hold every value. */
  nonce: string;
}

export interface BlockJson {
  hash: string;
  header: BlockHeaderJson;
  coinbase: CoinbaseJson;
  transactions: TransferJson[];
  aggregateSignature: string;
  size: number;
}

export function headerToJson(h: BlockHeader): BlockHeaderJson {
  return {
    version: h.version,
    height: h.height,
    prevHash: toHex(h.prevHash),
    txRoot: toHex(h.txRoot),
    signatureHash: toHex(h.signatureHash),
    timestamp: h.timestamp,
    bits: '0x' + h.bits.toString(16).padStart(8, '0'),
    nonce: h.nonce.toString(),
  };
}

export function blockToJson(block: Block, network: NetworkParams): BlockJson {
  return {
    hash: toHex(blockHash(block.header)),
    header: headerToJson(block.header),
    coinbase: coinbaseToJson(block.coinbase, network),
    transactions: block.transactions.map((tx) => transferToJson(tx, network)),
    aggregateSignature: toHex(block.aggregateSignature),
    size: blockSize(block),
  };
}

/** Rebuilds a header from its JSON form; a malformed field throws an error naming it. */
export function headerFromJson(value: BlockHeaderJson): BlockHeader {
  const u32 = (field: keyof BlockHeaderJson): number =>
    uintFromJson(value[field], field, 'u32', EncodingErrorCode.outOfRange);
  const bits = fromHex(value.bits, 'bits', 4);
  return {
    version: u32('version'),
    height: u32('height'),
    prevHash: fromHex(value.prevHash, 'prevHash', 32),
    txRoot: fromHex(value.txRoot, 'txRoot', 32),
    signatureHash: fromHex(value.signatureHash, 'signatureHash', 32),
    timestamp: u32('timestamp'),
    bits: new DataView(bits.buffer, bits.byteOffset).getUint32(0, false),
    nonce: u64FromJson(value.nonce, 'nonce'),
  };
}

/**
 * Rebuilds a block from its JSON form, trusting none of the values computed from the others
 * (hash, txids, sender, size): the caller recomputes whatever it wants to compare.
 */
export function blockFromJson(value: BlockJson, network: NetworkParams): Block {
  return {
    header: headerFromJson(value.header),
    coinbase: coinbaseFromJson(value.coinbase, network),
    transactions: value.transactions.map((tx) => transferFromJson(tx, network)),
    aggregateSignature: fromHex(value.aggregateSignature, 'aggregateSignature', SIGNATURE_LENGTH),
  };
}
