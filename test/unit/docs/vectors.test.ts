/**
 * docs/vectors/protocol.json against the code: every output in the file is RECOMPUTED here
 * from its inputs (keys from their seeds, encodings from fields, txids, signing messages,
 * signatures, Merkle roots, targets and work, headers, hashes, whole blocks), so a vector
 * that disagrees with the code fails. The generator (scripts/protocol-vectors.ts) is never
 * run here.
 *
 * Where cheap, outputs are also rebuilt by hand from docs/protocol.md's layouts (byte
 * concatenation, the Merkle and compact-bits algorithms), so the vectors, the spec and the
 * code are checked against each other. noble (~20 ms per pairing) only checks the first
 * transfer; blst checks everything.
 *
 * The "chain" section is also replayed: through a real Chain on a fresh SQLite store, and
 * through applyBlockState alone on an in-memory state, and both must end in its accounts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { concatBytes as concat } from '@noble/hashes/utils.js';
import { blstBls } from '../../../src/crypto/blst.js';
import { solveBlock } from '../../../src/miner/solve.js';
import { withNonce } from '../../../src/protocol/assemble.js';
import {
  INFINITY_SIGNATURE,
  PUBLIC_KEY_LENGTH,
  SECRET_KEY_LENGTH,
  SIGNATURE_LENGTH,
} from '../../../src/crypto/interface.js';
import { nobleBls } from '../../../src/crypto/noble.js';
import { addressHashOf, decodeAddress, encodeAddress } from '../../../src/protocol/address.js';
import { MAX_MONEY, parseBaseUnits } from '../../../src/protocol/amount.js';
import {
  BLOCK_OVERHEAD,
  HEADER_LENGTH,
  blockHash,
  blockSize,
  blockTxids,
  decodeBlock,
  decodeHeader,
  encodeBlock,
  encodeHeader,
  headerToJson,
} from '../../../src/protocol/block.js';
import type { Block, BlockHeader, BlockHeaderJson } from '../../../src/protocol/block.js';
import { bigIntToBytes, bytesToBigInt, fromHex, toHex } from '../../../src/protocol/bytes.js';
import { OurCoinError } from '../../../src/errors.js';
import { genesisBlock } from '../../../src/protocol/genesis.js';
import { merkleRoot, sha256 } from '../../../src/protocol/hash.js';
import { networkByName, regtest } from '../../../src/protocol/networks.js';
import type { NetworkParams } from '../../../src/protocol/networks.js';
import { decodeCompact, encodeCompact, hashMeetsTarget, workForTarget } from '../../../src/protocol/pow.js';
import { checkBlockBody } from '../../../src/protocol/rules/body.js';
import { checkHeaderContextFree, checkHeaderContextual } from '../../../src/protocol/rules/header.js';
import { verifyBlockSignature } from '../../../src/protocol/rules/signature.js';
import { EMPTY_ACCOUNT, applyBlockState } from '../../../src/protocol/rules/state.js';
import type { Account, AccountReader } from '../../../src/protocol/rules/state.js';
import { blockSubsidy } from '../../../src/protocol/rules/subsidy.js';
import {
  COINBASE_LENGTH,
  TRANSFER_LENGTH,
  coinbaseTxid,
  decodeSignedTransfer,
  decodeTransfer,
  encodeCoinbase,
  encodeSignedTransfer,
  encodeTransfer,
  signingMessage,
  transferTxid,
} from '../../../src/protocol/transaction.js';
import type { Coinbase, Transfer } from '../../../src/protocol/transaction.js';
import { openTestChain } from '../../helpers/chain.js';

// ---------------------------------------------------------------- the file's shape

interface KeyVector {
  seed: string;
  secretKey: string;
  publicKey: string;
  addressHash: string;
  address: { regtest: string; devnet: string };
}

interface TransferVector {
  description: string;
  network: string;
  senderKey: number;
  recipientKey: number;
  chainId: number;
  chainIdHex: string;
  senderPublicKey: string;
  sender: string;
  recipient: string;
  recipientHash: string;
  amount: string;
  fee: string;
  nonce: number;
  encoding: string;
  txid: string;
  signingMessage: string;
  signature: string;
  signedEncoding: string;
}

interface CoinbaseVector {
  network: string;
  chainId: number;
  chainIdHex: string;
  height: number;
  recipient: string;
  recipientHash: string;
  amount: string;
  encoding: string;
  txid: string;
}

interface BlockVector {
  description?: string;
  transfers?: number[];
  network: string;
  header: BlockHeaderJson;
  coinbase: CoinbaseVector;
  txids: string[];
  txRoot: string;
  aggregateSignature: string;
  signatureHash: string;
  headerEncoding: string;
  headerCommitment: string;
  powMessage: string;
  hash: string;
  blockEncoding: string;
  size: number;
}

/** A transfer's fields: all that is needed to rebuild it. */
type TransferFields = Pick<
  TransferVector,
  'chainId' | 'senderPublicKey' | 'recipientHash' | 'amount' | 'fee' | 'nonce'
>;

