/**
 * Writes docs/vectors/protocol.json: worked vectors for docs/protocol.md (keys, addresses,
 * transfers, signing messages, signatures, coinbase, Merkle roots, compact bits, genesis
 * blocks, a block with transfers, an empty block, blocks that must be rejected, and a short
 * fully valid regtest chain with the account state after each block).
 *
 *   npx tsx scripts/protocol-vectors.ts
 *
 * Deterministic: fixed secret keys, deterministic BLS signatures, proof of work solved from
 * nonce 0, no clock. Every run writes the same bytes. test/unit/docs/vectors.test.ts recomputes every
 * output from its inputs, so a vector that disagrees with the code fails the test suite.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Chain } from '../src/chain/chain.js';
import { blstBls } from '../src/crypto/blst.js';
import { INFINITY_SIGNATURE, PUBLIC_KEY_LENGTH } from '../src/crypto/interface.js';
import { addressHashOf, encodeAddress } from '../src/protocol/address.js';
import { assembleBlock } from '../src/protocol/assemble.js';
import {
  BLOCK_VERSION,
  blockHash,
  blockSize,
  blockTxids,
  encodeBlock,
  encodeHeader,
  headerToJson,
} from '../src/protocol/block.js';
import type { Block, BlockHeader, BlockHeaderJson } from '../src/protocol/block.js';
import { toHex, bigIntToBytes } from '../src/protocol/bytes.js';
import { OurCoinError } from '../src/errors.js';
import { genesisBlock } from '../src/protocol/genesis.js';
import { merkleRoot, sha256 } from '../src/protocol/hash.js';
import { devnet, regtest } from '../src/protocol/networks.js';
import type { NetworkParams } from '../src/protocol/networks.js';
import { decodeCompact, encodeCompact, headerCommitment, powMessage, workForTarget } from '../src/protocol/pow.js';
import { checkBlockBody } from '../src/protocol/rules/body.js';
import { checkHeaderContextFree, checkHeaderContextual } from '../src/protocol/rules/header.js';
import { verifyBlockSignature } from '../src/protocol/rules/signature.js';
import { EMPTY_ACCOUNT, applyBlockState } from '../src/protocol/rules/state.js';
import type { Account } from '../src/protocol/rules/state.js';
import { blockSubsidy } from '../src/protocol/rules/subsidy.js';
import { aggregateSignature } from '../src/protocol/signing.js';
import {
  coinbaseTxid,
  encodeCoinbase,
  encodeSignedTransfer,
  encodeTransfer,
  signingMessage,
  transferTxid,
} from '../src/protocol/transaction.js';
import type { Coinbase, Transfer } from '../src/protocol/transaction.js';
import { solveBlock } from '../src/miner/solve.js';
import { SqliteStore } from '../src/store/sqliteStore.js';

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'vectors', 'protocol.json');

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => toHex(b);
const hex32 = (n: number): string => '0x' + n.toString(16).padStart(8, '0');

// ---------------------------------------------------------------- keys

const KEY_DERIVATION =
  'secretKey_i = sha256(ASCII seed_i) with its first byte ANDed with 0x3f (so 0 < sk < 2^254 < r); ' +
  'seed_i = "ourcoin vector key <i>" for i = 1, 2, 3';

interface VectorKey {
  readonly seed: string;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly addressHash: Uint8Array;
}

function vectorKey(i: number): VectorKey {
  const seed = `ourcoin vector key ${i}`;
  const secretKey = sha256(ascii(seed)).slice();
  secretKey[0] = secretKey[0]! & 0x3f;
  const publicKey = blstBls.secretKeyToPublicKey(secretKey);
  return { seed, secretKey, publicKey, addressHash: addressHashOf(publicKey) };
}

const keys = [vectorKey(1), vectorKey(2), vectorKey(3)] as const;
const [k1, k2, k3] = keys;

// ---------------------------------------------------------------- transfers

interface TransferSpec {
  readonly description: string;
  readonly sender: number;
  readonly recipient: number;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly nonce: number;
}

const transferSpecs: readonly TransferSpec[] = [
  {
    description: 'key 1 pays key 2 1.5 OUR with fee 0 (first transfer, nonce 0)',
    sender: 0,
    recipient: 1,
    amount: 150_000_000n,
    fee: 0n,
    nonce: 0,
  },
  {
    description: 'key 2 pays key 3 2.5 OUR with fee 1000 base units, nonce 7',
    sender: 1,
    recipient: 2,
    amount: 250_000_000n,
    fee: 1000n,
    nonce: 7,
  },
  {
    description: 'key 3 pays key 1 0.99999999 OUR with fee 1 base unit, nonce 1',
    sender: 2,
    recipient: 0,
    amount: 99_999_999n,
    fee: 1n,
    nonce: 1,
  },
];

interface SignedVector {
  readonly tx: Transfer;
  readonly txid: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

const signed: SignedVector[] = transferSpecs.map((s) => {
  const tx: Transfer = {
    chainId: regtest.chainId,
    senderPublicKey: keys[s.sender]!.publicKey,
    recipient: keys[s.recipient]!.addressHash,
    amount: s.amount,
    fee: s.fee,
    nonce: s.nonce,
  };
  const txid = transferTxid(tx);
  const message = signingMessage(tx, txid);
  return { tx, txid, message, signature: blstBls.sign(keys[s.sender]!.secretKey, message) };
});

function transferJson(spec: TransferSpec, v: SignedVector, network: NetworkParams): Record<string, unknown> {
  return {
    description: spec.description,
    network: network.name,
    senderKey: spec.sender,
    recipientKey: spec.recipient,
    chainId: v.tx.chainId,
    chainIdHex: hex32(v.tx.chainId),
    senderPublicKey: hex(v.tx.senderPublicKey),
    sender: encodeAddress(addressHashOf(v.tx.senderPublicKey), network),
    recipient: encodeAddress(v.tx.recipient, network),
    recipientHash: hex(v.tx.recipient),
    amount: v.tx.amount.toString(),
    fee: v.tx.fee.toString(),
    nonce: v.tx.nonce,
    encoding: hex(encodeTransfer(v.tx)),
    txid: hex(v.txid),
    signingMessage: hex(v.message),
    signature: hex(v.signature),
    signedEncoding: hex(encodeSignedTransfer({ tx: v.tx, signature: v.signature })),
  };
}

// ---------------------------------------------------------------- coinbase, blocks

function coinbaseJson(cb: Coinbase, network: NetworkParams): Record<string, unknown> {
  return {
    network: network.name,
    chainId: cb.chainId,
    chainIdHex: hex32(cb.chainId),
    height: cb.height,
    recipient: encodeAddress(cb.recipient, network),
    recipientHash: hex(cb.recipient),
    amount: cb.amount.toString(),
    encoding: hex(encodeCoinbase(cb)),
    txid: hex(coinbaseTxid(cb)),
  };
}

function headerJson(h: BlockHeader): BlockHeaderJson {
  return headerToJson(h);
}

function blockJson(block: Block, network: NetworkParams, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...extra,
    network: network.name,
    header: headerJson(block.header),
    coinbase: coinbaseJson(block.coinbase, network),
    txids: blockTxids(block).map(hex),
    txRoot: hex(block.header.txRoot),
    aggregateSignature: hex(block.aggregateSignature),
    signatureHash: hex(block.header.signatureHash),
    headerEncoding: hex(encodeHeader(block.header)),
    headerCommitment: hex(headerCommitment(encodeHeader(block.header))),
    powMessage: hex(powMessage(headerCommitment(encodeHeader(block.header)), block.header.nonce)),
    hash: hex(blockHash(block.header)),
    blockEncoding: hex(encodeBlock(block)),
    size: blockSize(block),
  };
}

const regtestGenesis = genesisBlock(regtest);
const BLOCK_TIMESTAMP = regtest.genesis.timestamp + 60;

/** A solved regtest block at height 1 on the regtest genesis; commitments always match the body. */
function blockAtHeight1(transfers: readonly Transfer[], aggregate: Uint8Array, miner: Uint8Array): Block {
  const fees = transfers.reduce((n, tx) => n + tx.fee, 0n);
  const block = assembleBlock({
    version: BLOCK_VERSION,
    height: 1,
    prevHash: blockHash(regtestGenesis.header),
    timestamp: BLOCK_TIMESTAMP,
    bits: regtest.genesisBits,
    nonce: 0n,
    coinbase: { chainId: regtest.chainId, height: 1, recipient: miner, amount: blockSubsidy(1, regtest) + fees },
    transactions: transfers,
    aggregateSignature: aggregate,
  });
  const solved = solveBlock(block, 1_000_000);
  if (!solved) throw new Error('could not solve a regtest block');
  return solved;
}

