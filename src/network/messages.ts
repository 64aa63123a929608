/**
 * Peer-to-peer wire messages: fixed binary layouts, decoded strictly (exact lengths, no
 * trailing bytes, every count bounded before anything is allocated).
 *
 *   status       = version u32 | chainId u32 | genesisHash 32 | tipHash 32 | height u32 | cumulativeWork 32 | networkNameLen u8 | networkName
 *   headersReq   = count u8 (1..64) | count x locator hash 32 | maxHeaders u32 (1..2000)
 *   headersResp  = count u32 (<= 2000) | count x header 120
 *   blocksReq    = count u32 (1..128) | count x block hash 32
 *   txsReq       = count u32 (1..maxTransfersPerBlock) | count x txid 32
 *   txsResp      = count u32 | count x signed transfer 193
 *   compactBlock = header 120 | coinbase 37 | count u32 | count x txid 32 | aggregateSignature 96
 *
 * Blocks travel as their canonical encoding (docs/protocol.md), one per length-prefixed
 * frame in a blocks response.
 */
import { ByteReader, ByteWriter, EncodingErrorCode, bigIntToBytes, bytesToBigInt } from '../protocol/bytes.js';
import { OurCoinError } from '../errors.js';
import {
  COINBASE_LENGTH,
  TRANSFER_LENGTH,
  encodeCoinbase,
  readCoinbase,
  readTransfer,
  encodeSignedTransfer,
} from '../protocol/transaction.js';
import type { Coinbase, SignedTransfer } from '../protocol/transaction.js';
import { HEADER_LENGTH, encodeHeader, readHeader } from '../protocol/block.js';
import type { BlockHeader } from '../protocol/block.js';
import { SIGNATURE_LENGTH } from '../crypto/interface.js';

export const STATUS_VERSION = 1;
export const MAX_LOCATOR = 64;
export const MAX_HEADERS = 2000;
export const MAX_BLOCKS_PER_REQUEST = 128;
/** More transfers than fit in any block (1,000,000 / 97). */
export const MAX_TXIDS = 10_400;
const SIGNED_TRANSFER_LENGTH = TRANSFER_LENGTH + SIGNATURE_LENGTH;

export interface PeerStatus {
  readonly version: number;
  readonly networkName: string;
  readonly chainId: number;
  readonly genesisHash: Uint8Array;
  readonly tipHash: Uint8Array;
  readonly height: number;
  readonly cumulativeWork: bigint;
}

export interface CompactBlock {
  readonly header: BlockHeader;
  readonly coinbase: Coinbase;
  readonly txids: readonly Uint8Array[];
  readonly aggregateSignature: Uint8Array;
}

function bounded(n: number, min: number, max: number, what: string): number {
  if (n < min || n > max)
    throw new OurCoinError(EncodingErrorCode.outOfRange, `${what}: ${n} is outside [${min}, ${max}]`, 'encoding');
  return n;
}

function decodeWith<T>(bytes: Uint8Array, what: string, read: (r: ByteReader) => T): T {
  const r = new ByteReader(bytes, what);
  const value = read(r);
  r.finish();
  return value;
}

export function encodeStatus(s: PeerStatus): Uint8Array {
  const name = new TextEncoder().encode(s.networkName);
  return new ByteWriter()
    .u32(s.version)
    .u32(s.chainId)
    .bytes(s.genesisHash)
    .bytes(s.tipHash)
    .u32(s.height)
    .bytes(bigIntToBytes(s.cumulativeWork, 32))
    .u8(name.length)
    .bytes(name)
    .finish();
}

export function decodeStatus(bytes: Uint8Array): PeerStatus {
  return decodeWith(bytes, 'status', (r) => {
    const version = r.u32('version');
    const chainId = r.u32('chainId');
    const genesisHash = r.bytesN(32, 'genesisHash');
    const tipHash = r.bytesN(32, 'tipHash');
    const height = r.u32('height');
    const cumulativeWork = bytesToBigInt(r.bytesN(32, 'cumulativeWork'));
    const nameLen = bounded(r.u8('networkNameLen'), 1, 32, 'network name length');
    const networkName = new TextDecoder('latin1').decode(r.bytesN(nameLen, 'networkName'));
    if (!/^[a-z0-9-]+$/.test(networkName)) {
      throw new OurCoinError(
        EncodingErrorCode.outOfRange,
        'status: a network name is lowercase letters, digits and dashes',
        'encoding',
      );
    }
    return { version, networkName, chainId, genesisHash, tipHash, height, cumulativeWork };
  });
}