/** A transfer inside a "chain" block; its signature is in the block's "signatures". */
interface ChainTransferVector extends TransferFields {
  senderKey: number;
  recipientKey: number;
  sender: string;
  recipient: string;
  encoding: string;
  txid: string;
  signingMessage: string;
}

interface AccountVector {
  key?: number;
  addressHash: string;
  address: string;
  balance: string;
  nonce: number;
}

interface ChainBlockVector extends BlockVector {
  description: string;
  transactions: ChainTransferVector[];
  fees: string;
  signatures: string[];
  accounts: AccountVector[];
  cumulativeWork: string;
}

interface Vectors {
  about: { keyDerivation: string };
  keys: KeyVector[];
  transfers: TransferVector[];
  coinbase: CoinbaseVector & { description: string };
  merkle: { txids: string[]; levels: string[][]; root: string }[];
  compactBits: {
    valid: {
      bits: string;
      note: string;
      target: string;
      work: string;
      withinPowLimit: { devnet: boolean; regtest: boolean };
    }[];
    nonCanonical: { bits: string; reason: string; network?: string; note: string; expectedCode: string }[];
  };
  genesis: { devnet: BlockVector; regtest: BlockVector };
  block: BlockVector & { transfers: number[] };
  emptyBlock: BlockVector & { transfers: number[] };
  invalid: {
    description: string;
    expectedCode: string;
    expectedKind: string;
    notes: string;
    hash: string;
    blockEncoding: string;
  }[];
  chain: {
    description: string;
    network: string;
    genesis: { hash: string; cumulativeWork: string; accounts: AccountVector[] };
    blocks: ChainBlockVector[];
  };
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../docs/vectors/protocol.json', import.meta.url), 'utf8'),
) as Vectors;

// ---------------------------------------------------------------- helpers

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => toHex(b);
const b = (h: string, length?: number): Uint8Array => fromHex(h, 'vector', length);
const u8 = (n: number): Uint8Array => Uint8Array.of(n);
const u32 = (n: number): Uint8Array => bigIntToBytes(BigInt(n), 4);
const u64 = (n: bigint): Uint8Array => bigIntToBytes(n, 8);
/** u8(19) | "OURCOIN-TRANSFER-V1" (19) | senderPublicKey (48) | txid (32). */
const SIGNING_MESSAGE_LENGTH = 1 + 19 + PUBLIC_KEY_LENGTH + 32;
const bitsOf = (s: string): number => {
  expect(s).toMatch(/^0x[0-9a-f]{8}$/);
  return Number.parseInt(s.slice(2), 16);
};

/** The key derivation stated in the file's "about.keyDerivation". */
function secretKeyFromSeed(seed: string): Uint8Array {
  const sk = sha256(ascii(seed)).slice();
  sk[0] = sk[0]! & 0x3f;
  return sk;
}

function secretKeyOf(i: number): Uint8Array {
  return secretKeyFromSeed(vectors.keys[i]!.seed);
}

function transferFromVector(t: TransferFields): Transfer {
  return {
    chainId: t.chainId,
    senderPublicKey: b(t.senderPublicKey, PUBLIC_KEY_LENGTH),
    recipient: b(t.recipientHash, 20),
    amount: parseBaseUnits(t.amount, 'amount'),
    fee: parseBaseUnits(t.fee, 'fee'),
    nonce: t.nonce,
  };
}

function coinbaseFromVector(c: CoinbaseVector): Coinbase {
  return {
    chainId: c.chainId,
    height: c.height,
    recipient: b(c.recipientHash, 20),
    amount: parseBaseUnits(c.amount, 'amount'),
  };
}

function headerFromVector(h: BlockHeaderJson): BlockHeader {
  return {
    version: h.version,
    height: h.height,
    prevHash: b(h.prevHash, 32),
    txRoot: b(h.txRoot, 32),
    signatureHash: b(h.signatureHash, 32),
    timestamp: h.timestamp,
    bits: bitsOf(h.bits),
    nonce: BigInt(h.nonce),
  };
}

/** Transfer layout of docs/protocol.md 4.1, by hand. */
function transferBySpec(tx: Transfer): Uint8Array {
  return concat(
    u8(0x01),
    u32(tx.chainId),
    tx.senderPublicKey,
    tx.recipient,
    u64(tx.amount),
    u64(tx.fee),
    u64(BigInt(tx.nonce)),
  );
}

/** Coinbase layout of docs/protocol.md 4.2, by hand. */
function coinbaseBySpec(cb: Coinbase): Uint8Array {
  return concat(u8(0x00), u32(cb.chainId), u32(cb.height), cb.recipient, u64(cb.amount));
}

/** Header layout of docs/protocol.md 5.1, by hand. */
function headerBySpec(h: BlockHeader): Uint8Array {
  return concat(
    u32(h.version),
    u32(h.height),
    h.prevHash,
    h.txRoot,
    h.signatureHash,
    u32(h.timestamp),
    u32(h.bits),
    u64(h.nonce),
  );
}

/** Proof-of-work message of docs/protocol.md 6, by hand: nonce | sha256(header bytes 0..112) | tag. */
function powMessageBySpec(headerEncoding: Uint8Array): Uint8Array {
  const nonce = headerEncoding.subarray(112, 120);
  return concat(nonce, sha256(headerEncoding.subarray(0, 112)), new TextEncoder().encode('OurCoin proof of work v2'));
}