/**
 * The code of the first rule `block` breaks, checking 7.1, 7.2 (parent = regtest genesis,
 * local clock = the block's timestamp), 7.3 and 7.5 in that order; undefined if it passes.
 */
function firstFailure(block: Block): { code: string; kind: string } | undefined {
  try {
    checkHeaderContextFree(block.header, regtest);
    const ctx = { parent: regtestGenesis.header, ancestor: () => regtestGenesis.header };
    checkHeaderContextual(block.header, ctx, regtest, block.header.timestamp);
    const txids = checkBlockBody(block, regtest);
    verifyBlockSignature(block, txids.slice(1), blstBls);
    return undefined;
  } catch (err) {
    if (err instanceof OurCoinError) return { code: err.code, kind: err.kind };
    throw err;
  }
}

const allTxs = signed.map((s) => s.tx);
const allSigs = signed.map((s) => s.signature);

const block = blockAtHeight1(allTxs, aggregateSignature(allSigs, blstBls), k1.addressHash);
const emptyBlock = blockAtHeight1([], aggregateSignature([], blstBls), k3.addressHash);
for (const b of [block, emptyBlock]) {
  const failure = firstFailure(b);
  if (failure) throw new Error(`a valid vector block fails with ${failure.code}`);
}

// ---------------------------------------------------------------- chain