export function encodeHeadersRequest(locator: readonly Uint8Array[], maxHeaders: number): Uint8Array {
  const w = new ByteWriter().u8(locator.length);
  for (const h of locator) w.bytes(h);
  return w.u32(maxHeaders).finish();
}

export function decodeHeadersRequest(bytes: Uint8Array): { locator: Uint8Array[]; maxHeaders: number } {
  return decodeWith(bytes, 'headers request', (r) => {
    const n = bounded(r.u8('count'), 1, MAX_LOCATOR, 'locator size');
    const locator = Array.from({ length: n }, (_, i) => r.bytesN(32, `locator[${i}]`));
    return { locator, maxHeaders: bounded(r.u32('maxHeaders'), 1, MAX_HEADERS, 'maxHeaders') };
  });
}

export function encodeHeaders(headers: readonly BlockHeader[]): Uint8Array {
  const w = new ByteWriter(4 + headers.length * HEADER_LENGTH).u32(headers.length);
  for (const h of headers) w.bytes(encodeHeader(h));
  return w.finish();
}

export function decodeHeaders(bytes: Uint8Array): BlockHeader[] {
  return decodeWith(bytes, 'headers', (r) => {
    const n = bounded(r.u32('count'), 0, MAX_HEADERS, 'header count');
    if (r.remaining !== n * HEADER_LENGTH) {
      throw new OurCoinError(
        EncodingErrorCode.badLength,
        `headers: ${n} headers need ${n * HEADER_LENGTH} bytes, ${r.remaining} present`,
        'encoding',
      );
    }
    return Array.from({ length: n }, () => readHeader(r));
  });
}

function encodeHashes(hashes: readonly Uint8Array[]): Uint8Array {
  const w = new ByteWriter(4 + hashes.length * 32).u32(hashes.length);
  for (const h of hashes) w.bytes(h);
  return w.finish();
}

function decodeHashes(bytes: Uint8Array, what: string, max: number): Uint8Array[] {
  return decodeWith(bytes, what, (r) => {
    const n = bounded(r.u32('count'), 1, max, `${what} count`);
    return Array.from({ length: n }, (_, i) => r.bytesN(32, `hash[${i}]`));
  });
}

export const encodeBlocksRequest = encodeHashes;
export const decodeBlocksRequest = (b: Uint8Array): Uint8Array[] =>
  decodeHashes(b, 'blocks request', MAX_BLOCKS_PER_REQUEST);
export const encodeTxsRequest = encodeHashes;
export const decodeTxsRequest = (b: Uint8Array): Uint8Array[] => decodeHashes(b, 'transactions request', MAX_TXIDS);

export function encodeSignedTransfers(list: readonly SignedTransfer[]): Uint8Array {
  const w = new ByteWriter(4 + list.length * SIGNED_TRANSFER_LENGTH).u32(list.length);
  for (const s of list) w.bytes(encodeSignedTransfer(s));
  return w.finish();
}

export function decodeSignedTransfers(bytes: Uint8Array): SignedTransfer[] {
  return decodeWith(bytes, 'transactions', (r) => {
    const n = bounded(r.u32('count'), 0, MAX_TXIDS, 'transaction count');
    return Array.from({ length: n }, () => ({
      tx: readTransfer(r),
      signature: r.bytesN(SIGNATURE_LENGTH, 'signature'),
    }));
  });
}

export function encodeCompactBlock(cb: CompactBlock): Uint8Array {
  const w = new ByteWriter(HEADER_LENGTH + COINBASE_LENGTH + 4 + cb.txids.length * 32 + SIGNATURE_LENGTH)
    .bytes(encodeHeader(cb.header))
    .bytes(encodeCoinbase(cb.coinbase))
    .u32(cb.txids.length);
  for (const id of cb.txids) w.bytes(id);
  return w.bytes(cb.aggregateSignature).finish();
}

export function decodeCompactBlock(bytes: Uint8Array): CompactBlock {
  return decodeWith(bytes, 'compact block', (r) => {
    const header = readHeader(r);
    const coinbase = readCoinbase(r);
    const n = bounded(r.u32('count'), 0, MAX_TXIDS, 'txid count');
    if (r.remaining !== n * 32 + SIGNATURE_LENGTH) {
      throw new OurCoinError(
        EncodingErrorCode.badLength,
        `compact block: ${n} txids and a signature need ${n * 32 + SIGNATURE_LENGTH} bytes, ${r.remaining} present`,
        'encoding',
      );
    }
    const txids = Array.from({ length: n }, (_, i) => r.bytesN(32, `txid[${i}]`));
    return { header, coinbase, txids, aggregateSignature: r.bytesN(SIGNATURE_LENGTH, 'aggregateSignature') };
  });
}