/** Signing message of docs/protocol.md 4.3, by hand. */
function signingMessageBySpec(senderPublicKey: Uint8Array, txid: Uint8Array): Uint8Array {
  const tag = ascii('OURCOIN-TRANSFER-V1');
  return concat(u8(tag.length), tag, senderPublicKey, txid);
}

/** Merkle levels of docs/protocol.md 5.3, by hand: level 0 are the leaf hashes, the last is [root]. */
function merkleLevelsBySpec(txids: readonly Uint8Array[]): Uint8Array[][] {
  const levels = [txids.map((id) => sha256(concat(u8(0x00), id)))];
  while (levels[levels.length - 1]!.length > 1) {
    const level = levels[levels.length - 1]!;
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      next.push(right === undefined ? level[i]! : sha256(concat(u8(0x01), level[i]!, right)));
    }
    levels.push(next);
  }
  return levels;
}

/** Compact bits of docs/protocol.md section 6, by hand: the target, or why the bits are invalid. */
function decodeBitsBySpec(bits: number): bigint | 'negative' | 'zero' | 'overflow' | 'non-canonical' {
  if (bits & 0x0080_0000) return 'negative';
  const size = bits >>> 24;
  const mantissa = BigInt(bits & 0x007f_ffff);
  const target = size <= 3 ? mantissa >> BigInt(8 * (3 - size)) : mantissa << BigInt(8 * (size - 3));
  if (target === 0n) return 'zero';
  if (target >= 1n << 256n) return 'overflow';
  let encSize = Math.ceil(target.toString(16).length / 2);
  let encMantissa = encSize <= 3 ? target << BigInt(8 * (3 - encSize)) : target >> BigInt(8 * (encSize - 3));
  if (encMantissa & 0x80_0000n) {
    encMantissa >>= 8n;
    encSize += 1;
  }
  return (BigInt(encSize) << 24n) + encMantissa === BigInt(bits) ? target : 'non-canonical';
}

/** The first rule a height-1 regtest block breaks (7.1, 7.2 with the regtest genesis as parent, 7.3, 7.5), or undefined. */
function firstFailure(block: Block): { code: string; kind: string } | undefined {
  const genesis = genesisBlock(regtest).header;
  try {
    checkHeaderContextFree(block.header, regtest);
    checkHeaderContextual(block.header, { parent: genesis, ancestor: () => genesis }, regtest, block.header.timestamp);
    const txids = checkBlockBody(block, regtest);
    verifyBlockSignature(block, txids.slice(1), blstBls);
    return undefined;
  } catch (err) {
    if (err instanceof OurCoinError) return { code: err.code, kind: err.kind };
    throw err;
  }
}

/** The code of the first rule `block` breaks on top of `headers` (7.1, 7.3, 7.2, 7.4, 7.5), or undefined. */
function firstFailureOnChain(
  block: Block,
  headers: readonly BlockHeader[],
  state: AccountReader,
): { code: string; kind: string } | undefined {
  try {
    checkHeaderContextFree(block.header, regtest);
    const txids = checkBlockBody(block, regtest);
    const ctx = { parent: headers.at(-1)!, ancestor: (h: number) => headers[h]! };
    checkHeaderContextual(block.header, ctx, regtest, block.header.timestamp);
    applyBlockState(block, state, regtest);
    verifyBlockSignature(block, txids.slice(1), blstBls);
    return undefined;
  } catch (err) {
    if (err instanceof OurCoinError) return { code: err.code, kind: err.kind };
    throw err;
  }
}

function expectCoinbase(c: CoinbaseVector): Coinbase {
  const network = networkByName(c.network);
  const cb = coinbaseFromVector(c);
  expect(c.chainId).toBe(network.chainId);
  expect(c.chainIdHex).toBe('0x' + c.chainId.toString(16).padStart(8, '0'));
  expect(hex(decodeAddress(c.recipient, network))).toBe(c.recipientHash);
  const encoding = encodeCoinbase(cb);
  expect(encoding).toHaveLength(COINBASE_LENGTH);
  expect(hex(encoding)).toBe(c.encoding);
  expect(hex(coinbaseBySpec(cb))).toBe(c.encoding);
  expect(hex(coinbaseTxid(cb))).toBe(c.txid);
  expect(hex(sha256(encoding))).toBe(c.txid);
  return cb;
}