/**
 * A fully valid regtest chain: genesis, then three blocks one minute apart. Block 2 has a
 * transfer that spends part of what its sender received earlier in the same block.
 */
interface ChainTransferSpec {
  readonly sender: number;
  readonly recipient: number;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly nonce: number;
}

interface ChainBlockSpec {
  readonly description: string;
  readonly miner: number;
  readonly transfers: readonly ChainTransferSpec[];
}

const chainBlockSpecs: readonly ChainBlockSpec[] = [
  {
    description:
      'height 1, timestamp genesis + 60: no transfers (aggregateSignature = INFINITY); the coinbase pays key 1 the subsidy',
    miner: 0,
    transfers: [],
  },
  {
    description:
      'height 2, timestamp genesis + 120: key 1 pays key 2 10 OUR (fee 10000, nonce 0), key 1 pays key 3 5 OUR (fee 20000, nonce 1), ' +
      'then key 2 pays key 3 2.5 OUR (fee 5000, nonce 0) out of the 10 OUR it received in this same block; ' +
      'the coinbase pays key 3 the subsidy plus the 35000 of fees',
    miner: 2,
    transfers: [
      { sender: 0, recipient: 1, amount: 1_000_000_000n, fee: 10_000n, nonce: 0 },
      { sender: 0, recipient: 2, amount: 500_000_000n, fee: 20_000n, nonce: 1 },
      { sender: 1, recipient: 2, amount: 250_000_000n, fee: 5_000n, nonce: 0 },
    ],
  },
  {
    description:
      'height 3, timestamp genesis + 180: key 3 pays key 1 1 OUR (fee 1000, nonce 0), spending the coinbase of block 2; ' +
      'the coinbase pays key 2 the subsidy plus the 1000 of fees',
    miner: 1,
    transfers: [{ sender: 2, recipient: 0, amount: 100_000_000n, fee: 1_000n, nonce: 0 }],
  },
];

/** In-memory account state: what a re-implementer's own state would hold. */
class MemoryAccounts {
  private readonly map = new Map<string, { address: Uint8Array; account: Account }>();

  getAccount(address: Uint8Array): Account {
    return this.map.get(hex(address))?.account ?? EMPTY_ACCOUNT;
  }

  set(address: Uint8Array, account: Account): void {
    if (account.balance === 0n && account.nonce === 0) this.map.delete(hex(address));
    else this.map.set(hex(address), { address, account });
  }

  /** Every account with a non-zero balance or nonce, by address hash ascending. */
  entries(): { address: Uint8Array; account: Account }[] {
    return [...this.map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  }
}

function accountsJson(state: MemoryAccounts): Record<string, unknown>[] {
  return state.entries().map(({ address, account }) => {
    const key = keys.findIndex((k) => hex(k.addressHash) === hex(address));
    return {
      ...(key >= 0 ? { key } : {}),
      addressHash: hex(address),
      address: encodeAddress(address, regtest),
      balance: account.balance.toString(),
      nonce: account.nonce,
    };
  });
}

function chainTransferJson(spec: ChainTransferSpec, tx: Transfer): Record<string, unknown> {
  const txid = transferTxid(tx);
  return {
    senderKey: spec.sender,
    recipientKey: spec.recipient,
    chainId: tx.chainId,
    senderPublicKey: hex(tx.senderPublicKey),
    sender: encodeAddress(addressHashOf(tx.senderPublicKey), regtest),
    recipient: encodeAddress(tx.recipient, regtest),
    recipientHash: hex(tx.recipient),
    amount: tx.amount.toString(),
    fee: tx.fee.toString(),
    nonce: tx.nonce,
    encoding: hex(encodeTransfer(tx)),
    txid: hex(txid),
    signingMessage: hex(signingMessage(tx, txid)),
  };
}

const chainState = new MemoryAccounts();
const chainHeaders: BlockHeader[] = [regtestGenesis.header];
let chainWork = workForTarget(decodeCompact(regtestGenesis.header.bits));
const chainGenesis = {
  hash: hex(blockHash(regtestGenesis.header)),
  cumulativeWork: chainWork.toString(),
  accounts: accountsJson(chainState),
};
const chainBlocks: Block[] = [];

const chainBlockJson = chainBlockSpecs.map((spec, i) => {
  const height = i + 1;
  const parent = chainHeaders[chainHeaders.length - 1]!;
  const transactions = spec.transfers.map((t): Transfer => ({
    chainId: regtest.chainId,
    senderPublicKey: keys[t.sender]!.publicKey,
    recipient: keys[t.recipient]!.addressHash,
    amount: t.amount,
    fee: t.fee,
    nonce: t.nonce,
  }));
  const signatures = transactions.map((tx, j) =>
    blstBls.sign(keys[spec.transfers[j]!.sender]!.secretKey, signingMessage(tx)),
  );
  const fees = transactions.reduce((n, tx) => n + tx.fee, 0n);
  const unsolved = assembleBlock({
    version: BLOCK_VERSION,
    height,
    prevHash: blockHash(parent),
    timestamp: regtest.genesis.timestamp + 60 * height,
    bits: regtest.genesisBits,
    nonce: 0n,
    coinbase: {
      chainId: regtest.chainId,
      height,
      recipient: keys[spec.miner]!.addressHash,
      amount: blockSubsidy(height, regtest) + fees,
    },
    transactions,
    aggregateSignature: aggregateSignature(signatures, blstBls),
  });
  const block = solveBlock(unsolved, 1_000_000);
  if (!block) throw new Error(`could not solve chain block ${height}`);

  // Every rule, as a node applies them on this chain (clock = the block's own timestamp).
  checkHeaderContextFree(block.header, regtest);
  const ctx = { parent, ancestor: (h: number) => chainHeaders[h]! };
  checkHeaderContextual(block.header, ctx, regtest, block.header.timestamp);
  const txids = checkBlockBody(block, regtest);
  verifyBlockSignature(block, txids.slice(1), blstBls);
  const transition = applyBlockState(block, chainState, regtest);
  for (const c of transition.changes) chainState.set(c.address, c.after);
  chainWork += workForTarget(decodeCompact(block.header.bits));
  chainHeaders.push(block.header);
  chainBlocks.push(block);

  const j = blockJson(block, regtest);
  return {
    description: spec.description,
    network: j.network,
    header: j.header,
    coinbase: j.coinbase,
    transactions: spec.transfers.map((t, k) => chainTransferJson(t, transactions[k]!)),
    fees: fees.toString(),
    txids: j.txids,
    txRoot: j.txRoot,
    signatures: signatures.map(hex),
    aggregateSignature: j.aggregateSignature,
    signatureHash: j.signatureHash,
    headerEncoding: j.headerEncoding,
    headerCommitment: j.headerCommitment,
    powMessage: j.powMessage,
    hash: j.hash,
    blockEncoding: j.blockEncoding,
    size: j.size,
    accounts: accountsJson(chainState),
    cumulativeWork: chainWork.toString(),
  };
});

// The same blocks through the node's own Chain on a fresh in-memory store: all must connect.
{
  const store = new SqliteStore(':memory:', regtest);
  try {
    const chain = Chain.open({ network: regtest, store, bls: blstBls, now: () => regtest.genesis.timestamp + 3600 });
    chainBlocks.forEach((b, i) => {
      const result = chain.processBlock(encodeBlock(b));
      if (result.status !== 'connected')
        throw new Error(`chain block ${i + 1}: ${result.status} ${result.error?.code ?? ''}`);
    });
    if (
      hex(chain.tip.hash) !== chainBlockJson[chainBlockJson.length - 1]!.hash ||
      chain.tip.cumulativeWork !== chainWork
    ) {
      throw new Error('the Chain replay disagrees with the vector chain');
    }
    for (const { address, account } of chainState.entries()) {
      const got = chain.getAccount(address);
      if (got.balance !== account.balance || got.nonce !== account.nonce)
        throw new Error(`the Chain replay disagrees on ${hex(address)}`);
    }
  } finally {
    store.close();
  }
}

// ---------------------------------------------------------------- invalid blocks

/**
 * Blocks that must be refused, each at height 4 on the vector chain's last block, so that its
 * senders are funded and carry the right nonces (7.4 passes): the expected code is the one
 * every implementation reaches, whatever order of checks it uses (7.6).
 */
const INVALID_HEIGHT = chainHeaders.length; // 4
const invalidParent = chainHeaders[INVALID_HEIGHT - 1]!;

/** The code of the first rule `block` breaks, in 7.6's order (7.1, 7.3, 7.2, 7.4, 7.5) on the chain's state. */
function invalidFailure(block: Block): { code: string; kind: string } | undefined {
  try {
    checkHeaderContextFree(block.header, regtest);
    const txids = checkBlockBody(block, regtest);
    const ctx = { parent: invalidParent, ancestor: (h: number) => chainHeaders[h]! };
    checkHeaderContextual(block.header, ctx, regtest, block.header.timestamp);
    applyBlockState(block, chainState, regtest);
    verifyBlockSignature(block, txids.slice(1), blstBls);
    return undefined;
  } catch (err) {
    if (err instanceof OurCoinError) return { code: err.code, kind: err.kind };
    throw err;
  }
}

/** A transfer from vector key `sender` at its nonce on the chain's state, signed. */
function fundedTransfer(sender: number, recipient: Uint8Array, amount: bigint, nonceOffset = 0) {
  const key = keys[sender]!;
  const tx: Transfer = {
    chainId: regtest.chainId,
    senderPublicKey: key.publicKey,
    recipient,
    amount,
    fee: 1_000n,
    nonce: chainState.getAccount(key.addressHash).nonce + nonceOffset,
  };
  return { tx, signature: blstBls.sign(key.secretKey, signingMessage(tx)) };
}

/** A solved regtest block at height 4 on the chain; commitments always match the body. */
function blockOnChain(transfers: readonly Transfer[], aggregate: Uint8Array, miner: Uint8Array): Block {
  const fees = transfers.reduce((n, tx) => n + tx.fee, 0n);
  const solved = solveBlock(
    assembleBlock({
      version: BLOCK_VERSION,
      height: INVALID_HEIGHT,
      prevHash: blockHash(invalidParent),
      timestamp: invalidParent.timestamp + 60,
      bits: regtest.genesisBits,
      nonce: 0n,
      coinbase: {
        chainId: regtest.chainId,
        height: INVALID_HEIGHT,
        recipient: miner,
        amount: blockSubsidy(INVALID_HEIGHT, regtest) + fees,
      },
      transactions: transfers,
      aggregateSignature: aggregate,
    }),
    1_000_000,
  );
  if (!solved) throw new Error('could not solve a regtest block');
  return solved;
}

/** The sender key of a transfer is the compressed G1 point at infinity (0xc0, 47 zero bytes). */
const G1_INFINITY = (() => {
  const b = new Uint8Array(PUBLIC_KEY_LENGTH);
  b[0] = 0xc0;
  return b;
})();

// Three funded transfers: key 1 -> key 2, key 2 -> key 3, key 3 -> key 1, each at its sender's next nonce.
const funded = [
  fundedTransfer(0, k2.addressHash, 100_000_000n),
  fundedTransfer(1, k3.addressHash, 50_000_000n),
  fundedTransfer(2, k1.addressHash, 25_000_000n),
];
const fundedTxs = funded.map((f) => f.tx);
const fundedSigs = funded.map((f) => f.signature);
const validOnChain = blockOnChain(fundedTxs, aggregateSignature(fundedSigs, blstBls), k1.addressHash);
if (invalidFailure(validOnChain)) throw new Error('the base block of the invalid cases is not valid');

// key 1 funds the infinity key's address; the infinity "sender" then spends it in the same block (nonce 0).
const fundInfinity = fundedTransfer(0, addressHashOf(G1_INFINITY), 200_000_000n);
const infinitySenderTx: Transfer = {
  chainId: regtest.chainId,
  senderPublicKey: G1_INFINITY,
  recipient: k2.addressHash,
  amount: 100_000_000n,
  fee: 0n,
  nonce: 0,
};

interface InvalidCase {
  readonly description: string;
  readonly expectedCode: string;
  readonly expectedKind: string;
  readonly block: Block;
  readonly notes: string;
}

const ON_CHAIN = "regtest height 4 on the chain section's last block; ";
const invalidCases: InvalidCase[] = [
  {
    description:
      ON_CHAIN +
      "three funded transfers (key 1 -> key 2, key 2 -> key 3, key 3 -> key 1, at their senders' next nonces) with the aggregate of the first two signatures only (re-assembled and solved, so the commitments match)",
    expectedCode: 'BLOCK_BAD_AGGREGATE_SIGNATURE',
    expectedKind: 'consensus',
    block: blockOnChain(fundedTxs, aggregateSignature(fundedSigs.slice(0, 2), blstBls), k1.addressHash),
    notes:
      'Every other rule holds, 7.4 included; AggregateVerify over the three (publicKey, signingMessage) pairs is false.',
  },
  {
    description: ON_CHAIN + 'the same three funded transfers with the INFINITY aggregate signature',
    expectedCode: 'BLOCK_BAD_AGGREGATE_SIGNATURE',
    expectedKind: 'consensus',
    block: blockOnChain(fundedTxs, INFINITY_SIGNATURE, k1.addressHash),
    notes:
      'INFINITY is the aggregate only of a block without transfers; with transfers it is refused before any pairing.',
  },
  {
    description:
      ON_CHAIN + "empty block (no transfers) whose aggregate signature is a transfer's signature instead of INFINITY",
    expectedCode: 'BLOCK_BAD_EMPTY_SIGNATURE',
    expectedKind: 'consensus',
    block: blockOnChain([], fundedSigs[0]!, k3.addressHash),
    notes: 'The signature is a valid G2 point, but a block without transfers must carry INFINITY byte for byte.',
  },
  {
    description:
      ON_CHAIN +
      "key 1 pays 2 OUR to the address of the G1 point at infinity, then a transfer whose senderPublicKey is that point (0xc0 then 47 zero bytes) spends 1 OUR of it; the aggregate is key 1's signature alone",
    expectedCode: 'TX_BAD_PUBLIC_KEY',
    expectedKind: 'consensus',
    block: blockOnChain([fundInfinity.tx, infinitySenderTx], fundInfinity.signature, k1.addressHash),
    notes:
      "Its sender is funded and its nonce right, so 7.4 passes. e(infinity, H(m)) = 1, so the pairing equation holds with key 1's signature alone: only the public-key check " +
      '(7.5 step 1) rejects this block. A verifier that skips it would accept a transfer nobody signed.',
  },
  {
    description:
      ON_CHAIN +
      "the valid block of the three funded transfers, with the first two transfers' aggregate in the body (signature swapped, header not updated)",
    expectedCode: 'BLOCK_BAD_SIGNATURE_HASH',
    expectedKind: 'mutated',
    block: { ...validOnChain, aggregateSignature: aggregateSignature(fundedSigs.slice(0, 2), blstBls) },
    notes:
      'sha256(aggregateSignature) differs from header.signatureHash: mutated, so the block hash must not be remembered as invalid.',
  },
  {
    description:
      ON_CHAIN +
      'the valid block of the three funded transfers with transfers 1 and 2 swapped in the body (header not updated)',
    expectedCode: 'BLOCK_BAD_TX_ROOT',
    expectedKind: 'mutated',
    block: { ...validOnChain, transactions: [fundedTxs[1]!, fundedTxs[0]!, fundedTxs[2]!] },
    notes:
      'The Merkle root depends on the order of the txids: mutated, so the block hash must not be remembered as invalid.',
  },
];

for (const c of invalidCases) {
  const failure = invalidFailure(c.block);
  if (failure?.code !== c.expectedCode || failure.kind !== c.expectedKind) {
    throw new Error(
      `invalid case "${c.description}": expected ${c.expectedCode}/${c.expectedKind}, got ${failure ? `${failure.code}/${failure.kind}` : 'no failure'}`,
    );
  }
}

// ---------------------------------------------------------------- merkle

const merkleLeaves = [0, 1, 2, 3, 4].map((i) => sha256(ascii(`ourcoin merkle leaf ${i}`)));

function merkleLevels(txids: readonly Uint8Array[]): Uint8Array[][] {
  const prefixed = (prefix: number, ...parts: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(1 + parts.reduce((n, p) => n + p.length, 0));
    out[0] = prefix;
    let at = 1;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const levels = [txids.map((id) => sha256(prefixed(0x00, id)))];
  for (let level = levels[0]!; level.length > 1;) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      next.push(right === undefined ? level[i]! : sha256(prefixed(0x01, level[i]!, right)));
    }
    levels.push(next);
    level = next;
  }
  return levels;
}