/** Rebuilds a block vector from its inputs (header fields, coinbase fields, transfers) and checks every output. */
function expectBlock(v: BlockVector, transfers: readonly (TransferFields & { signature: string })[]): Block {
  const network = networkByName(v.network);
  const coinbase = expectCoinbase(v.coinbase);
  const transactions = transfers.map(transferFromVector);
  const txids = [coinbaseTxid(coinbase), ...transactions.map(transferTxid)];
  expect(txids.map(hex)).toEqual(v.txids);
  const txRoot = merkleRoot(txids);
  expect(hex(txRoot)).toBe(v.txRoot);
  const levels = merkleLevelsBySpec(txids);
  expect(hex(levels[levels.length - 1]![0]!)).toBe(v.txRoot);

  const aggregate =
    transactions.length === 0
      ? INFINITY_SIGNATURE
      : blstBls.aggregateSignatures(transfers.map((t) => b(t.signature, SIGNATURE_LENGTH)));
  expect(hex(aggregate)).toBe(v.aggregateSignature);
  const signatureHash = sha256(aggregate);
  expect(hex(signatureHash)).toBe(v.signatureHash);

  const header = headerFromVector(v.header);
  expect(hex(header.txRoot)).toBe(v.txRoot);
  expect(hex(header.signatureHash)).toBe(v.signatureHash);
  const headerEncoding = encodeHeader(header);
  expect(headerEncoding).toHaveLength(HEADER_LENGTH);
  expect(hex(headerEncoding)).toBe(v.headerEncoding);
  expect(hex(headerBySpec(header))).toBe(v.headerEncoding);
  expect(headerToJson(decodeHeader(headerEncoding))).toEqual(v.header);
  expect(hex(blockHash(header))).toBe(v.hash);
  expect(hex(sha256(headerEncoding.subarray(0, 112)))).toBe(v.headerCommitment);
  expect(hex(powMessageBySpec(headerEncoding))).toBe(v.powMessage);
  expect(powMessageBySpec(headerEncoding)).toHaveLength(64);
  expect(hex(sha256(b(v.powMessage)))).toBe(v.hash);
  expect(hashMeetsTarget(blockHash(header), decodeCompact(header.bits))).toBe(true);

  const block: Block = { header, coinbase, transactions, aggregateSignature: aggregate };
  const encoding = encodeBlock(block);
  expect(hex(encoding)).toBe(v.blockEncoding);
  expect(
    hex(
      concat(
        headerEncoding,
        encodeCoinbase(coinbase),
        u32(transactions.length),
        ...transactions.map(transferBySpec),
        aggregate,
      ),
    ),
  ).toBe(v.blockEncoding);
  expect(hex(encodeBlock(decodeBlock(encoding)))).toBe(v.blockEncoding);
  expect(blockTxids(decodeBlock(encoding)).map(hex)).toEqual(v.txids);
  expect(blockSize(block)).toBe(v.size);
  expect(encoding.length).toBe(v.size);
  expect(v.size).toBe(BLOCK_OVERHEAD + TRANSFER_LENGTH * transactions.length);
  expect(coinbase.height).toBe(header.height);
  expect(coinbase.chainId).toBe(network.chainId);
  return block;
}

/** In-memory account state, as a re-implementer would keep it: zero accounts are dropped. */
class MemoryState implements AccountReader {
  private readonly map = new Map<string, Account>();

  getAccount(address: Uint8Array): Account {
    return this.map.get(hex(address)) ?? EMPTY_ACCOUNT;
  }

  set(address: Uint8Array, account: Account): void {
    if (account.balance === 0n && account.nonce === 0) this.map.delete(hex(address));
    else this.map.set(hex(address), account);
  }

  /** The whole state in the vectors' "accounts" form: every non-empty account, by addressHash ascending. */
  toVector(): AccountVector[] {
    return [...this.map.entries()]
      .sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))
      .map(([addressHash, account]) => {
        const key = vectors.keys.findIndex((k) => k.addressHash === addressHash);
        return {
          ...(key >= 0 ? { key } : {}),
          addressHash,
          address: encodeAddress(b(addressHash, 20), regtest),
          balance: account.balance.toString(),
          nonce: account.nonce,
        };
      });
  }
}

const accountOf = (a: AccountVector): Account => ({ balance: BigInt(a.balance), nonce: a.nonce });

/** Every address the chain section could have touched: the keys, the genesis coinbase recipient, everything listed. */
function chainAddresses(): string[] {
  const c = vectors.chain;
  const all = new Set<string>([
    ...vectors.keys.map((k) => k.addressHash),
    vectors.genesis.regtest.coinbase.recipientHash,
    ...c.blocks.flatMap((v) => [
      v.coinbase.recipientHash,
      ...v.transactions.flatMap((t) => [t.recipientHash, hex(addressHashOf(b(t.senderPublicKey)))]),
      ...v.accounts.map((a) => a.addressHash),
    ]),
  ]);
  return [...all].sort();
}

/** A "chain" transfer with its signature, as expectBlock takes it. */
function chainTransfers(v: ChainBlockVector): (ChainTransferVector & { signature: string })[] {
  expect(v.signatures).toHaveLength(v.transactions.length);
  return v.transactions.map((t, i) => ({ ...t, signature: v.signatures[i]! }));
}

// ---------------------------------------------------------------- tests