const merkle = [1, 2, 3, 5].map((n) => {
  const txids = merkleLeaves.slice(0, n);
  const levels = merkleLevels(txids);
  const root = merkleRoot(txids);
  if (hex(levels[levels.length - 1]![0]!) !== hex(root)) throw new Error('merkle levels disagree with merkleRoot');
  return { txids: txids.map(hex), levels: levels.map((l) => l.map(hex)), root: hex(root) };
});

// ---------------------------------------------------------------- compact bits

const validBits: readonly { bits: number; note: string }[] = [
  { bits: regtest.genesisBits, note: 'regtest genesisBits (about 1 hash in 2 meets it)' },
  { bits: devnet.genesisBits, note: 'devnet genesisBits' },
  {
    bits: encodeCompact(devnet.powLimit),
    note: 'encode(devnet powLimit = 2^240 - 1): the compact form rounds down to 2^240 - 2^224',
  },
  { bits: 0x1d00ffff, note: "Bitcoin's genesis bits (mantissa top bit would be set, so size 0x1d)" },
  { bits: 0x03123456, note: 'size 3: target is the mantissa itself' },
  { bits: 0x02008000, note: 'size 2: target 0x80 (0x80 alone would set the sign bit, hence the extra byte)' },
  { bits: 0x01010000, note: 'target 1, the hardest possible' },
];