describe('docs/vectors/protocol.json', () => {
  it('has every section, with the cases docs/protocol.md promises', () => {
    expect(vectors.keys).toHaveLength(3);
    expect(vectors.transfers.length).toBeGreaterThanOrEqual(2);
    expect(vectors.transfers.some((t) => t.fee === '0')).toBe(true);
    expect(vectors.transfers.some((t) => t.nonce > 0)).toBe(true);
    expect(vectors.merkle.map((m) => m.txids.length)).toEqual([1, 2, 3, 5]);
    const validBits = vectors.compactBits.valid.map((c) => c.bits);
    expect(validBits).toContain('0x207fffff');
    expect(validBits).toContain('0x' + networkByName('devnet').genesisBits.toString(16).padStart(8, '0'));
    expect(vectors.compactBits.nonCanonical.length).toBeGreaterThan(0);
    expect(Object.keys(vectors.genesis).sort()).toEqual(['devnet', 'regtest']);
    expect(vectors.block.transfers.length).toBeGreaterThanOrEqual(2);
    expect(vectors.emptyBlock.transfers).toEqual([]);
    const codes = vectors.invalid.map((c) => c.expectedCode);
    for (const code of ['BLOCK_BAD_AGGREGATE_SIGNATURE', 'BLOCK_BAD_EMPTY_SIGNATURE', 'TX_BAD_PUBLIC_KEY'])
      expect(codes).toContain(code);
  });

  it('keys: secret keys follow from their seeds; public keys, address hashes and addresses follow from them', () => {
    expect(vectors.about.keyDerivation).toContain('0x3f');
    vectors.keys.forEach((k, i) => {
      expect(k.seed).toBe(`ourcoin vector key ${i + 1}`);
      const sk = secretKeyFromSeed(k.seed);
      expect(sk).toHaveLength(SECRET_KEY_LENGTH);
      expect(hex(sk)).toBe(k.secretKey);
      const n = bytesToBigInt(sk);
      expect(n > 0n && n < 1n << 254n).toBe(true);
      const pk = blstBls.secretKeyToPublicKey(sk);
      expect(hex(pk)).toBe(k.publicKey);
      expect(hex(addressHashOf(pk))).toBe(k.addressHash);
      expect(hex(sha256(pk).slice(0, 20))).toBe(k.addressHash);
      for (const name of ['regtest', 'devnet'] as const) {
        const network = networkByName(name);
        expect(encodeAddress(b(k.addressHash, 20), network)).toBe(k.address[name]);
        expect(hex(decodeAddress(k.address[name], network))).toBe(k.addressHash);
        expect(k.address[name].startsWith(`${network.addressPrefix}1q`)).toBe(true);
      }
    });
  });

  it('noble derives the same public key for key 1', () => {
    expect(hex(nobleBls.secretKeyToPublicKey(secretKeyOf(0)))).toBe(vectors.keys[0]!.publicKey);
  });

  describe.each(vectors.transfers.map((t, i) => ({ name: `transfer ${i}`, t })))('$name', ({ t }) => {
    const network = networkByName(t.network);
    const tx = transferFromVector(t);
    const key = vectors.keys[t.senderKey]!;

    it('fields agree with each other and with the keys', () => {
      expect(t.chainId).toBe(network.chainId);
      expect(t.chainIdHex).toBe('0x' + t.chainId.toString(16).padStart(8, '0'));
      expect(t.senderPublicKey).toBe(key.publicKey);
      expect(t.recipientHash).toBe(vectors.keys[t.recipientKey]!.addressHash);
      expect(hex(decodeAddress(t.recipient, network))).toBe(t.recipientHash);
      expect(t.sender).toBe(encodeAddress(addressHashOf(tx.senderPublicKey), network));
      expect(tx.amount >= 1n && tx.amount + tx.fee <= MAX_MONEY).toBe(true);
    });

    it('encoding (97 B), txid, signing message (100 B)', () => {
      const encoding = encodeTransfer(tx);
      expect(encoding).toHaveLength(TRANSFER_LENGTH);
      expect(hex(encoding)).toBe(t.encoding);
      expect(hex(transferBySpec(tx))).toBe(t.encoding);
      expect(decodeTransfer(encoding)).toEqual(tx);
      const txid = transferTxid(tx);
      expect(hex(txid)).toBe(t.txid);
      expect(hex(sha256(encoding))).toBe(t.txid);
      const message = signingMessage(tx);
      expect(message).toHaveLength(SIGNING_MESSAGE_LENGTH);
      expect(hex(message)).toBe(t.signingMessage);
      expect(hex(signingMessageBySpec(tx.senderPublicKey, txid))).toBe(t.signingMessage);
    });

    it('signature (blst, deterministic) verifies; signed encoding (193 B)', () => {
      const message = b(t.signingMessage, SIGNING_MESSAGE_LENGTH);
      const signature = blstBls.sign(secretKeyOf(t.senderKey), message);
      expect(hex(signature)).toBe(t.signature);
      expect(blstBls.verify(tx.senderPublicKey, message, signature)).toBe(true);
      const signed = encodeSignedTransfer({ tx, signature });
      expect(signed).toHaveLength(TRANSFER_LENGTH + SIGNATURE_LENGTH);
      expect(hex(signed)).toBe(t.signedEncoding);
      expect(hex(concat(b(t.encoding), signature))).toBe(t.signedEncoding);
      const decoded = decodeSignedTransfer(signed);
      expect(decoded.tx).toEqual(tx);
      expect(hex(decoded.signature)).toBe(t.signature);
    });
  });

  it('transfer 0: noble makes the same signature and verifies it', () => {
    const t = vectors.transfers[0]!;
    const message = b(t.signingMessage, SIGNING_MESSAGE_LENGTH);
    expect(hex(nobleBls.sign(secretKeyOf(t.senderKey), message))).toBe(t.signature);
    expect(nobleBls.verify(b(t.senderPublicKey), message, b(t.signature))).toBe(true);
  });

  it("coinbase: encoding (37 B) and txid; it is the block's coinbase", () => {
    expectCoinbase(vectors.coinbase);
    expect(vectors.coinbase).toEqual({ description: vectors.coinbase.description, ...vectors.block.coinbase });
  });

  it.each(vectors.merkle.map((m) => ({ n: m.txids.length, m })))('merkle root of $n txids, level by level', ({ m }) => {
    const txids = m.txids.map((id) => b(id, 32));
    expect(hex(merkleRoot(txids))).toBe(m.root);
    const levels = merkleLevelsBySpec(txids);
    expect(levels.map((l) => l.map(hex))).toEqual(m.levels);
    expect(m.levels[m.levels.length - 1]).toEqual([m.root]);
  });

  it.each(vectors.compactBits.valid)('compact bits $bits: target, work, powLimit', (c) => {
    const bits = bitsOf(c.bits);
    const target = decodeCompact(bits);
    expect(hex(bigIntToBytes(target, 32))).toBe(c.target);
    expect(decodeBitsBySpec(bits)).toBe(target);
    expect(encodeCompact(target)).toBe(bits);
    expect(workForTarget(target).toString()).toBe(c.work);
    expect(((1n << 256n) / (target + 1n)).toString()).toBe(c.work);
    expect(c.withinPowLimit).toEqual({
      devnet: target <= networkByName('devnet').powLimit,
      regtest: target <= networkByName('regtest').powLimit,
    });
  });

  it.each(vectors.compactBits.nonCanonical)('compact bits $bits are refused ($reason)', (c) => {
    const bits = bitsOf(c.bits);
    expect(c.expectedCode).toBe('POW_BAD_BITS');
    const bySpec = decodeBitsBySpec(bits);
    if (c.network === undefined) {
      expect(bySpec).toBe(c.reason);
      expect(() => decodeCompact(bits)).toThrow(OurCoinError);
      try {
        decodeCompact(bits);
      } catch (err) {
        expect((err as OurCoinError).code).toBe(c.expectedCode);
      }
    } else {
      // Canonical bits whose target exceeds the network's powLimit: refused by the header rule.
      const network = networkByName(c.network);
      expect(c.reason).toBe('above-pow-limit');
      expect(typeof bySpec).toBe('bigint');
      expect(decodeCompact(bits) > network.powLimit).toBe(true);
      const header = { ...genesisBlock(network).header, bits };
      let code: string | undefined;
      try {
        checkHeaderContextFree(header, network);
      } catch (err) {
        code = err instanceof OurCoinError ? err.code : String(err);
      }
      expect(code).toBe(c.expectedCode);
    }
  });

  describe.each(['devnet', 'regtest'] as const)('genesis %s', (name) => {
    const network: NetworkParams = networkByName(name);
    const v = vectors.genesis[name];

    it('rebuilds from network data and equals genesisBlock(network)', () => {
      expect(v.network).toBe(name);
      const block = expectBlock(v, []);
      expect(v.header).toMatchObject({
        version: 2,
        height: 0,
        timestamp: network.genesis.timestamp,
        nonce: network.genesis.nonce.toString(),
      });
      expect(v.header.prevHash).toBe(hex(new Uint8Array(32)));
      expect(bitsOf(v.header.bits)).toBe(network.genesisBits);
      expect(v.coinbase).toMatchObject({ height: 0, amount: '0', recipientHash: hex(new Uint8Array(20)) });
      expect(v.aggregateSignature).toBe(hex(INFINITY_SIGNATURE));
      const genesis = genesisBlock(network);
      expect(hex(encodeBlock(genesis))).toBe(v.blockEncoding);
      expect(hex(blockHash(genesis.header))).toBe(v.hash);
      expect(block).toEqual(genesis);
      checkHeaderContextFree(genesis.header, network);
    });
  });

  it('block: rebuilt from its transfers, its aggregate verifies, and it passes 7.1, 7.2, 7.3 and 7.5', () => {
    const v = vectors.block;
    const transfers = v.transfers.map((i) => vectors.transfers[i]!);
    const block = expectBlock(v, transfers);
    expect(v.header.prevHash).toBe(vectors.genesis.regtest.hash);
    expect(v.header.height).toBe(1);
    expect(v.header.timestamp).toBe(regtest.genesis.timestamp + 60);
    const fees = block.transactions.reduce((n, tx) => n + tx.fee, 0n);
    expect(block.coinbase.amount).toBe(blockSubsidy(1, regtest) + fees);
    expect(
      blstBls.aggregateVerify(
        transfers.map((t) => b(t.senderPublicKey)),
        transfers.map((t) => b(t.signingMessage)),
        block.aggregateSignature,
      ),
    ).toBe(true);
    expect(firstFailure(block)).toBeUndefined();
    // As its description says, the genesis state cannot pay for its transfers.
    let code: string | undefined;
    try {
      applyBlockState(block, { getAccount: () => EMPTY_ACCOUNT }, regtest);
    } catch (err) {
      code = err instanceof OurCoinError ? err.code : String(err);
    }
    expect(code).toBe('TX_INSUFFICIENT_BALANCE');
  });

  it('emptyBlock: INFINITY aggregate, fully valid on the regtest genesis', () => {
    const v = vectors.emptyBlock;
    const block = expectBlock(v, []);
    expect(v.header.prevHash).toBe(vectors.genesis.regtest.hash);
    expect(v.aggregateSignature).toBe(hex(INFINITY_SIGNATURE));
    expect(v.size).toBe(BLOCK_OVERHEAD);
    expect(firstFailure(block)).toBeUndefined();
    const state = applyBlockState(block, { getAccount: () => EMPTY_ACCOUNT }, regtest);
    expect(state.fees).toBe(0n);
    expect(state.changes.map((c) => hex(c.address))).toEqual([v.coinbase.recipientHash]);
  });

  it.each(vectors.invalid)('invalid: $expectedCode: $description', (c) => {
    const block = decodeBlock(b(c.blockEncoding));
    expect(hex(encodeBlock(block))).toBe(c.blockEncoding);
    expect(hex(blockHash(block.header))).toBe(c.hash);
    // Every invalid block is a well-formed, solved regtest block at height 4 on the chain section's last block.
    const last = vectors.chain.blocks.at(-1)!;
    expect(hex(block.header.prevHash)).toBe(last.hash);
    expect(block.header.height).toBe(last.header.height + 1);
    expect(hashMeetsTarget(blockHash(block.header), decodeCompact(block.header.bits))).toBe(true);
    // Checked in 7.6's order on the chain's state after its last block: its senders are funded, so
    // the expected code is what every order of checks reaches.
    const state = new MemoryState();
    for (const a of last.accounts) state.set(b(a.addressHash, 20), accountOf(a));
    const headers = [vectors.genesis.regtest, ...vectors.chain.blocks].map((v) => headerFromVector(v.header));
    expect(firstFailureOnChain(block, headers, state)).toEqual({ code: c.expectedCode, kind: c.expectedKind });
  });

  describe('chain', () => {
    const c = vectors.chain;

    it('is the promised short regtest chain: genesis, an empty block, a block spending within itself, a last block', () => {
      expect(c.network).toBe('regtest');
      expect(c.genesis.hash).toBe(vectors.genesis.regtest.hash);
      expect(c.genesis.accounts).toEqual([]);
      expect(c.genesis.cumulativeWork).toBe(workForTarget(decodeCompact(regtest.genesisBits)).toString());
      expect(c.blocks).toHaveLength(3);
      let prev = c.genesis.hash;
      c.blocks.forEach((v, i) => {
        expect(v.network).toBe('regtest');
        expect(v.header.height).toBe(i + 1);
        expect(v.header.prevHash).toBe(prev);
        expect(v.header.timestamp).toBe(regtest.genesis.timestamp + 60 * (i + 1));
        expect(bitsOf(v.header.bits)).toBe(regtest.genesisBits);
        prev = v.hash;
      });
      const [b1, b2, b3] = c.blocks as [ChainBlockVector, ChainBlockVector, ChainBlockVector];
      const shape = (v: ChainBlockVector) => v.transactions.map((t) => [t.senderKey, t.recipientKey, t.nonce]);
      expect(b1.transactions).toEqual([]);
      expect(b1.signatures).toEqual([]);
      expect(b1.aggregateSignature).toBe(hex(INFINITY_SIGNATURE));
      expect(b1.coinbase.recipientHash).toBe(vectors.keys[0]!.addressHash);
      expect(b2.coinbase.recipientHash).toBe(vectors.keys[2]!.addressHash);
      // key 1 -> key 2 (nonce 0), key 1 -> key 3 (nonce 1), then key 2 -> key 3 (nonce 0) out of what it just received.
      expect(shape(b2)).toEqual([
        [0, 1, 0],
        [0, 2, 1],
        [1, 2, 0],
      ]);
      expect(c.genesis.accounts.concat(b1.accounts).some((a) => a.key === 1)).toBe(false);
      expect(
        BigInt(b2.transactions[2]!.amount) + BigInt(b2.transactions[2]!.fee) < BigInt(b2.transactions[0]!.amount),
      ).toBe(true);
      expect(b2.transactions.every((t) => BigInt(t.fee) > 0n)).toBe(true);
      expect(b3.transactions.length).toBeLessThanOrEqual(1);
    });

    describe.each(c.blocks.map((v) => ({ name: `block ${v.header.height}`, v })))('$name', ({ v }) => {
      it('transfers: fields, encodings, txids and signing messages follow from the keys', () => {
        for (const t of v.transactions) {
          const tx = transferFromVector(t);
          expect(t.chainId).toBe(regtest.chainId);
          expect(t.senderPublicKey).toBe(vectors.keys[t.senderKey]!.publicKey);
          expect(t.recipientHash).toBe(vectors.keys[t.recipientKey]!.addressHash);
          expect(t.sender).toBe(vectors.keys[t.senderKey]!.address.regtest);
          expect(t.recipient).toBe(vectors.keys[t.recipientKey]!.address.regtest);
          expect(hex(encodeTransfer(tx))).toBe(t.encoding);
          expect(hex(transferBySpec(tx))).toBe(t.encoding);
          expect(hex(transferTxid(tx))).toBe(t.txid);
          expect(hex(signingMessage(tx))).toBe(t.signingMessage);
          expect(hex(signingMessageBySpec(tx.senderPublicKey, transferTxid(tx)))).toBe(t.signingMessage);
        }
      });

      it('signatures: 96 B each, deterministic, each verifies; the aggregate is their sum', () => {
        expect(v.signatures).toHaveLength(v.transactions.length);
        v.transactions.forEach((t, i) => {
          const signature = b(v.signatures[i]!, SIGNATURE_LENGTH);
          const message = b(t.signingMessage, SIGNING_MESSAGE_LENGTH);
          expect(hex(blstBls.sign(secretKeyOf(t.senderKey), message))).toBe(v.signatures[i]);
          expect(blstBls.verify(b(t.senderPublicKey), message, signature)).toBe(true);
        });
        if (v.signatures.length === 0) {
          expect(v.aggregateSignature).toBe(hex(INFINITY_SIGNATURE));
        } else {
          expect(hex(blstBls.aggregateSignatures(v.signatures.map((s) => b(s, SIGNATURE_LENGTH))))).toBe(
            v.aggregateSignature,
          );
          expect(
            blstBls.aggregateVerify(
              v.transactions.map((t) => b(t.senderPublicKey)),
              v.transactions.map((t) => b(t.signingMessage)),
              b(v.aggregateSignature),
            ),
          ).toBe(true);
        }
      });

      it('re-assembles and re-encodes from its fields; coinbase = subsidy + fees; nonce is the first from 0', () => {
        const block = expectBlock(v, chainTransfers(v));
        const fees = block.transactions.reduce((n, tx) => n + tx.fee, 0n);
        expect(fees.toString()).toBe(v.fees);
        expect(block.coinbase.amount).toBe(blockSubsidy(block.header.height, regtest) + fees);
        expect(solveBlock(withNonce(block, 0n), 1_000_000)?.header.nonce.toString()).toBe(v.header.nonce);
      });

      it('accounts: non-empty, sorted by addressHash, addresses and keys agree', () => {
        const hashes = v.accounts.map((a) => a.addressHash);
        expect(hashes).toEqual([...hashes].sort());
        expect(new Set(hashes).size).toBe(hashes.length);
        for (const a of v.accounts) {
          expect(BigInt(a.balance) > 0n || a.nonce > 0).toBe(true);
          expect(hex(decodeAddress(a.address, regtest))).toBe(a.addressHash);
          const key = vectors.keys.findIndex((k) => k.addressHash === a.addressHash);
          expect(a.key).toBe(key >= 0 ? key : undefined);
        }
        // Fees move money, they do not make it: the state holds exactly the subsidies so far.
        let subsidies = 0n;
        for (let h = 1; h <= v.header.height; h++) subsidies += blockSubsidy(h, regtest);
        expect(v.accounts.reduce((n, a) => n + BigInt(a.balance), 0n)).toBe(subsidies);
      });
    });

    it('replays through a real Chain on a fresh SqliteStore: every block connects, with the tip, work and accounts of the vectors', () => {
      const t = openTestChain();
      try {
        const { chain } = t;
        const addresses = chainAddresses();
        const expectAccounts = (listed: AccountVector[]): void => {
          const byHash = new Map(listed.map((a) => [a.addressHash, accountOf(a)]));
          for (const h of addresses)
            expect({ h, ...chain.getAccount(b(h, 20)) }).toEqual({ h, ...(byHash.get(h) ?? EMPTY_ACCOUNT) });
        };
        expect(hex(chain.tip.hash)).toBe(c.genesis.hash);
        expect(chain.tip.cumulativeWork.toString()).toBe(c.genesis.cumulativeWork);
        expectAccounts(c.genesis.accounts);
        for (const v of c.blocks) {
          const result = chain.processBlock(b(v.blockEncoding));
          expect({ height: v.header.height, status: result.status, code: result.error?.code }).toEqual({
            height: v.header.height,
            status: 'connected',
            code: undefined,
          });
          expect(hex(result.hash)).toBe(v.hash);
          expect(hex(chain.tip.hash)).toBe(v.hash);
          expect(chain.tip.height).toBe(v.header.height);
          expect(chain.tip.cumulativeWork.toString()).toBe(v.cumulativeWork);
          expectAccounts(v.accounts);
        }
      } finally {
        t.cleanup();
      }
    });

    it('applyBlockState alone (pure, on an in-memory state) gives the same accounts after each block', () => {
      const state = new MemoryState();
      expect(state.toVector()).toEqual(c.genesis.accounts);
      for (const v of c.blocks) {
        const block = decodeBlock(b(v.blockEncoding));
        const transition = applyBlockState(block, state, regtest);
        expect(transition.fees.toString()).toBe(v.fees);
        for (const change of transition.changes) state.set(change.address, change.after);
        expect(state.toVector()).toEqual(v.accounts);
      }
    });
  });
});