const compactValid = validBits.map(({ bits, note }) => {
  const target = decodeCompact(bits);
  if (encodeCompact(target) !== bits) throw new Error(`bits ${hex32(bits)} do not round-trip`);
  return {
    bits: hex32(bits),
    note,
    target: hex(bigIntToBytes(target, 32)),
    work: workForTarget(target).toString(),
    withinPowLimit: { devnet: target <= devnet.powLimit, regtest: target <= regtest.powLimit },
  };
});

type BitsReason = 'negative' | 'zero' | 'overflow' | 'non-canonical' | 'above-pow-limit';

const badBits: readonly { bits: number; reason: BitsReason; network?: NetworkParams; note: string }[] = [
  { bits: 0x04923456, reason: 'negative', note: 'sign bit 0x00800000 set' },
  { bits: 0x00800000, reason: 'negative', note: 'sign bit set (even though the mantissa is zero)' },
  { bits: 0x00000000, reason: 'zero', note: 'target 0' },
  { bits: 0x01003456, reason: 'zero', note: 'size 1: 0x003456 >> 16 = 0' },
  { bits: 0x217fffff, reason: 'overflow', note: '0x7fffff << 240 >= 2^256' },
  { bits: 0x03000080, reason: 'non-canonical', note: 'target 0x80, canonically 0x02008000' },
  { bits: 0x04000080, reason: 'non-canonical', note: 'target 0x8000, canonically 0x03008000' },
  { bits: 0x22000001, reason: 'non-canonical', note: 'target 2^248, canonically 0x20010000' },
  {
    bits: 0x1f010000,
    reason: 'above-pow-limit',
    network: devnet,
    note: "canonical target 2^240, one above devnet's powLimit 2^240 - 1",
  },
  {
    bits: regtest.genesisBits,
    reason: 'above-pow-limit',
    network: devnet,
    note: "regtest's genesisBits are not valid on devnet",
  },
];

const compactNonCanonical = badBits.map(({ bits, reason, network, note }) => {
  let rejected: boolean;
  try {
    const target = decodeCompact(bits);
    rejected = network !== undefined && target > network.powLimit;
  } catch (err) {
    if (!(err instanceof OurCoinError) || err.code !== 'POW_BAD_BITS') throw err;
    rejected = network === undefined;
  }
  if (!rejected) throw new Error(`bits ${hex32(bits)} are not rejected for the stated reason`);
  return {
    bits: hex32(bits),
    reason,
    ...(network ? { network: network.name } : {}),
    note,
    expectedCode: 'POW_BAD_BITS',
  };
});

// ---------------------------------------------------------------- genesis

function genesisJson(network: NetworkParams): Record<string, unknown> {
  return blockJson(genesisBlock(network), network);
}

// ---------------------------------------------------------------- output

const vectors = {
  about: {
    description:
      'Worked vectors for docs/protocol.md (OurCoin protocol version 1). test/unit/docs/vectors.test.ts recomputes every output from its inputs.',
    generator: 'npx tsx scripts/protocol-vectors.ts',
    conventions:
      'Bytes are lowercase 0x-prefixed hex; amounts are decimal strings of base units; bits are 0x-prefixed 8-digit hex; ' +
      'work is a decimal string; "senderKey", "recipientKey" and "transfers" entries are indices into "keys" and "transfers".',
    keyDerivation: KEY_DERIVATION,
    signatureScheme: 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_ (CoreSign, deterministic)',
  },
  keys: keys.map((k) => ({
    seed: k.seed,
    secretKey: hex(k.secretKey),
    publicKey: hex(k.publicKey),
    addressHash: hex(k.addressHash),
    address: { regtest: encodeAddress(k.addressHash, regtest), devnet: encodeAddress(k.addressHash, devnet) },
  })),
  transfers: transferSpecs.map((spec, i) => transferJson(spec, signed[i]!, regtest)),
  coinbase: {
    description:
      'the coinbase of "block": height 1, pays key 1 the regtest subsidy plus the fees of transfers 0, 1 and 2',
    ...coinbaseJson(block.coinbase, regtest),
  },
  merkle,
  compactBits: { valid: compactValid, nonCanonical: compactNonCanonical },
  genesis: { devnet: genesisJson(devnet), regtest: genesisJson(regtest) },
  block: blockJson(block, regtest, {
    description:
      'regtest block at height 1 on the regtest genesis with transfers 0, 1 and 2, timestamp = genesis + 60, nonce = the first from 0 that meets bits. ' +
      'It passes 7.1, 7.2, 7.3 and 7.5; its senders hold nothing on the genesis state, so 7.4 would refuse it (TX_INSUFFICIENT_BALANCE): it is a vector for encodings and signatures, not a chain to replay.',
    transfers: [0, 1, 2],
  }),
  emptyBlock: blockJson(emptyBlock, regtest, {
    description:
      'regtest block at height 1 on the regtest genesis without transfers (aggregateSignature = INFINITY), coinbase pays key 3 the subsidy; fully valid.',
    transfers: [],
  }),
  invalid: invalidCases.map((c) => ({
    description: c.description,
    expectedCode: c.expectedCode,
    expectedKind: c.expectedKind,
    notes: c.notes,
    hash: hex(blockHash(c.block.header)),
    blockEncoding: hex(encodeBlock(c.block)),
  })),
  chain: {
    description:
      'A fully valid regtest chain to replay from genesis: every block connects, in order, on a fresh regtest node ' +
      '(timestamps genesis + 60, + 120, + 180; nonce = the first from 0 that meets bits). ' +
      'Each block lists its transfers ("transactions", fields and derived encodings, in block order), their individual signatures ' +
      '("signatures", same order; aggregateSignature is their sum, INFINITY when there are none), every derived output, and then ' +
      'the whole account state after it ("accounts": every address with a non-zero balance or nonce, by addressHash ascending; ' +
      '"key" is an index into "keys") and the cumulative work of the chain ending at it. "genesis" is the state before block 1.',
    network: regtest.name,
    genesis: chainGenesis,
    blocks: chainBlockJson,
  },
};

mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, JSON.stringify(vectors, null, 2) + '\n');
console.log(`wrote ${OUT}`);
